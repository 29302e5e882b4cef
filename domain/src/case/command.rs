//! Commands: what actors ask a case to do.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Duration;

use crate::actor::Actor;
use crate::case::check::{CheckDetail, CheckKind, CheckResult, RequestedChecks};
use crate::case::media::StoredMedia;
use crate::case::provider::{ProviderReport, ReportSource};
use crate::case::reminders::ReminderPolicy;
use crate::case::submission::{EmailAddress, Evidence, Submission};
use crate::ids::{ActorId, CaseId, EntityId, SubjectId, TenantId};
use crate::scoring::ScoreCard;
use crate::text::{Comment, Hint, PersonName, Reason};

/// A command with the identity it was issued under. Tenant and actor come from
/// the request context (authentication), never from a request body.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCommand {
    pub tenant: TenantId,
    pub actor: Actor,
    pub action: CaseAction,
}

impl CaseCommand {
    pub fn new(tenant: TenantId, actor: Actor, action: CaseAction) -> Self {
        Self {
            tenant,
            actor,
            action,
        }
    }
}

/// The individual a case is about, as the organisation identifies them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: SubjectId,
    pub display_name: Option<PersonName>,
    /// Where the individual's invitation, reminders and requests go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
}

/// Why a case was recreated (seed 002 `IDVerificationRestartTrigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RestartTrigger {
    /// The previous case failed and the individual gets another chance.
    PreviousFailed,
    /// The individual never finished the previous case.
    PreviousAbandoned,
    /// A verification officer asked for a fresh case.
    OfficerRequest,
    /// The organisation asked for a fresh case.
    OrganisationRequest,
    /// The individual asked for a fresh case (e.g. new document).
    IndividualRequest,
}

/// Links a recreated case to the one it replaces (seed 002).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartContext {
    pub previous_case: CaseId,
    pub trigger: RestartTrigger,
    pub comment: Option<Comment>,
    pub previous_attempt_abandoned: bool,
}

/// Everything needed to open a case (CASE-1, CASE-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    pub case_id: CaseId,
    pub subject: Subject,
    pub checks: RequestedChecks,
    pub entities: Vec<EntityId>,
    pub restart: Option<RestartContext>,
}

/// The only outcome a completed case has (seed 000: COMPLETED/PASS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    Pass,
}

/// A verification officer's decision (CASE-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Complete { outcome: Outcome },
    Fail { reason: Reason },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CaseAction {
    Open(OpenCase),
    /// Record an image uploaded (and stored) for the case.
    AttachEvidence(StoredMedia),
    SubmitData(Submission),
    StartCheck {
        check: CheckKind,
    },
    RecordCheckResult {
        check: CheckKind,
        result: CheckResult,
    },
    /// Ask the individual to act (e.g. retake a blurry photo) within a period.
    RequestAction {
        check: CheckKind,
        hint: Hint,
        respond_within: Duration,
    },
    Resubmit {
        check: CheckKind,
        evidence: Vec<Evidence>,
    },
    /// Expire a check whose requested action was not taken in time.
    ExpireCheck {
        check: CheckKind,
    },
    /// Flag a check still processing (run `attempt`) past its time limit,
    /// once, for an officer to look at.
    EscalateCheck {
        check: CheckKind,
        attempt: u32,
    },
    RetryCheck {
        check: CheckKind,
    },
    /// Remind the individual that the case waits for them, within `policy`.
    RemindIndividual {
        policy: ReminderPolicy,
    },
    Decide(Decision),
    /// A processor run takes a submitted check (or one whose run lost its
    /// lease) to `processing`.
    StartRun {
        check: CheckKind,
        run: String,
    },
    /// A processor run ends: a result, or a request to the individual.
    FinishRun {
        check: CheckKind,
        run: String,
        finish: RunFinish,
    },
    /// Records what an external provider said about the check's current
    /// run (the run's own report, or the provider's callback).
    RecordProviderReport {
        check: CheckKind,
        source: ReportSource,
        report: ProviderReport,
    },
    /// Records the case's score; an accepted case whose checks are all
    /// cleared is completed and a rejected one failed, by the actor (the
    /// system) with the score as the reason.
    RecordScore {
        card: ScoreCard,
        policy_version: u32,
    },
    /// Give the case to a verification officer for review (the queue's assignee).
    AssignReviewer {
        reviewer: ActorId,
    },
    /// The active case now also affects these business entities (seed 002:
    /// the same person onboarding a second company).
    LinkEntities {
        entities: Vec<EntityId>,
    },
    BypassCheck {
        check: CheckKind,
        comment: Comment,
    },
    Cancel {
        reason: Reason,
    },
    /// Cancel this case because `replacement` supersedes it (seed 002).
    CancelForRecreation {
        reason: Reason,
        replacement: CaseId,
    },
}

/// How a processor run ends.
#[derive(Debug, Clone, PartialEq)]
pub enum RunFinish {
    Result {
        result: CheckResult,
        details: Vec<CheckDetail>,
        policy_version: u32,
    },
    /// The evidence cannot be judged: the individual must act.
    ActionNeeded {
        hint: Hint,
        respond_within: Duration,
    },
}

/// A command's name, for errors and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandName {
    Open,
    AttachEvidence,
    SubmitData,
    StartCheck,
    RecordCheckResult,
    RequestAction,
    Resubmit,
    ExpireCheck,
    EscalateCheck,
    RetryCheck,
    RemindIndividual,
    Complete,
    Fail,
    StartRun,
    FinishRun,
    RecordProviderReport,
    RecordScore,
    AssignReviewer,
    LinkEntities,
    BypassCheck,
    Cancel,
    CancelForRecreation,
}

impl CaseAction {
    pub fn name(&self) -> CommandName {
        match self {
            CaseAction::Open(_) => CommandName::Open,
            CaseAction::AttachEvidence(_) => CommandName::AttachEvidence,
            CaseAction::SubmitData(_) => CommandName::SubmitData,
            CaseAction::StartCheck { .. } => CommandName::StartCheck,
            CaseAction::RecordCheckResult { .. } => CommandName::RecordCheckResult,
            CaseAction::RequestAction { .. } => CommandName::RequestAction,
            CaseAction::Resubmit { .. } => CommandName::Resubmit,
            CaseAction::ExpireCheck { .. } => CommandName::ExpireCheck,
            CaseAction::EscalateCheck { .. } => CommandName::EscalateCheck,
            CaseAction::RetryCheck { .. } => CommandName::RetryCheck,
            CaseAction::RemindIndividual { .. } => CommandName::RemindIndividual,
            CaseAction::Decide(Decision::Complete { .. }) => CommandName::Complete,
            CaseAction::Decide(Decision::Fail { .. }) => CommandName::Fail,
            CaseAction::StartRun { .. } => CommandName::StartRun,
            CaseAction::FinishRun { .. } => CommandName::FinishRun,
            CaseAction::RecordProviderReport { .. } => CommandName::RecordProviderReport,
            CaseAction::RecordScore { .. } => CommandName::RecordScore,
            CaseAction::AssignReviewer { .. } => CommandName::AssignReviewer,
            CaseAction::LinkEntities { .. } => CommandName::LinkEntities,
            CaseAction::BypassCheck { .. } => CommandName::BypassCheck,
            CaseAction::Cancel { .. } => CommandName::Cancel,
            CaseAction::CancelForRecreation { .. } => CommandName::CancelForRecreation,
        }
    }

    /// The check a check-level command targets.
    pub fn check(&self) -> Option<CheckKind> {
        match self {
            CaseAction::StartCheck { check }
            | CaseAction::RecordCheckResult { check, .. }
            | CaseAction::RequestAction { check, .. }
            | CaseAction::Resubmit { check, .. }
            | CaseAction::ExpireCheck { check }
            | CaseAction::EscalateCheck { check, .. }
            | CaseAction::RetryCheck { check }
            | CaseAction::BypassCheck { check, .. }
            | CaseAction::StartRun { check, .. }
            | CaseAction::FinishRun { check, .. }
            | CaseAction::RecordProviderReport { check, .. } => Some(*check),
            _ => None,
        }
    }
}

impl CommandName {
    /// The command as a verb on one check ("cannot retry check document").
    pub fn check_verb(&self) -> &'static str {
        match self {
            CommandName::StartCheck | CommandName::StartRun => "start",
            CommandName::FinishRun => "finish a run of",
            CommandName::RecordProviderReport => "record a provider's report on",
            CommandName::RecordScore => "score",
            CommandName::RecordCheckResult => "record a result for",
            CommandName::RequestAction => "request action on",
            CommandName::Resubmit => "resubmit evidence for",
            CommandName::ExpireCheck => "expire",
            CommandName::EscalateCheck => "escalate",
            CommandName::RetryCheck => "retry",
            CommandName::RemindIndividual => "send a reminder for",
            CommandName::BypassCheck => "bypass",
            CommandName::SubmitData => "submit data for",
            CommandName::AttachEvidence => "upload evidence to",
            CommandName::Open => "open",
            CommandName::Complete => "complete",
            CommandName::Fail => "fail",
            CommandName::AssignReviewer => "assign a reviewer to",
            CommandName::LinkEntities => "link entities to",
            CommandName::Cancel => "cancel",
            CommandName::CancelForRecreation => "cancel",
        }
    }
}

impl fmt::Display for CommandName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            CommandName::Open => "open",
            CommandName::SubmitData => "submit data to",
            CommandName::AttachEvidence => "upload evidence to",
            CommandName::StartCheck | CommandName::StartRun => "start a check of",
            CommandName::FinishRun => "record a check run on",
            CommandName::RecordProviderReport => "record a provider's report on",
            CommandName::RecordScore => "score",
            CommandName::RecordCheckResult => "record a check result on",
            CommandName::RequestAction => "request action on",
            CommandName::Resubmit => "resubmit evidence to",
            CommandName::ExpireCheck => "expire a check of",
            CommandName::EscalateCheck => "escalate a check of",
            CommandName::RetryCheck => "retry a check of",
            CommandName::RemindIndividual => "send a reminder for",
            CommandName::Complete => "complete",
            CommandName::Fail => "fail",
            CommandName::AssignReviewer => "assign a reviewer to",
            CommandName::LinkEntities => "link entities to",
            CommandName::BypassCheck => "bypass a check of",
            CommandName::Cancel => "cancel",
            CommandName::CancelForRecreation => "cancel and recreate",
        };
        f.write_str(name)
    }
}
