//! Queries over the read models the projections maintain (READ-1, READ-2,
//! READ-4): the case status and the review queue here, the audit log and
//! the dashboards in their own files. Callers read these tables through
//! this module, never through the projections crate. Every failure is a
//! [`ServiceError`] (unavailable or store failure, cause kept).

mod audit;
mod case;
mod dashboards;
mod rows;

use std::time::Duration;

use veritrail_event_store::sql::{fetch, Param};
use veritrail_event_store::subscription::AppliedHeads;
use veritrail_event_store::EventDatabase;

pub use audit::AuditFilter;
pub use dashboards::{CheckCounts, DayCounts, StatusCounts};
pub use rows::{AuditRow, CaseRow, CheckRow};
/// A time as the epoch milliseconds the read models store.
pub use veritrail_event_store::sql::millis;

use crate::ServiceError;

/// Review-queue filters (READ-2).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// `None` = every tenant (operators only).
    pub tenant: Option<String>,
    pub status: Option<String>,
    pub check_outcome: Option<String>,
    pub subject: Option<String>,
    pub entity: Option<String>,
    /// `Some(None)`: unassigned cases; `Some(Some(id))`: that officer's.
    pub reviewer: Option<Option<String>>,
    /// Only cases opened at or before this time (epoch ms): "older than".
    pub opened_before_ms: Option<i64>,
    pub newest_first: bool,
    /// Resume after this `(opened_at_ms, case_id)`.
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

const CASE_COLUMNS: &str = "c.case_id, c.tenant_id, c.subject_id, c.subject_name, c.status, c.outcome, c.reason, \
    c.decided_by_kind, c.decided_by_id, c.entities, c.restart, c.replaced_by, c.opened_at_ms, c.submitted_at_ms, \
    c.decided_at_ms, c.updated_at_ms, c.version, c.check_outcome, c.reviewer";

/// Read-model queries.
#[derive(Debug, Clone)]
pub struct ReadModels {
    db: EventDatabase,
    /// What this instance's case-status runner has committed.
    applied: std::sync::Arc<AppliedHeads>,
}

impl ReadModels {
    pub fn new(db: EventDatabase) -> Self {
        Self {
            db,
            applied: std::sync::Arc::default(),
        }
    }

    /// Where this instance's case-status runner records each batch it
    /// commits (`Runner::with_heads`), so waiting readers know at once.
    pub fn applied(&self) -> std::sync::Arc<AppliedHeads> {
        self.applied.clone()
    }

    /// Waits (bounded) until the read model shows `case_id` at `version` or
    /// later, so a client reads its own writes. `false` on timeout. Asks
    /// this instance's case-status runner (in memory) whenever it commits a
    /// batch, and the read model itself every 25 ms without news (a runner
    /// in another instance, or one that has forgotten).
    pub async fn wait_for_version(&self, case_id: &str, version: i64, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut ask_database = false;
        loop {
            // Registered before the look, so a batch applied meanwhile wakes it.
            let committed = self.applied.committed();
            if self.applied.reached(case_id, version) {
                return true;
            }
            if ask_database && self.shows(case_id, version).await {
                return true;
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return false;
            }
            let wait = (deadline - now).min(Duration::from_millis(25));
            ask_database = tokio::time::timeout(wait, committed).await.is_err();
        }
    }

    /// Whether the read model shows `case_id` at `version` or later.
    async fn shows(&self, case_id: &str, version: i64) -> bool {
        let rows: Result<Vec<(i64,)>, _> = fetch(
            &self.db,
            "SELECT version FROM case_status WHERE case_id = $1",
            &[Param::Text(case_id.to_owned())],
        )
        .await;
        rows.is_ok_and(|rows| rows.first().is_some_and(|(v,)| *v >= version))
    }

    /// The review queue, one page; `limit + 1` rows are read to know if there is more.
    pub async fn queue(&self, filter: &QueueFilter) -> Result<Vec<CaseRow>, ServiceError> {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        let mut param = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        // By entity, the page is read in order from the links' own index
        // (each carries its case's opening time), not by sorting every case.
        let mut from = "case_status c".to_owned();
        let mut key = "c";
        if let Some(entity) = &filter.entity {
            let p = param(Param::Text(entity.clone()));
            from = format!(
                "case_entities e JOIN case_status c ON c.case_id = e.case_id AND c.tenant_id = e.tenant_id AND e.entity_id = {p}"
            );
            key = "e";
        }
        if let Some(tenant) = &filter.tenant {
            conditions.push(format!(
                "{key}.tenant_id = {}",
                param(Param::Text(tenant.clone()))
            ));
        }
        if let Some(status) = &filter.status {
            conditions.push(format!("c.status = {}", param(Param::Text(status.clone()))));
        }
        if let Some(outcome) = &filter.check_outcome {
            conditions.push(format!(
                "c.check_outcome = {}",
                param(Param::Text(outcome.clone()))
            ));
        }
        if let Some(subject) = &filter.subject {
            conditions.push(format!(
                "c.subject_id = {}",
                param(Param::Text(subject.clone()))
            ));
        }
        match &filter.reviewer {
            Some(Some(reviewer)) => conditions.push(format!(
                "c.reviewer = {}",
                param(Param::Text(reviewer.clone()))
            )),
            Some(None) => conditions.push("c.reviewer IS NULL".to_owned()),
            None => {}
        }
        if let Some(before) = filter.opened_before_ms {
            let p = param(Param::Int(before));
            conditions.push(format!("{key}.opened_at_ms <= {p}"));
        }
        let op = if filter.newest_first { "<" } else { ">" };
        if let Some((at, id)) = &filter.after {
            let (a, b) = (param(Param::Int(*at)), param(Param::Text(id.clone())));
            conditions.push(format!(
                "({key}.opened_at_ms, {key}.case_id) {op} ({a}, {b})"
            ));
        }
        let limit = param(Param::Int(i64::from(filter.limit) + 1));
        let order = if filter.newest_first { "DESC" } else { "ASC" };
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {from} {where_clause}
              ORDER BY {key}.opened_at_ms {order}, {key}.case_id {order} LIMIT {limit}"
        );
        Ok(fetch(&self.db, &sql, &params).await?)
    }
}

impl ReadModels {
    /// The "last active case" of a subject or an entity (CASE-7, seed 002):
    /// a passed case wins whenever it happened; otherwise the most recent one
    /// (open or failed). Cancelled cases were superseded and do not count.
    pub async fn last_active(
        &self,
        tenant: &str,
        subject: Option<&str>,
        entity: Option<&str>,
    ) -> Result<Option<(CaseRow, Vec<CheckRow>)>, ServiceError> {
        let mut params = vec![Param::Text(tenant.to_owned())];
        let (join, condition) = match (subject, entity) {
            (Some(subject), _) => {
                params.push(Param::Text(subject.to_owned()));
                (String::new(), "c.subject_id = $2".to_owned())
            }
            (None, Some(entity)) => {
                params.push(Param::Text(entity.to_owned()));
                (
                    "JOIN case_entities e ON e.case_id = c.case_id AND e.tenant_id = c.tenant_id"
                        .to_owned(),
                    "e.entity_id = $2".to_owned(),
                )
            }
            (None, None) => return Ok(None),
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM case_status c {join}
              WHERE c.tenant_id = $1 AND {condition} AND c.status <> 'CANCELLED'
              ORDER BY CASE WHEN c.status = 'COMPLETED' THEN 0 ELSE 1 END, c.opened_at_ms DESC, c.case_id DESC
              LIMIT 1"
        );
        let Some(case) = fetch::<CaseRow>(&self.db, &sql, &params)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let checks = self.checks(&case.case_id).await?;
        Ok(Some((case, checks)))
    }
}
