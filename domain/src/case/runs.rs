//! Processor runs and the score (issue 16): how a run takes a check, how
//! it ends, and how a score decides a case. Separate from the officer's
//! `StartCheck`/`RecordCheckResult` so that a run can prove it still owns
//! the check: a run whose lease expired and was taken over is refused
//! (`StaleRun`) and its late result is never recorded.

use time::OffsetDateTime;

use crate::actor::Actor;
use crate::case::aggregate::OpenedCase;
use crate::case::check::{CheckKind, CheckRecord, CheckState};
use crate::case::command::{CommandName, Outcome, RunFinish};
use crate::case::error::CaseError;
use crate::case::event::CaseEvent;
use crate::scoring::{ScoreCard, Verdict};
use crate::text::Reason;

fn illegal(command: CommandName, check: CheckKind, record: &CheckRecord) -> CaseError {
    CaseError::IllegalCheckTransition {
        command,
        check,
        state: record.state,
    }
}

/// `run` takes `check`: from submitted or resubmitted, or from a
/// processing run other than an officer's (a takeover after a lost lease).
pub(super) fn start(
    check: CheckKind,
    record: &CheckRecord,
    run: String,
) -> Result<CaseEvent, CaseError> {
    let takeover = record.state == CheckState::Processing
        && record.run.as_ref().is_some_and(|current| *current != run);
    if !(record.state.can_start() || takeover) {
        return Err(illegal(CommandName::StartRun, check, record));
    }
    Ok(CaseEvent::CheckStarted {
        check,
        attempt: record.attempt,
        run: Some(run),
    })
}

/// `run` ends its work on `check`, if it still owns it.
pub(super) fn finish(
    check: CheckKind,
    record: &CheckRecord,
    run: String,
    finish: RunFinish,
    now: OffsetDateTime,
) -> Result<CaseEvent, CaseError> {
    if record.state != CheckState::Processing || record.run.as_ref() != Some(&run) {
        return Err(CaseError::StaleRun { check, run });
    }
    Ok(match finish {
        RunFinish::Result {
            result,
            details,
            policy_version,
        } => CaseEvent::CheckResultRecorded {
            check,
            result,
            run: Some(run),
            details,
            policy_version: Some(policy_version),
        },
        RunFinish::ActionNeeded {
            hint,
            respond_within,
        } => {
            if !respond_within.is_positive() {
                return Err(CaseError::NonPositiveResponsePeriod);
            }
            CaseEvent::CheckActionRequested {
                check,
                hint,
                deadline: now + respond_within,
            }
        }
    })
}

/// The score, and the decision it makes: accepted completes a case whose
/// checks are all cleared, rejected fails it; otherwise an officer decides.
pub(super) fn score(
    case: &OpenedCase,
    actor: Actor,
    card: ScoreCard,
    policy_version: u32,
) -> Vec<CaseEvent> {
    let cleared = case.checks.values().all(|r| r.state.is_cleared());
    let decision = match card.verdict {
        Verdict::Accepted if cleared => Some(CaseEvent::CaseCompleted {
            by: actor,
            outcome: Outcome::Pass,
        }),
        Verdict::Rejected => Some(CaseEvent::CaseFailed {
            by: actor,
            reason: rejection(&card),
        }),
        _ => None,
    };
    let mut events = vec![CaseEvent::CaseScored {
        card,
        policy_version,
    }];
    events.extend(decision);
    events
}

/// "score 23/100, rejected: face_match: similarity 0.12 < 0.50 threshold; …"
/// naming the factors that lost the most points.
fn rejection(card: &ScoreCard) -> Reason {
    let mut factors: Vec<_> = card.factors.iter().filter(|f| f.weight > 0).collect();
    factors.sort_by(|a, b| {
        let lost = |f: &crate::scoring::Factor| {
            f64::from(f.weight) * (100.0 - f64::from(f.score.unwrap_or(0)))
        };
        lost(b).total_cmp(&lost(a))
    });
    let why: Vec<String> = factors
        .iter()
        .take(2)
        .map(|f| format!("{}: {}", f.check, f.explanation))
        .collect();
    let text: String = format!("score {}/100, rejected: {}", card.total, why.join("; "))
        .chars()
        .take(1000)
        .collect();
    Reason::parse(&text).unwrap_or_else(|_| {
        Reason::parse("score below the review threshold")
            .unwrap_or_else(|_| unreachable!("a valid reason"))
    })
}
