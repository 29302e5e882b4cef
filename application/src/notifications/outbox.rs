//! The notices queue (`notices`) and whom a case's notices go to
//! (`notice_contacts`): written by the notice feed with its checkpoint,
//! claimed under leases by the senders of every instance, read through the
//! API as the tenant's notification log.

use veritrail_event_store::sql::{claim_due, execute, fetch, Param};
use veritrail_event_store::EventDatabase;

/// A new notice: id, tenant, case, kind, vars (JSON), due = created at.
/// Queued once: the id is the event's.
pub const INSERT_NOTICE: &str = "INSERT INTO notices
    (notice_id, tenant_id, case_id, kind, vars, due_ms, created_at_ms, updated_at_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $6, $6)
    ON CONFLICT (notice_id) DO NOTHING";

/// The same, for a notice to the individual: queued only when the case has
/// their address.
pub const INSERT_NOTICE_IF_ADDRESSED: &str = "INSERT INTO notices
    (notice_id, tenant_id, case_id, kind, vars, due_ms, created_at_ms, updated_at_ms)
    SELECT $1, $2, $3, $4, $5, $6, $6, $6 WHERE EXISTS
        (SELECT 1 FROM notice_contacts WHERE case_id = $3 AND email IS NOT NULL)
    ON CONFLICT (notice_id) DO NOTHING";

/// A case opened: its tenant, individual's address and name.
pub const INSERT_CONTACT: &str = "INSERT INTO notice_contacts (case_id, tenant_id, email, name)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (case_id) DO NOTHING";

/// An invitation issued to a case: the one its notices link to now.
pub const SET_INVITATION: &str = "UPDATE notice_contacts
    SET invitation_id = $2, invitation_expires_ms = $3 WHERE case_id = $1";

/// An invitation revoked: notices no longer link to it.
pub const DROP_INVITATION: &str = "UPDATE notice_contacts
    SET invitation_id = NULL, invitation_expires_ms = NULL WHERE invitation_id = $1";

const COLUMNS: &str = "notice_id, tenant_id, case_id, kind, vars, state, recipients, attempts,
    due_ms, last_error, created_at_ms, updated_at_ms";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NoticeRow {
    pub notice_id: String,
    pub tenant_id: String,
    pub case_id: String,
    pub kind: String,
    pub vars: String,
    pub state: String,
    pub recipients: Option<String>,
    pub attempts: i64,
    pub due_ms: i64,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ContactRow {
    pub case_id: String,
    pub tenant_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub invitation_id: Option<String>,
    pub invitation_expires_ms: Option<i64>,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    Sent {
        recipients: String,
    },
    /// Nobody to send it to (no address, notices off, no usable link).
    Skipped {
        reason: String,
    },
    /// Failed; tried again at `retry_at`, or given up when `None`.
    Failed {
        error: String,
        retry_at: Option<i64>,
    },
}

#[derive(Debug, Clone)]
pub struct Notices {
    db: EventDatabase,
}

impl Notices {
    pub fn new(db: EventDatabase) -> Self {
        Self { db }
    }

    /// Takes up to `limit` due notices nobody holds, for `owner`.
    pub async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<NoticeRow>, sqlx::Error> {
        let table = ("notices", "notice_id", "due_ms", COLUMNS);
        claim_due(&self.db, table, owner, now_ms, lease_ms, limit).await
    }

    /// Ends `owner`'s claim of `notice`.
    pub async fn settle(
        &self,
        notice: &NoticeRow,
        owner: &str,
        outcome: Settle,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let (state, recipients, error, due) = match outcome {
            Settle::Sent { recipients } => ("sent", Some(recipients), None, notice.due_ms),
            Settle::Skipped { reason } => ("skipped", None, Some(reason), notice.due_ms),
            Settle::Failed {
                error,
                retry_at: Some(at),
            } => ("pending", None, Some(error), at),
            Settle::Failed {
                error,
                retry_at: None,
            } => ("failed", None, Some(error), notice.due_ms),
        };
        execute(
            &self.db,
            "UPDATE notices SET state = $3, recipients = $4, last_error = $5, due_ms = $6,
                    attempts = attempts + 1, owner = NULL, lease_until_ms = 0, updated_at_ms = $7
              WHERE notice_id = $1 AND owner = $2",
            &[
                Param::Text(notice.notice_id.clone()),
                Param::Text(owner.to_owned()),
                Param::Text(state.to_owned()),
                Param::OptText(recipients),
                Param::OptText(error),
                Param::Int(due),
                Param::Int(now_ms),
            ],
        )
        .await?;
        Ok(())
    }

    /// Whom case `case_id`'s notices go to, if the feed has seen it open.
    pub async fn contact(&self, case_id: &str) -> Result<Option<ContactRow>, sqlx::Error> {
        let rows: Vec<ContactRow> = fetch(
            &self.db,
            "SELECT case_id, tenant_id, email, name, invitation_id, invitation_expires_ms
               FROM notice_contacts WHERE case_id = $1",
            &[Param::Text(case_id.to_owned())],
        )
        .await?;
        Ok(rows.into_iter().next())
    }

    /// A tenant's notices, newest first; only case `case_id`'s when given.
    pub async fn of_tenant(
        &self,
        tenant: &str,
        case_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<NoticeRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notices
              WHERE tenant_id = $1 AND ($2 IS NULL OR case_id = $2)
              ORDER BY created_at_ms DESC, notice_id DESC LIMIT $3"
        );
        let params = [
            Param::Text(tenant.to_owned()),
            Param::OptText(case_id.map(str::to_owned)),
            Param::Int(limit),
        ];
        fetch(&self.db, &sql, &params).await
    }
}
