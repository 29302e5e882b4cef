//! How each event changes the case: the aggregate's `apply`, kept apart
//! from the decisions (`aggregate.rs`), which only read the result.

use crate::case::aggregate::{OpenedCase, RecordedScore, VerificationCase};
use crate::case::check::{Bypass, CheckKind, CheckRecord, CheckState};
use crate::case::event::CaseEvent;
use crate::case::provider::ProviderRun;
use crate::case::status::CaseStatus;

pub(super) fn apply(aggregate: &mut VerificationCase, event: CaseEvent) {
    if let CaseEvent::CaseOpened {
        case_id,
        tenant,
        subject,
        checks,
        entities,
        restart,
        opened_at,
    } = event
    {
        aggregate.case = Some(OpenedCase {
            id: case_id,
            tenant,
            subject,
            status: CaseStatus::PendingOrg,
            checks: checks
                .into_iter()
                .map(|kind| (kind, CheckRecord::requested()))
                .collect(),
            entities,
            restart,
            opened_at,
            submission: None,
            media: Vec::new(),
            submitted_at: None,
            decided_by: None,
            reviewer: None,
            outcome: None,
            reason: None,
            replaced_by: None,
            score: None,
            reminders: 0,
            last_reminded_at: None,
        });
        return;
    }
    // Events only ever follow `CaseOpened` in a stream.
    let Some(case) = aggregate.case.as_mut() else {
        return;
    };
    match event {
        CaseEvent::CaseOpened { .. } => {}
        CaseEvent::EvidenceUploaded { media } => case.media.push(media),
        CaseEvent::DataSubmitted {
            submission,
            submitted_at,
        } => {
            case.status = CaseStatus::PendingAdmin;
            case.submission = Some(submission);
            case.submitted_at = Some(submitted_at);
            for record in case.checks.values_mut() {
                if record.state == CheckState::Requested {
                    record.state = CheckState::Submitted;
                }
            }
        }
        CaseEvent::CheckStarted { check, run, .. } => with_check(case, check, |r| {
            r.runs = r.next_run_number();
            r.state = CheckState::Processing;
            r.run = run;
        }),
        CaseEvent::CheckResultRecorded {
            check,
            result,
            details,
            policy_version,
            ..
        } => with_check(case, check, |r| {
            r.state = match result {
                crate::case::CheckResult::Verified { .. } => CheckState::Verified,
                crate::case::CheckResult::Failed { .. } => CheckState::Failed,
            };
            r.result = Some(result);
            r.details = details;
            r.policy_version = policy_version;
        }),
        CaseEvent::CheckProviderUpdated {
            check,
            run_number,
            since,
            report,
        } => with_check(case, check, |r| {
            r.provider = Some(ProviderRun {
                run_number,
                since,
                report,
            })
        }),
        CaseEvent::CaseScored {
            card,
            policy_version,
        } => {
            case.score = Some(RecordedScore {
                card,
                policy_version,
            })
        }
        CaseEvent::CheckActionRequested {
            check,
            hint,
            deadline,
        } => with_check(case, check, |r| {
            r.state = CheckState::RequiresAction;
            r.hint = Some(hint);
            r.action_deadline = Some(deadline);
        }),
        CaseEvent::CheckResubmitted { check, evidence } => with_check(case, check, |r| {
            r.state = CheckState::Resubmitted;
            r.action_deadline = None;
            r.evidence = evidence;
        }),
        CaseEvent::CheckExpired { check } => {
            with_check(case, check, |r| r.state = CheckState::Expired)
        }
        CaseEvent::CheckEscalated { check, attempt } => {
            with_check(case, check, |r| r.escalated = Some(attempt))
        }
        CaseEvent::CheckRetried { check, attempt } => with_check(case, check, |r| {
            r.state = CheckState::Submitted;
            r.attempt = attempt;
            r.result = None;
            r.hint = None;
            r.action_deadline = None;
        }),
        CaseEvent::IndividualReminded {
            number,
            reminded_at,
        } => {
            case.reminders = number;
            case.last_reminded_at = Some(reminded_at);
        }
        CaseEvent::CheckBypassed { check, by, comment } => with_check(case, check, |r| {
            r.state = CheckState::Bypassed;
            r.bypass = Some(Bypass { by, comment });
        }),
        CaseEvent::ReviewerAssigned { reviewer, .. } => case.reviewer = Some(reviewer),
        CaseEvent::EntitiesLinked { entities, .. } => case.entities.extend(entities),
        CaseEvent::CaseCompleted { by, outcome } => {
            case.status = CaseStatus::Completed;
            case.decided_by = Some(by);
            case.outcome = Some(outcome);
        }
        CaseEvent::CaseFailed { by, reason } => {
            case.status = CaseStatus::Failed;
            case.decided_by = Some(by);
            case.reason = Some(reason);
        }
        CaseEvent::CaseCancelled {
            by,
            reason,
            replaced_by,
        } => {
            case.status = CaseStatus::Cancelled;
            case.decided_by = Some(by);
            case.reason = Some(reason);
            case.replaced_by = replaced_by;
        }
    }
}

fn with_check(case: &mut OpenedCase, check: CheckKind, f: impl FnOnce(&mut CheckRecord)) {
    if let Some(record) = case.checks.get_mut(&check) {
        f(record);
    }
}
