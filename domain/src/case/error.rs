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
    #[error("cannot {command} check {check} while it is {state}")]
    IllegalCheckTransition {
        command: CommandName,
        check: CheckKind,
        state: CheckState,
    },
    #[error("cannot complete: checks not verified or bypassed: {}", list(checks))]
    ChecksOutstanding { checks: Vec<CheckKind> },
    #[error("check {check} has used all {attempts} attempts")]
    RetryLimitReached { check: CheckKind, attempts: u32 },
    #[error("check {check} cannot expire before its deadline {deadline}")]
    ActionDeadlineNotReached {
        check: CheckKind,
        deadline: OffsetDateTime,
    },
    #[error("the period to respond must be positive")]
    NonPositiveResponsePeriod,
    #[error("date of birth lies in the future")]
    DateOfBirthInFuture,
    #[error("a case cannot be replaced by itself")]
    ReplacementIsSelf,
    #[error("the restart context names this case as its own previous case")]
    RestartOfSelf,
}

fn list(checks: &[CheckKind]) -> String {
    checks
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
