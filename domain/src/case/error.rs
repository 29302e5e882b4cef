use time::OffsetDateTime;

use crate::case::check::{CheckKind, CheckState};
use crate::case::command::CommandName;
use crate::case::status::CaseStatus;

/// Why a case refused a command. Each refusal is precise and typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// No such case — or it belongs to another tenant, which must look the same.
    #[error("no such case")]
    NotFound,
    #[error("the case already exists")]
    AlreadyOpened,
    #[error("cannot {command} a case that is {status}")]
    IllegalTransition {
        command: CommandName,
        status: CaseStatus,
    },
    #[error("check {check} was not requested on this case")]
    CheckNotRequested { check: CheckKind },
    #[error("cannot {} check {check} while it is {state}", command.check_verb())]
    IllegalCheckTransition {
        command: CommandName,
        check: CheckKind,
        state: CheckState,
    },
    #[error("cannot complete: checks not verified or bypassed: {}", list(checks))]
    ChecksOutstanding { checks: Vec<CheckKind> },
    #[error("check {check} has used all {attempts} attempts")]
    RetryLimitReached { check: CheckKind, attempts: u32 },
    #[error("check {check} cannot expire before its deadline {}", rfc3339(*.deadline))]
    ActionDeadlineNotReached {
        check: CheckKind,
        deadline: OffsetDateTime,
    },
    #[error("the case does not wait for its individual")]
    NothingToRemind,
    #[error("the case has had all {max} reminders")]
    ReminderLimitReached { max: u32 },
    #[error("the next reminder is not due before {}", rfc3339(*.at))]
    ReminderNotDue { at: OffsetDateTime },
    #[error("the period to respond must be positive")]
    NonPositiveResponsePeriod,
    #[error("date of birth lies in the future")]
    DateOfBirthInFuture,
    /// Get-or-request found the subject's active case, which lacks checks
    /// the request asks for: they are not added silently.
    #[error(
        "the subject's active case {case_id} does not include {}: ask for its checks, or cancel and recreate it",
        list(checks)
    )]
    ActiveCaseLacksChecks {
        case_id: crate::CaseId,
        checks: Vec<CheckKind>,
    },
    /// A request that must open a new case found the subject's active one.
    #[error("the subject already has an active case, {case_id}: finish or cancel it first")]
    SubjectHasActiveCase { case_id: crate::CaseId },
    #[error("the case already holds {limit} uploads, the most accepted")]
    TooManyUploads { limit: usize },
    #[error("no media {media_id} was uploaded to this case")]
    UnknownMedia { media_id: crate::MediaId },
    #[error("media {media_id} is already recorded on this case")]
    MediaExists { media_id: crate::MediaId },
    /// A processor run that lost the check (its lease expired and another
    /// run took it over, or the check moved on) may not record anything.
    #[error("check {check} is no longer being run by {run}")]
    StaleRun { check: CheckKind, run: String },
    /// The `liveness_frame` evidence does not answer the challenge.
    #[error("the liveness challenge needs {expected} liveness_frame uploads (one facing the camera, then one per step; none without a challenge), {given} were named")]
    LivenessFrames { expected: usize, given: usize },
    /// A provider's report for a check that is not waiting for that
    /// provider's request (it ended, or the request is not this one).
    #[error("check {check} is not waiting for this provider request")]
    ProviderNotAwaited { check: CheckKind },
    /// A provider changed an answer it had already given.
    #[error("the provider already answered {status} for check {check}")]
    ProviderAnswered {
        check: CheckKind,
        status: crate::case::ProviderStatus,
    },
    #[error("a case cannot be replaced by itself")]
    ReplacementIsSelf,
    #[error("the restart context names this case as its own previous case")]
    RestartOfSelf,
}

/// A time as the API writes it (RFC 3339).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

fn list(checks: &[CheckKind]) -> String {
    checks
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::CaseError;
    use crate::case::{CheckKind, CheckState, CommandName};

    #[test]
    fn a_check_refusal_reads_as_a_sentence() {
        let error = CaseError::IllegalCheckTransition {
            command: CommandName::RetryCheck,
            check: CheckKind::Document,
            state: CheckState::Verified,
        };
        assert_eq!(
            error.to_string(),
            "cannot retry check document while it is verified"
        );
    }
}
