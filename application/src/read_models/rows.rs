//! The read models' rows, and their typed fields: every enum is read back
//! with the domain's own encoding (`from_code`, the inverse of the `as_str`
//! the projections write), and a value that does not decode is an error,
//! loudly, never a default.

use sqlx::FromRow;
use veritrail_domain::case::{CaseStatus, CheckKind, CheckState};

use crate::ServiceError;

#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub case_id: String,
    pub tenant_id: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub decided_by_kind: Option<String>,
    pub decided_by_id: Option<String>,
    pub entities: String,
    pub restart: Option<String>,
    pub replaced_by: Option<String>,
    pub opened_at_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub decided_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub version: i64,
    pub check_outcome: String,
    pub reviewer: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct CheckRow {
    pub check_kind: String,
    pub state: String,
    pub attempt: i64,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub score: Option<i64>,
    pub hint: Option<String>,
    pub action_deadline_ms: Option<i64>,
    pub bypassed_by_kind: Option<String>,
    pub bypassed_by_id: Option<String>,
    pub bypass_comment: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub global_tx: i64,
    pub global_position: i64,
    pub tenant_id: Option<String>,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub recorded_at_ms: i64,
    pub correlation_id: Option<String>,
    pub summary: String,
}

fn corrupt(what: &str, id: &str, value: &str) -> ServiceError {
    tracing::error!(what, id, value, "read-model row does not decode");
    ServiceError::Corrupt(format!("{what} of {id} is {value:?}"))
}

impl CaseRow {
    pub fn status(&self) -> Result<CaseStatus, ServiceError> {
        CaseStatus::from_code(&self.status)
            .ok_or_else(|| corrupt("case status", &self.case_id, &self.status))
    }
}

impl CheckRow {
    pub fn kind(&self) -> Result<CheckKind, ServiceError> {
        CheckKind::from_code(&self.check_kind)
            .ok_or_else(|| corrupt("check kind", &self.check_kind, &self.check_kind))
    }

    pub fn state(&self) -> Result<CheckState, ServiceError> {
        CheckState::from_code(&self.state)
            .ok_or_else(|| corrupt("check state", &self.check_kind, &self.state))
    }
}
