//! Decide (`handle`) and evolve (`apply`) for a verification case.

use std::collections::BTreeMap;
use std::sync::Arc;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::case::check::{CheckKind, CheckRecord};
use crate::case::command::{
    CaseAction, CaseCommand, CommandName, Decision, Outcome, RestartContext, Subject,
};
use crate::case::error::CaseError;
use crate::case::event::CaseEvent;
use crate::case::media::{StoredMedia, MAX_UPLOADS_PER_CASE};
use crate::case::provider;
use crate::case::runs;
use crate::case::status::CaseStatus;
use crate::case::submission::{Evidence, Submission};
use crate::clock::Clock;
use crate::ids::{ActorId, CaseId, EntityId, TenantId};
use crate::text::Reason;

/// How many runs a check gets: the first and up to two retries.
pub const MAX_CHECK_ATTEMPTS: u32 = 3;

/// What the case aggregate needs from the outside world.
#[derive(Debug, Clone)]
pub struct CaseServices {
    pub clock: Arc<dyn Clock>,
}

impl CaseServices {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock }
    }
}

/// The aggregate. `None` until the case is opened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerificationCase {
    pub(super) case: Option<OpenedCase>,
}

/// The state of an opened case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenedCase {
    pub id: CaseId,
    pub tenant: TenantId,
    pub subject: Subject,
    pub status: CaseStatus,
    pub checks: BTreeMap<CheckKind, CheckRecord>,
    pub entities: Vec<EntityId>,
    pub restart: Option<RestartContext>,
    pub opened_at: OffsetDateTime,
    pub submission: Option<Submission>,
    /// Images uploaded to the case, oldest first.
    pub media: Vec<StoredMedia>,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_by: Option<Actor>,
    /// The verification officer the case is assigned to.
    pub reviewer: Option<ActorId>,
    pub outcome: Option<Outcome>,
    pub reason: Option<Reason>,
    pub replaced_by: Option<CaseId>,
    /// The last score recorded, with the policy version it used.
    #[serde(default)]
    pub score: Option<RecordedScore>,
    /// Reminders sent so far, and when the last one went.
    #[serde(default)]
    pub reminders: u32,
    #[serde(default)]
    pub last_reminded_at: Option<OffsetDateTime>,
}

/// A score as the case keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedScore {
    pub card: crate::scoring::ScoreCard,
    pub policy_version: u32,
}

impl VerificationCase {
    pub fn opened(&self) -> Option<&OpenedCase> {
        self.case.as_ref()
    }

    pub fn status(&self) -> Option<CaseStatus> {
        self.case.as_ref().map(|c| c.status)
    }

    /// Whether `command` may run on this case now, by its tenant and
    /// status: lets a use case refuse before costly work (`decide` checks
    /// again when the command runs).
    pub fn accepts(&self, tenant: &TenantId, command: CommandName) -> Result<(), CaseError> {
        require_status(self.visible_to(tenant)?.status, command)
    }

    /// The case as seen by `tenant`: another tenant's case does not exist for it.
    fn visible_to(&self, tenant: &TenantId) -> Result<&OpenedCase, CaseError> {
        match &self.case {
            Some(case) if &case.tenant == tenant => Ok(case),
            _ => Err(CaseError::NotFound),
        }
    }

    /// Decides which events a command produces, or why it is refused.
    pub fn decide(
        &self,
        command: CaseCommand,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseEvent>, CaseError> {
        let CaseCommand {
            tenant,
            actor,
            action,
        } = command;
        let name = action.name();
        if let CaseAction::Open(open) = action {
            if self.case.is_some() {
                return Err(CaseError::AlreadyOpened);
            }
            if open.restart.as_ref().map(|r| r.previous_case) == Some(open.case_id) {
                return Err(CaseError::RestartOfSelf);
            }
            let mut entities = Vec::new();
            for entity in open.entities {
                if !entities.contains(&entity) {
                    entities.push(entity);
                }
            }
            return Ok(vec![CaseEvent::CaseOpened {
                case_id: open.case_id,
                tenant,
                subject: open.subject,
                checks: open.checks.as_slice().to_vec(),
                entities,
                restart: open.restart,
                opened_at: now,
            }]);
        }

        let case = self.visible_to(&tenant)?;
        require_status(case.status, name)?;
        let check = match action.check() {
            Some(kind) => Some((kind, check_of(case, kind)?)),
            None => None,
        };
        let illegal_check =
            |kind: CheckKind, record: &CheckRecord| CaseError::IllegalCheckTransition {
                command: name,
                check: kind,
                state: record.state,
            };

        let event = match (action, check) {
            (CaseAction::AttachEvidence(media), _) => {
                if case.media.len() >= MAX_UPLOADS_PER_CASE {
                    return Err(CaseError::TooManyUploads {
                        limit: MAX_UPLOADS_PER_CASE,
                    });
                }
                if case.media.iter().any(|m| m.media_id == media.media_id) {
                    return Err(CaseError::MediaExists {
                        media_id: media.media_id,
                    });
                }
                CaseEvent::EvidenceUploaded { media }
            }
            (CaseAction::SubmitData(submission), _) => {
                if submission.date_of_birth > now.date() {
                    return Err(CaseError::DateOfBirthInFuture);
                }
                uploaded(case, &submission.evidence)?;
                let (given, expected) =
                    (submission.liveness_frames(), submission.frames_expected());
                if given != expected {
                    return Err(CaseError::LivenessFrames { expected, given });
                }
                CaseEvent::DataSubmitted {
                    submission,
                    submitted_at: now,
                }
            }
            (CaseAction::StartCheck { check }, Some((_, record))) => {
                if !record.state.can_start() {
                    return Err(illegal_check(check, record));
                }
                CaseEvent::CheckStarted {
                    check,
                    attempt: record.attempt,
                    run: None,
                }
            }
            (CaseAction::RecordCheckResult { check, result }, Some((_, record))) => {
                if !record.state.can_record_result() {
                    return Err(illegal_check(check, record));
                }
                CaseEvent::CheckResultRecorded {
                    check,
                    result,
                    run: None,
                    details: Vec::new(),
                    policy_version: None,
                }
            }
            (CaseAction::StartRun { check, run }, Some((_, record))) => {
                runs::start(check, record, run)?
            }
            (CaseAction::FinishRun { check, run, finish }, Some((_, record))) => {
                runs::finish(check, record, run, finish, now)?
            }
            (
                CaseAction::RecordProviderReport {
                    check,
                    source,
                    report,
                },
                Some((_, record)),
            ) => match provider::update(check, record, source, report, now)? {
                Some(event) => event,
                None => return Ok(vec![]),
            },
            (
                CaseAction::RecordScore {
                    card,
                    policy_version,
                },
                _,
            ) => return Ok(runs::score(case, actor, card, policy_version)),
            (
                CaseAction::RequestAction {
                    check,
                    hint,
                    respond_within,
                },
                Some((_, record)),
            ) => {
                if !record.state.can_request_action() {
                    return Err(illegal_check(check, record));
                }
                if !respond_within.is_positive() {
                    return Err(CaseError::NonPositiveResponsePeriod);
                }
                CaseEvent::CheckActionRequested {
                    check,
                    hint,
                    deadline: now + respond_within,
                }
            }
            (CaseAction::Resubmit { check, evidence }, Some((_, record))) => {
                if !record.state.can_resubmit() {
                    return Err(illegal_check(check, record));
                }
                uploaded(case, &evidence)?;
                CaseEvent::CheckResubmitted { check, evidence }
            }
            (CaseAction::ExpireCheck { check }, Some((_, record))) => {
                if !record.state.can_expire() {
                    return Err(illegal_check(check, record));
                }
                match record.action_deadline {
                    Some(deadline) if now < deadline => {
                        return Err(CaseError::ActionDeadlineNotReached { check, deadline })
                    }
                    _ => CaseEvent::CheckExpired { check },
                }
            }
            (CaseAction::EscalateCheck { check, attempt }, Some((_, record))) => {
                let current =
                    record.state == super::CheckState::Processing && record.attempt == attempt;
                if !current || record.escalated == Some(attempt) {
                    return Err(illegal_check(check, record));
                }
                CaseEvent::CheckEscalated { check, attempt }
            }
            (CaseAction::RetryCheck { check }, Some((_, record))) => {
                if !record.state.can_retry() {
                    return Err(illegal_check(check, record));
                }
                if record.attempt >= MAX_CHECK_ATTEMPTS {
                    return Err(CaseError::RetryLimitReached {
                        check,
                        attempts: record.attempt,
                    });
                }
                CaseEvent::CheckRetried {
                    check,
                    attempt: record.attempt + 1,
                }
            }
            (CaseAction::BypassCheck { check, comment }, Some((_, record))) => {
                if !record.state.can_bypass() {
                    return Err(illegal_check(check, record));
                }
                CaseEvent::CheckBypassed {
                    check,
                    by: actor,
                    comment,
                }
            }
            (CaseAction::RemindIndividual { policy }, _) => {
                super::reminders::remind(case, &policy, now)?
            }
            (CaseAction::Decide(Decision::Complete { outcome }), _) => {
                let outstanding: Vec<CheckKind> = case
                    .checks
                    .iter()
                    .filter(|(_, record)| !record.state.is_cleared())
                    .map(|(kind, _)| *kind)
                    .collect();
                if !outstanding.is_empty() {
                    return Err(CaseError::ChecksOutstanding {
                        checks: outstanding,
                    });
                }
                CaseEvent::CaseCompleted { by: actor, outcome }
            }
            (CaseAction::Decide(Decision::Fail { reason }), _) => {
                CaseEvent::CaseFailed { by: actor, reason }
            }
            (CaseAction::LinkEntities { entities }, _) => {
                let mut new: Vec<EntityId> = Vec::new();
                for entity in entities {
                    if !case.entities.contains(&entity) && !new.contains(&entity) {
                        new.push(entity);
                    }
                }
                if new.is_empty() {
                    // Already linked: nothing happens (idempotent).
                    return Ok(vec![]);
                }
                CaseEvent::EntitiesLinked {
                    entities: new,
                    by: actor,
                }
            }
            (CaseAction::AssignReviewer { reviewer }, _) => {
                if case.reviewer.as_ref() == Some(&reviewer) {
                    // Already theirs: nothing happens (idempotent).
                    return Ok(vec![]);
                }
                CaseEvent::ReviewerAssigned {
                    reviewer,
                    by: actor,
                }
            }
            (CaseAction::Cancel { reason }, _) => CaseEvent::CaseCancelled {
                by: actor,
                reason,
                replaced_by: None,
            },
            (
                CaseAction::CancelForRecreation {
                    reason,
                    replacement,
                },
                _,
            ) => {
                if replacement == case.id {
                    return Err(CaseError::ReplacementIsSelf);
                }
                CaseEvent::CaseCancelled {
                    by: actor,
                    reason,
                    replaced_by: Some(replacement),
                }
            }
            // `check_of` found a record for every check-level action above.
            (CaseAction::Open(_), _) | (_, None) => {
                return Err(CaseError::IllegalTransition {
                    command: name,
                    status: case.status,
                })
            }
        };
        Ok(vec![event])
    }
}

/// Which case statuses accept which commands: the case-level state machine.
pub(crate) fn allowed_in(command: CommandName, status: CaseStatus) -> bool {
    use CaseStatus::*;
    use CommandName::*;
    match command {
        Open => false,
        SubmitData => status == PendingOrg,
        // Before submission, and for retakes while checks run.
        AttachEvidence => matches!(status, PendingOrg | PendingAdmin),
        StartCheck | RecordCheckResult | RequestAction | Resubmit | ExpireCheck | EscalateCheck
        | RetryCheck | Complete | StartRun | FinishRun | RecordProviderReport | RecordScore => {
            status == PendingAdmin
        }
        BypassCheck | Fail | Cancel | AssignReviewer | LinkEntities | RemindIndividual => {
            matches!(status, PendingOrg | PendingAdmin)
        }
        CancelForRecreation => matches!(status, PendingOrg | PendingAdmin | Failed),
    }
}

fn require_status(status: CaseStatus, command: CommandName) -> Result<(), CaseError> {
    if allowed_in(command, status) {
        Ok(())
    } else {
        Err(CaseError::IllegalTransition { command, status })
    }
}

/// Evidence names uploads of this case only (AUD-5: the log proves what
/// was judged).
fn uploaded(case: &OpenedCase, evidence: &[Evidence]) -> Result<(), CaseError> {
    match evidence
        .iter()
        .find(|e| !case.media.iter().any(|m| m.media_id == e.media_id))
    {
        Some(missing) => Err(CaseError::UnknownMedia {
            media_id: missing.media_id,
        }),
        None => Ok(()),
    }
}

fn check_of(case: &OpenedCase, check: CheckKind) -> Result<&CheckRecord, CaseError> {
    case.checks
        .get(&check)
        .ok_or(CaseError::CheckNotRequested { check })
}

impl Aggregate for VerificationCase {
    const TYPE: &'static str = "VerificationCase";
    type Command = CaseCommand;
    type Event = CaseEvent;
    type Error = CaseError;
    type Services = CaseServices;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let decided = self.decide(command, services.clock.now());
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, event: Self::Event) {
        crate::case::apply::apply(self, event);
    }
}
