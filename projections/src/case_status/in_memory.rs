//! How each case event changes a case's rows in memory (the bulk
//! rebuild's fold), statement for statement as the live projection's
//! `change.rs` does in SQL.

use veritrail_domain::case::{CaseEvent, CheckResult, CheckState};
use veritrail_domain::Actor;

use super::fold::CaseRows;
use super::rows::CheckRow;
use crate::{day, millis};

/// What a change did beyond the case's own rows.
#[derive(Debug, Default)]
pub(super) struct Effect {
    /// Entities linked to the case.
    pub linked: Vec<String>,
    /// The case was completed: its amounts go to the money totals.
    pub completed: bool,
}

impl CaseRows {
    fn check(&mut self, kind: &str) -> Option<&mut CheckRow> {
        self.checks.iter_mut().find(|c| c.check_kind == kind)
    }

    /// Applies a change after the version bump.
    pub(super) fn change(&mut self, at: i64, event: CaseEvent) -> Effect {
        let mut summarise = true;
        let mut effect = Effect::default();
        match event {
            CaseEvent::DataSubmitted {
                submitted_at,
                submission,
            } => {
                let case = &mut self.case;
                case.status = "PENDING_ADMIN";
                case.submitted_at_ms = Some(millis(submitted_at));
                let fields = super::rows::Submitted::of(&submission);
                case.nationality = fields.nationality;
                case.region = fields.region;
                (case.requested_amount, case.requested_currency) = fields.requested;
                (case.declared_income, case.income_currency) = fields.income;
                for check in &mut self.checks {
                    if check.state == CheckState::Requested.as_str() {
                        check.state = CheckState::Submitted.as_str();
                    }
                }
            }
            CaseEvent::CheckStarted { check, .. } => {
                summarise = false;
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::Processing.as_str();
                }
            }
            CaseEvent::CheckResultRecorded { check, result, .. } => {
                let (state, outcome, reason, score) = match result {
                    CheckResult::Verified { score } => {
                        (CheckState::Verified, "verified", None, score)
                    }
                    CheckResult::Failed { reason, score } => (
                        CheckState::Failed,
                        "failed",
                        Some(reason.to_string()),
                        score,
                    ),
                };
                if let Some(row) = self.check(check.as_str()) {
                    row.state = state.as_str();
                    row.outcome = Some(outcome);
                    row.reason = reason;
                    row.score = score.map(|s| i64::from(s.value()));
                }
            }
            CaseEvent::CheckActionRequested {
                check,
                hint,
                deadline,
            } => {
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::RequiresAction.as_str();
                    row.hint = Some(hint.to_string());
                    row.action_deadline_ms = Some(millis(deadline));
                }
            }
            CaseEvent::CheckResubmitted { check, .. } => {
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::Resubmitted.as_str();
                    row.action_deadline_ms = None;
                }
            }
            CaseEvent::CheckExpired { check } => {
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::Expired.as_str();
                }
            }
            CaseEvent::CheckRetried { check, attempt } => {
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::Submitted.as_str();
                    row.attempt = i64::from(attempt);
                    row.outcome = None;
                    row.reason = None;
                    row.score = None;
                    row.hint = None;
                    row.action_deadline_ms = None;
                }
            }
            CaseEvent::CheckBypassed { check, by, comment } => {
                if let Some(row) = self.check(check.as_str()) {
                    row.state = CheckState::Bypassed.as_str();
                    row.bypassed_by_kind = Some(by.kind.as_str().to_owned());
                    row.bypassed_by_id = Some(by.id.as_str().to_owned());
                    row.bypass_comment = Some(comment.to_string());
                }
            }
            CaseEvent::EntitiesLinked { entities, .. } => {
                let linked: Vec<String> = entities.iter().map(|e| e.as_str().to_owned()).collect();
                for entity in &linked {
                    if !self.case.entities.contains(entity) {
                        self.case.entities.push(entity.clone());
                    }
                }
                effect.linked = linked;
                summarise = false;
            }
            CaseEvent::ReviewerAssigned { reviewer, .. } => {
                self.case.reviewer = Some(reviewer.as_str().to_owned());
                summarise = false;
            }
            CaseEvent::CaseCompleted { by, outcome } => {
                let outcome = serde_json::to_value(outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned));
                self.decide(at, "COMPLETED", &by, outcome, None, None);
                effect.completed = true;
                summarise = false;
            }
            CaseEvent::CaseFailed { by, reason } => {
                self.decide(at, "FAILED", &by, None, Some(reason.to_string()), None);
                summarise = false;
            }
            CaseEvent::CaseCancelled {
                by,
                reason,
                replaced_by,
            } => {
                let replaced = replaced_by.map(|c| c.to_string());
                self.decide(
                    at,
                    "CANCELLED",
                    &by,
                    None,
                    Some(reason.to_string()),
                    replaced,
                );
                summarise = false;
            }
            CaseEvent::CaseOpened { .. }
            | CaseEvent::EvidenceUploaded { .. }
            | CaseEvent::CheckProviderUpdated { .. }
            | CaseEvent::CheckEscalated { .. }
            | CaseEvent::IndividualReminded { .. }
            | CaseEvent::CaseScored { .. } => summarise = false,
        }
        if summarise {
            self.case.check_outcome = summary(&self.checks);
        }
        effect
    }

    fn decide(
        &mut self,
        at: i64,
        status: &'static str,
        by: &Actor,
        outcome: Option<String>,
        reason: Option<String>,
        replaced_by: Option<String>,
    ) {
        let case = &mut self.case;
        case.status = status;
        case.decided_by_kind = Some(by.kind.as_str().to_owned());
        case.decided_by_id = Some(by.id.as_str().to_owned());
        case.outcome = outcome;
        case.reason = reason;
        case.replaced_by = replaced_by;
        case.decided_at_ms = Some(at);
        case.decided_day = Some(
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
                .map(day)
                .unwrap_or_default(),
        );
    }
}

/// The queue's check summary, as `summarise_checks` computes it in SQL.
fn summary(checks: &[CheckRow]) -> &'static str {
    let any = |states: &[&str]| checks.iter().any(|c| states.contains(&c.state));
    if checks.is_empty() {
        "pending"
    } else if any(&["failed"]) {
        "failed"
    } else if any(&["requires_action", "expired"]) {
        "requires_action"
    } else if checks
        .iter()
        .all(|c| ["verified", "bypassed"].contains(&c.state))
    {
        "all_cleared"
    } else {
        "pending"
    }
}
