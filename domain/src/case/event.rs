//! Events: past-tense facts, each with a stable type name and an explicit version.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::case::check::{CheckDetail, CheckKind, CheckResult};
use crate::case::command::{Outcome, RestartContext, Subject};
use crate::case::media::StoredMedia;
use crate::case::provider::ProviderReport;
use crate::case::submission::{Evidence, Submission};
use crate::ids::{ActorId, CaseId, EntityId, TenantId};
use crate::scoring::ScoreCard;
use crate::text::{Comment, Hint, Reason};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaseEvent {
    CaseOpened {
        case_id: CaseId,
        tenant: TenantId,
        subject: Subject,
        checks: Vec<CheckKind>,
        entities: Vec<EntityId>,
        restart: Option<RestartContext>,
        #[serde(with = "time::serde::rfc3339")]
        opened_at: OffsetDateTime,
    },
    /// An image was uploaded to the case (its bytes are in the media store).
    EvidenceUploaded {
        media: StoredMedia,
    },
    DataSubmitted {
        submission: Submission,
        #[serde(with = "time::serde::rfc3339")]
        submitted_at: OffsetDateTime,
    },
    CheckStarted {
        check: CheckKind,
        attempt: u32,
        /// The processor run that started it (absent when an officer did).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
    },
    CheckResultRecorded {
        check: CheckKind,
        result: CheckResult,
        /// The processor run that produced it (absent when an officer did).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        run: Option<String>,
        /// What the check measured.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        details: Vec<CheckDetail>,
        /// The workflow policy version the result was judged under.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy_version: Option<u32>,
    },
    CheckActionRequested {
        check: CheckKind,
        hint: Hint,
        #[serde(with = "time::serde::rfc3339")]
        deadline: OffsetDateTime,
    },
    CheckResubmitted {
        check: CheckKind,
        evidence: Vec<Evidence>,
    },
    CheckExpired {
        check: CheckKind,
    },
    /// The check's run `attempt` has been processing past its time limit:
    /// an officer should look (recorded once per attempt).
    CheckEscalated {
        check: CheckKind,
        attempt: u32,
    },
    CheckRetried {
        check: CheckKind,
        attempt: u32,
    },
    /// The individual was reminded that the case waits for them (the
    /// `number`th time).
    IndividualReminded {
        number: u32,
        #[serde(with = "time::serde::rfc3339")]
        reminded_at: OffsetDateTime,
    },
    CheckBypassed {
        check: CheckKind,
        by: Actor,
        comment: Comment,
    },
    /// An external provider's status for the check's run `run_number`
    /// (CHK-11): handed over, processing, or its answer.
    CheckProviderUpdated {
        check: CheckKind,
        run_number: u32,
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
        report: ProviderReport,
    },
    /// The case's score from its checks' results (CHK-7), and why.
    CaseScored {
        card: ScoreCard,
        policy_version: u32,
    },
    ReviewerAssigned {
        reviewer: ActorId,
        by: Actor,
    },
    /// The case also affects these entities (only ones it did not already).
    EntitiesLinked {
        entities: Vec<EntityId>,
        by: Actor,
    },
    CaseCompleted {
        by: Actor,
        outcome: Outcome,
    },
    CaseFailed {
        by: Actor,
        reason: Reason,
    },
    CaseCancelled {
        by: Actor,
        reason: Reason,
        replaced_by: Option<CaseId>,
    },
}

impl CaseEvent {
    /// The version written for new events of each type. Older stored versions
    /// are upgraded by [`crate::case::upcasters`] when read.
    pub fn current_version(event_type: &str) -> &'static str {
        match event_type {
            "CaseOpened" => "1.1",
            _ => "1.0",
        }
    }
}

impl DomainEvent for CaseEvent {
    fn event_type(&self) -> String {
        let name = match self {
            CaseEvent::CaseOpened { .. } => "CaseOpened",
            CaseEvent::EvidenceUploaded { .. } => "EvidenceUploaded",
            CaseEvent::DataSubmitted { .. } => "DataSubmitted",
            CaseEvent::CheckStarted { .. } => "CheckStarted",
            CaseEvent::CheckResultRecorded { .. } => "CheckResultRecorded",
            CaseEvent::CheckActionRequested { .. } => "CheckActionRequested",
            CaseEvent::CheckResubmitted { .. } => "CheckResubmitted",
            CaseEvent::CheckExpired { .. } => "CheckExpired",
            CaseEvent::CheckEscalated { .. } => "CheckEscalated",
            CaseEvent::CheckRetried { .. } => "CheckRetried",
            CaseEvent::IndividualReminded { .. } => "IndividualReminded",
            CaseEvent::CheckBypassed { .. } => "CheckBypassed",
            CaseEvent::CheckProviderUpdated { .. } => "CheckProviderUpdated",
            CaseEvent::CaseScored { .. } => "CaseScored",
            CaseEvent::ReviewerAssigned { .. } => "ReviewerAssigned",
            CaseEvent::EntitiesLinked { .. } => "EntitiesLinked",
            CaseEvent::CaseCompleted { .. } => "CaseCompleted",
            CaseEvent::CaseFailed { .. } => "CaseFailed",
            CaseEvent::CaseCancelled { .. } => "CaseCancelled",
        };
        name.to_owned()
    }

    fn event_version(&self) -> String {
        Self::current_version(&self.event_type()).to_owned()
    }
}
