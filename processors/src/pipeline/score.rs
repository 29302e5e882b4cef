//! The case's score once its automatic checks have all ended (CHK-7).

use veritrail_domain::case::Score;
use veritrail_domain::case::{CheckResult, CheckState, OpenedCase};
use veritrail_domain::scoring::{self, CheckScore, ScoreCard, Verdict};
use veritrail_domain::workflow::WorkflowPolicy;

use super::finish::failed_by_service;

/// The card, or `None` while a check is pending or waits for the
/// individual. A check an officer bypassed is left out of the weights; a
/// check the service failed to run holds a rejection for an officer.
pub(crate) fn card(case: &OpenedCase, policy: &WorkflowPolicy) -> Option<ScoreCard> {
    let requested: Vec<_> = case.checks.keys().copied().collect();
    let steps = policy.steps(&requested);
    let waiting = steps.iter().any(|c| {
        matches!(
            case.checks[c].state,
            CheckState::Submitted
                | CheckState::Resubmitted
                | CheckState::Processing
                | CheckState::RequiresAction
        )
    });
    if waiting {
        return None;
    }
    let required: Vec<_> = steps
        .iter()
        .copied()
        .filter(|c| case.checks[c].state != CheckState::Bypassed)
        .collect();
    let mut service_failed = false;
    let results: Vec<CheckScore> = required
        .iter()
        .filter_map(|check| {
            let record = &case.checks[check];
            service_failed |= failed_by_service(record);
            let (score, explanation) = match record.result.as_ref()? {
                CheckResult::Verified { score } => {
                    let judged: Vec<&str> = record
                        .details
                        .iter()
                        .filter(|d| d.passed == Some(true))
                        .map(|d| d.detail.as_str())
                        .collect();
                    let text = if judged.is_empty() {
                        "verified".to_owned()
                    } else {
                        format!("verified: {}", judged.join("; "))
                    };
                    (*score, text)
                }
                CheckResult::Failed { reason, score } => (*score, reason.to_string()),
            };
            Some(CheckScore {
                check: *check,
                score: score.unwrap_or(Score::clamped(0)),
                explanation,
            })
        })
        .collect();
    let mut card = scoring::score(&policy.scoring, &required, &results);
    // A mandatory check that failed on the evidence rejects, whatever the score.
    let mandatory_failed = policy.mandatory_checks.iter().any(|c| {
        case.checks
            .get(c)
            .is_some_and(|r| r.state == CheckState::Failed && !failed_by_service(r))
    });
    if mandatory_failed {
        card.verdict = Verdict::Rejected;
    }
    // Acceptance completes the case: every check must be cleared (a failed
    // check, or one only an officer can judge, leaves it to the officer).
    let cleared = case.checks.values().all(|r| r.state.is_cleared());
    if (card.verdict == Verdict::Rejected && service_failed)
        || (card.verdict == Verdict::Accepted && !cleared)
    {
        card.verdict = Verdict::Review;
    }
    Some(card)
}
