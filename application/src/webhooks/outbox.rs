//! The webhook outbox (`webhook_messages`), its delivery log
//! (`webhook_attempts`) and the endpoints' health: claimed under leases by
//! the dispatchers of every instance (PostgreSQL skips rows another one
//! holds), read and redelivered through the API.

use veritrail_event_store::sql::{execute, fetch, Param};
use veritrail_event_store::EventDatabase;

/// A new message (the webhook feed writes it with its checkpoint): id,
/// endpoint, tenant, type, case, case version, source position, body,
/// created at (= first attempt at).
pub const INSERT_MESSAGE: &str = "INSERT INTO webhook_messages
    (message_id, endpoint_id, tenant_id, event_type, case_id, case_version, source_position,
     body, created_at_ms, next_attempt_ms, updated_at_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)";

/// When an endpoint stops (disabled or deleted), what it had not received
/// fails; "redeliver failed since" brings it back once it is enabled.
pub const FAIL_PENDING: &str = "UPDATE webhook_messages
    SET state = 'failed', last_error = $2, owner = NULL, lease_until_ms = 0, updated_at_ms = $3
    WHERE endpoint_id = $1 AND state = 'pending'";

pub(super) const MESSAGE_COLUMNS: &str =
    "message_id, endpoint_id, tenant_id, event_type, case_id, case_version,
    body, state, round_attempts, total_attempts, next_attempt_ms, last_status, last_error,
    created_at_ms, delivered_at_ms";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub message_id: String,
    pub endpoint_id: String,
    pub tenant_id: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub case_version: Option<i64>,
    pub body: String,
    pub state: String,
    pub round_attempts: i64,
    pub total_attempts: i64,
    pub next_attempt_ms: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i64,
    pub at_ms: i64,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

/// An endpoint as the feed projected it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EndpointRow {
    pub endpoint_id: String,
    pub tenant_id: String,
    pub url: String,
    pub event_types: String,
    pub enabled: i64,
    pub secrets: String,
}

/// One attempt's outcome, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at_ms: i64,
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    pub(super) db: EventDatabase,
}

pub(super) fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

impl Outbox {
    pub fn new(db: EventDatabase) -> Self {
        Self { db }
    }

    /// Takes up to `limit` due messages nobody holds, for `owner`, until
    /// `now_ms + lease_ms`.
    pub async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        let pick = match self.db {
            EventDatabase::Postgres(_) => "FOR UPDATE SKIP LOCKED",
            EventDatabase::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE webhook_messages SET owner = $1, lease_until_ms = $2, updated_at_ms = $3
              WHERE message_id IN (SELECT message_id FROM webhook_messages
                                    WHERE state = 'pending' AND next_attempt_ms <= $3 AND lease_until_ms < $3
                                    ORDER BY next_attempt_ms LIMIT $4 {pick})
                AND state = 'pending' AND lease_until_ms < $3
          RETURNING {MESSAGE_COLUMNS}"
        );
        fetch(
            &self.db,
            &sql,
            &[
                text(owner),
                Param::Int(now_ms + lease_ms),
                Param::Int(now_ms),
                Param::Int(limit),
            ],
        )
        .await
    }

    pub async fn endpoint(&self, endpoint_id: &str) -> Result<Option<EndpointRow>, sqlx::Error> {
        let rows: Vec<EndpointRow> = fetch(
            &self.db,
            "SELECT endpoint_id, tenant_id, url, event_types, enabled, secrets
               FROM webhook_endpoints WHERE endpoint_id = $1",
            &[text(endpoint_id)],
        )
        .await?;
        Ok(rows.into_iter().next())
    }

    /// Logs attempt number `number` of a message (once: a replay after a
    /// crash keeps the first record).
    pub async fn log_attempt(
        &self,
        message: &MessageRow,
        number: i64,
        attempt: &Attempt,
    ) -> Result<(), sqlx::Error> {
        execute(
            &self.db,
            "INSERT INTO webhook_attempts
                (message_id, attempt, endpoint_id, at_ms, status, latency_ms, error, response_excerpt)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            &[
                text(&message.message_id),
                Param::Int(number),
                text(&message.endpoint_id),
                Param::Int(attempt.at_ms),
                Param::OptInt(attempt.status.map(i64::from)),
                Param::Int(attempt.latency_ms),
                Param::OptText(attempt.error.clone()),
                Param::OptText(attempt.response_excerpt.clone()),
            ],
        )
        .await?;
        Ok(())
    }

    /// Ends `owner`'s claim: `state` (pending with `next_ms`, delivered or
    /// failed), with the attempt counted. False if the claim was lost.
    pub async fn settle(
        &self,
        message_id: &str,
        owner: &str,
        state: &str,
        next_ms: i64,
        attempt: &Attempt,
    ) -> Result<bool, sqlx::Error> {
        let rows = execute(
            &self.db,
            "UPDATE webhook_messages
                SET state = $3, next_attempt_ms = $4, owner = NULL, lease_until_ms = 0,
                    round_attempts = round_attempts + 1, total_attempts = total_attempts + 1,
                    last_status = $5, last_error = $6, updated_at_ms = $7,
                    delivered_at_ms = CASE WHEN $3 = 'delivered' THEN $7 ELSE delivered_at_ms END
              WHERE message_id = $1 AND owner = $2",
            &[
                text(message_id),
                text(owner),
                text(state),
                Param::Int(next_ms),
                Param::OptInt(attempt.status.map(i64::from)),
                Param::OptText(attempt.error.clone()),
                Param::Int(attempt.at_ms),
            ],
        )
        .await?;
        Ok(rows == 1)
    }

    /// Fails a claimed message that cannot be sent (its endpoint stopped).
    pub async fn drop_claimed(
        &self,
        message_id: &str,
        owner: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        execute(
            &self.db,
            "UPDATE webhook_messages SET state = 'failed', owner = NULL, lease_until_ms = 0,
                    last_error = $3, updated_at_ms = $4
              WHERE message_id = $1 AND owner = $2",
            &[
                text(message_id),
                text(owner),
                text(reason),
                Param::Int(now_ms),
            ],
        )
        .await?;
        Ok(())
    }

    /// Records the endpoint's answer; after a failure, since when it has
    /// been failing.
    pub async fn health(
        &self,
        endpoint_id: &str,
        ok: bool,
        now_ms: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        let sql = if ok {
            "INSERT INTO webhook_health (endpoint_id, failing_since_ms, last_success_ms)
             VALUES ($1, NULL, $2)
             ON CONFLICT (endpoint_id) DO UPDATE SET failing_since_ms = NULL, last_success_ms = $2"
        } else {
            "INSERT INTO webhook_health (endpoint_id, failing_since_ms) VALUES ($1, $2)
             ON CONFLICT (endpoint_id) DO UPDATE
                SET failing_since_ms = COALESCE(webhook_health.failing_since_ms, $2)"
        };
        execute(&self.db, sql, &[text(endpoint_id), Param::Int(now_ms)]).await?;
        let rows: Vec<(Option<i64>,)> = fetch(
            &self.db,
            "SELECT failing_since_ms FROM webhook_health WHERE endpoint_id = $1",
            &[text(endpoint_id)],
        )
        .await?;
        Ok(rows.into_iter().next().and_then(|(since,)| since))
    }
}
