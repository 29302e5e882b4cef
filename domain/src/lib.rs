//! Veritrail's pure domain.
//!
//! Everything here is deterministic: no I/O, no clock, no randomness. Time comes
//! in through the [`Clock`] service, identifiers come in with the commands.
//! The write side is two aggregates:
//! - [`case::VerificationCase`] — one identity-verification case and its checks;
//! - [`subject::SubjectCases`] — the per-(tenant, subject) registry that keeps
//!   at most one active case per subject (CASE-6).

pub mod access;
pub mod actor;
pub mod case;
pub mod clock;
pub mod country;
mod country_table;
pub mod document;
pub mod ids;
pub mod invitation;
pub mod kya;
pub mod metadata;
pub mod money;
pub mod mrz;
pub mod notification;
mod record;
pub mod scoring;
pub mod subject;
pub mod tenant;
pub mod text;
pub mod webhook;
pub mod workflow;

pub use actor::{Actor, ActorKind};
pub use clock::{Clock, FixedClock};
pub use ids::{ActorId, CaseId, EntityId, IdError, MediaId, SubjectId, TenantId};
pub use metadata::{EventMetadata, MetadataError};
pub use money::{Currency, Money, MoneyError};
pub use text::{BoundedText, Comment, Hint, PersonName, Reason, TextError};

/// Every event type the log holds (docs/events.md), for callers that filter
/// by type.
pub const EVENT_TYPES: &[&str] = &[
    "CaseOpened",
    "EvidenceUploaded",
    "DataSubmitted",
    "CheckStarted",
    "CheckResultRecorded",
    "CheckActionRequested",
    "CheckResubmitted",
    "CheckExpired",
    "CheckEscalated",
    "CheckRetried",
    "IndividualReminded",
    "CheckBypassed",
    "CheckProviderUpdated",
    "CaseScored",
    "ReviewerAssigned",
    "EntitiesLinked",
    "CaseCompleted",
    "CaseFailed",
    "CaseCancelled",
    "CaseAssigned",
    "TenantOpened",
    "ClientRegistered",
    "ClientSecretRotated",
    "ClientRevoked",
    "PlanChanged",
    "ChecksConfigured",
    "WorkflowConfigured",
    "QuotaThresholdReached",
    "InvitationIssued",
    "InvitationRevoked",
    "OperatorRead",
    "WebhookEndpointCreated",
    "WebhookEndpointUpdated",
    "WebhookSecretRotated",
    "WebhookEndpointEnabled",
    "WebhookEndpointDisabled",
    "WebhookEndpointDeleted",
    "WebhookMessageDeadLettered",
    "NotificationSettingsChanged",
];
