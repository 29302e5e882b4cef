//! Response bodies, from the aggregate or from the read models.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_application::ServiceError;
use veritrail_domain::case::{
    CaseStatus, CheckKind, CheckResult, CheckState, OpenedCase, Outcome, RestartTrigger,
};
use veritrail_domain::{ActorKind, CaseId};

pub(super) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorView {
    pub kind: ActorKind,
    pub id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    pub check: CheckKind,
    pub state: CheckState,
    pub attempt: u32,
    /// `verified` or `failed` once a result is recorded.
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub score: Option<u8>,
    /// What the individual is asked to do (state `requires_action`).
    pub hint: Option<String>,
    pub action_deadline: Option<String>,
    pub bypassed_by: Option<ActorView>,
    pub bypass_comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestartView {
    pub previous_case: String,
    pub trigger: RestartTrigger,
    pub comment: Option<String>,
    pub previous_attempt_abandoned: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub id: String,
    pub display_name: Option<String>,
}

/// A case as its organisation sees it (READ-1).
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationView {
    pub id: String,
    pub tenant: String,
    pub status: CaseStatus,
    /// `PASS` once completed.
    pub outcome: Option<Outcome>,
    /// Why it failed or was cancelled.
    pub reason: Option<String>,
    pub decided_by: Option<ActorView>,
    pub subject: SubjectView,
    pub checks: Vec<CheckView>,
    pub entities: Vec<String>,
    pub restart: Option<RestartView>,
    pub replaced_by: Option<String>,
    /// The verification officer reviewing the case.
    pub reviewer: Option<String>,
    pub opened_at: String,
    pub submitted_at: Option<String>,
    /// The stream version; also the `ETag`.
    pub version: usize,
    /// The individual's invitation: only in the answer that opened the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView>,
}

/// An individual's invitation (AUTH-4). The token is shown once: hand the
/// link (or the token) to the individual, who sends it as
/// `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub invitation_id: String,
    pub token: String,
    pub url: String,
    pub expires_at: String,
}

/// What the individual submitted (officers only).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionView {
    pub given_names: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub nationality: Option<String>,
    pub email: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub evidence: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub declared_income: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub requested_amount: Option<serde_json::Value>,
}

/// A case with everything submitted, for the verification officer (CASE-4).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminVerificationView {
    #[serde(flatten)]
    pub case: VerificationView,
    pub submission: Option<SubmissionView>,
    /// Images uploaded to the case, oldest first
    /// (`GET /verifications/{id}/evidence/{media_id}`).
    pub evidence: Vec<super::MediaView>,
    /// The case's score from its automatic checks, with every factor
    /// explained; null until the processors scored it.
    pub score: Option<super::ScoreView>,
    /// What each check's last run measured.
    pub findings: Vec<super::CheckFindingsView>,
}

fn actor_view(actor: &veritrail_domain::Actor) -> ActorView {
    ActorView {
        kind: actor.kind,
        id: actor.id.to_string(),
    }
}

impl VerificationView {
    pub fn of(case: &OpenedCase, version: usize) -> Self {
        let checks = case
            .checks
            .iter()
            .map(|(kind, record)| {
                let (outcome, reason, score) = match &record.result {
                    Some(CheckResult::Verified { score }) => {
                        (Some("verified".to_owned()), None, score.map(|s| s.value()))
                    }
                    Some(CheckResult::Failed { reason, score }) => (
                        Some("failed".to_owned()),
                        Some(reason.to_string()),
                        score.map(|s| s.value()),
                    ),
                    None => (None, None, None),
                };
                CheckView {
                    check: *kind,
                    state: record.state,
                    attempt: record.attempt,
                    outcome,
                    reason,
                    score,
                    hint: record.hint.as_ref().map(|h| h.to_string()),
                    action_deadline: record.action_deadline.map(rfc3339),
                    bypassed_by: record.bypass.as_ref().map(|b| actor_view(&b.by)),
                    bypass_comment: record.bypass.as_ref().map(|b| b.comment.to_string()),
                }
            })
            .collect();
        Self {
            id: case.id.to_string(),
            tenant: case.tenant.to_string(),
            status: case.status,
            outcome: case.outcome,
            reason: case.reason.as_ref().map(|r| r.to_string()),
            decided_by: case.decided_by.as_ref().map(actor_view),
            subject: SubjectView {
                id: case.subject.id.to_string(),
                display_name: case.subject.display_name.as_ref().map(|n| n.to_string()),
            },
            checks,
            entities: case.entities.iter().map(|e| e.to_string()).collect(),
            restart: case.restart.as_ref().map(|r| RestartView {
                previous_case: r.previous_case.to_string(),
                trigger: r.trigger,
                comment: r.comment.as_ref().map(|c| c.to_string()),
                previous_attempt_abandoned: r.previous_attempt_abandoned,
            }),
            replaced_by: case.replaced_by.map(|id: CaseId| id.to_string()),
            reviewer: case.reviewer.as_ref().map(|r| r.to_string()),
            opened_at: rfc3339(case.opened_at),
            submitted_at: case.submitted_at.map(rfc3339),
            version,
            invitation: None,
        }
    }
}

impl AdminVerificationView {
    pub fn of(case: &OpenedCase, version: usize) -> Self {
        Self {
            case: VerificationView::of(case, version),
            submission: case.submission.as_ref().map(|s| SubmissionView {
                given_names: s.given_names.to_string(),
                family_name: s.family_name.to_string(),
                date_of_birth: s.date_of_birth.to_string(),
                nationality: s.nationality.map(|c| c.to_string()),
                email: s.email.as_ref().map(|e| e.as_str().to_owned()),
                evidence: serde_json::to_value(&s.evidence).unwrap_or_default(),
                declared_income: s
                    .declared_income
                    .as_ref()
                    .and_then(|m| serde_json::to_value(m).ok()),
                requested_amount: s
                    .requested_amount
                    .as_ref()
                    .and_then(|m| serde_json::to_value(m).ok()),
            }),
            evidence: case.media.iter().map(super::MediaView::of).collect(),
            score: case.score.as_ref().map(super::ScoreView::of),
            findings: super::findings(case),
        }
    }
}

pub(super) fn ms_rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(rfc3339)
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

impl VerificationView {
    /// The same view, from the case-status read model.
    /// A row that does not decode is an error (logged), never a default.
    pub fn from_rows(
        case: &veritrail_application::read_models::CaseRow,
        checks: &[veritrail_application::read_models::CheckRow],
    ) -> Result<Self, ServiceError> {
        let actor = |kind: &Option<String>, id: &Option<String>| match (kind, id) {
            (Some(kind), Some(id)) => parse_enum::<ActorKind>(kind).map(|kind| ActorView {
                kind,
                id: id.clone(),
            }),
            _ => None,
        };
        let restart = case
            .restart
            .as_deref()
            .and_then(|r| serde_json::from_str::<veritrail_domain::case::RestartContext>(r).ok());
        let checks = checks
            .iter()
            .map(|c| {
                Ok(CheckView {
                    check: c.kind()?,
                    state: c.state()?,
                    attempt: u32::try_from(c.attempt).unwrap_or(1),
                    outcome: c.outcome.clone(),
                    reason: c.reason.clone(),
                    score: c.score.and_then(|s| u8::try_from(s).ok()),
                    hint: c.hint.clone(),
                    action_deadline: c.action_deadline_ms.map(ms_rfc3339),
                    bypassed_by: actor(&c.bypassed_by_kind, &c.bypassed_by_id),
                    bypass_comment: c.bypass_comment.clone(),
                })
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        Ok(Self {
            id: case.case_id.clone(),
            tenant: case.tenant_id.clone(),
            status: case.status()?,
            outcome: case.outcome.as_deref().and_then(parse_enum),
            reason: case.reason.clone(),
            decided_by: actor(&case.decided_by_kind, &case.decided_by_id),
            subject: SubjectView {
                id: case.subject_id.clone(),
                display_name: case.subject_name.clone(),
            },
            checks,
            entities: serde_json::from_str(&case.entities).unwrap_or_default(),
            restart: restart.map(|r| RestartView {
                previous_case: r.previous_case.to_string(),
                trigger: r.trigger,
                comment: r.comment.map(|c| c.to_string()),
                previous_attempt_abandoned: r.previous_attempt_abandoned,
            }),
            replaced_by: case.replaced_by.clone(),
            reviewer: case.reviewer.clone(),
            opened_at: ms_rfc3339(case.opened_at_ms),
            submitted_at: case.submitted_at_ms.map(ms_rfc3339),
            version: usize::try_from(case.version).unwrap_or_default(),
            invitation: None,
        })
    }
}

/// One case in the review queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItem {
    pub id: String,
    pub tenant: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub status: String,
    /// `pending`, `failed`, `requires_action` or `all_cleared`.
    pub check_outcome: String,
    pub opened_at: String,
    pub submitted_at: Option<String>,
    /// Hours since the case was opened.
    pub age_hours: i64,
    pub reviewer: Option<String>,
    pub version: i64,
}

impl QueueItem {
    pub fn of(row: &veritrail_application::read_models::CaseRow, now_ms: i64) -> Self {
        Self {
            id: row.case_id.clone(),
            tenant: row.tenant_id.clone(),
            subject_id: row.subject_id.clone(),
            subject_name: row.subject_name.clone(),
            status: row.status.clone(),
            check_outcome: row.check_outcome.clone(),
            opened_at: ms_rfc3339(row.opened_at_ms),
            submitted_at: row.submitted_at_ms.map(ms_rfc3339),
            age_hours: (now_ms - row.opened_at_ms).max(0) / 3_600_000,
            reviewer: row.reviewer.clone(),
            version: row.version,
        }
    }
}

/// A page of the review queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One audit-trail entry: who did what, when, why (READ-4).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Global position `TRANSACTION:POSITION`.
    pub position: String,
    pub tenant: Option<String>,
    pub stream_type: String,
    pub stream_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub recorded_at: String,
    pub correlation_id: Option<String>,
    pub summary: String,
}

impl AuditEntry {
    pub fn of(row: &veritrail_application::read_models::AuditRow) -> Self {
        Self {
            position: format!("{}:{}", row.global_tx, row.global_position),
            tenant: row.tenant_id.clone(),
            stream_type: row.aggregate_type.clone(),
            stream_id: row.aggregate_id.clone(),
            sequence: row.sequence,
            event_type: row.event_type.clone(),
            actor_kind: row.actor_kind.clone(),
            actor_id: row.actor_id.clone(),
            recorded_at: ms_rfc3339(row.recorded_at_ms),
            correlation_id: row.correlation_id.clone(),
            summary: row.summary.clone(),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}
