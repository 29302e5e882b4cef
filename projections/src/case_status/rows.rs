//! The rows of the case-status read model as values (the bulk rebuild
//! builds them in memory), and how they are written.

use veritrail_domain::case::Submission;
use veritrail_domain::Money;

use crate::rebuild::Cell;

/// What a submission sets on the case row: nationality, region, and the
/// amounts with their currencies.
pub struct Submitted {
    pub nationality: Option<String>,
    pub region: Option<String>,
    pub requested: (Option<String>, Option<String>),
    pub income: (Option<String>, Option<String>),
}

impl Submitted {
    pub fn of(submission: &Submission) -> Self {
        let money = |m: &Option<Money>| {
            m.as_ref()
                .map(|m| (m.amount().to_string(), m.currency().as_str().to_owned()))
                .unzip()
        };
        Self {
            nationality: submission.nationality.map(|c| c.to_string()),
            region: submission.nationality.map(|c| {
                veritrail_domain::country::region_of(c.as_str())
                    .as_str()
                    .to_owned()
            }),
            requested: money(&submission.requested_amount),
            income: money(&submission.declared_income),
        }
    }
}

/// One `case_status` row.
#[derive(Debug, Clone, Default)]
pub struct CaseRow {
    pub case_id: String,
    pub tenant_id: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub status: &'static str,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub decided_by_kind: Option<String>,
    pub decided_by_id: Option<String>,
    pub entities: Vec<String>,
    pub restart: Option<String>,
    pub replaced_by: Option<String>,
    pub opened_at_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub decided_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub version: i64,
    pub check_outcome: &'static str,
    pub reviewer: Option<String>,
    pub opened_day: String,
    pub decided_day: Option<String>,
    pub nationality: Option<String>,
    pub region: Option<String>,
    pub requested_amount: Option<String>,
    pub requested_currency: Option<String>,
    pub declared_income: Option<String>,
    pub income_currency: Option<String>,
}

/// One `case_checks` row.
#[derive(Debug, Clone, Default)]
pub struct CheckRow {
    pub check_kind: String,
    pub state: &'static str,
    pub attempt: i64,
    pub outcome: Option<&'static str>,
    pub reason: Option<String>,
    pub score: Option<i64>,
    pub hint: Option<String>,
    pub action_deadline_ms: Option<i64>,
    pub bypassed_by_kind: Option<String>,
    pub bypassed_by_id: Option<String>,
    pub bypass_comment: Option<String>,
    pub position: i64,
}

pub const CASE_COLUMNS: [&str; 27] = [
    "case_id",
    "tenant_id",
    "subject_id",
    "subject_name",
    "status",
    "outcome",
    "reason",
    "decided_by_kind",
    "decided_by_id",
    "entities",
    "restart",
    "replaced_by",
    "opened_at_ms",
    "submitted_at_ms",
    "decided_at_ms",
    "updated_at_ms",
    "version",
    "check_outcome",
    "reviewer",
    "opened_day",
    "decided_day",
    "nationality",
    "region",
    "requested_amount",
    "requested_currency",
    "declared_income",
    "income_currency",
];

pub const CHECK_COLUMNS: [&str; 13] = [
    "case_id",
    "check_kind",
    "state",
    "attempt",
    "outcome",
    "reason",
    "score",
    "hint",
    "action_deadline_ms",
    "bypassed_by_kind",
    "bypassed_by_id",
    "bypass_comment",
    "position",
];

impl CaseRow {
    /// The row's cells, in `CASE_COLUMNS` order.
    pub(crate) fn cells(self) -> Vec<Cell> {
        let entities = serde_json::to_string(&self.entities).unwrap_or_else(|_| "[]".into());
        vec![
            self.case_id.into(),
            self.tenant_id.into(),
            self.subject_id.into(),
            self.subject_name.into(),
            self.status.into(),
            self.outcome.into(),
            self.reason.into(),
            self.decided_by_kind.into(),
            self.decided_by_id.into(),
            entities.into(),
            self.restart.into(),
            self.replaced_by.into(),
            self.opened_at_ms.into(),
            self.submitted_at_ms.into(),
            self.decided_at_ms.into(),
            self.updated_at_ms.into(),
            self.version.into(),
            self.check_outcome.into(),
            self.reviewer.into(),
            self.opened_day.into(),
            self.decided_day.into(),
            self.nationality.into(),
            self.region.into(),
            self.requested_amount.into(),
            self.requested_currency.into(),
            self.declared_income.into(),
            self.income_currency.into(),
        ]
    }
}

impl CheckRow {
    /// The row's cells, in `CHECK_COLUMNS` order.
    pub(crate) fn cells(self, case_id: &str) -> Vec<Cell> {
        vec![
            case_id.into(),
            self.check_kind.into(),
            self.state.into(),
            self.attempt.into(),
            self.outcome.map(str::to_owned).into(),
            self.reason.into(),
            self.score.into(),
            self.hint.into(),
            self.action_deadline_ms.into(),
            self.bypassed_by_kind.into(),
            self.bypassed_by_id.into(),
            self.bypass_comment.into(),
            self.position.into(),
        ]
    }
}
