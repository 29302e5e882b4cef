//! The `VerificationCase` aggregate: one identity-verification case, the checks
//! it requires and their lifecycles.
//!
//! Case lifecycle (CASE-1..5):
//! `PENDING_ORG → PENDING_ADMIN → COMPLETED | FAILED`, `PENDING_ORG → FAILED`,
//! and `CANCELLED` from any open state (and from `FAILED` when recreated).
//!
//! Check lifecycle (CASE-3): `requested → submitted → processing →
//! verified | failed | requires_action → resubmitted | expired`, plus
//! retries of failed checks and officer bypasses (CASE-8). A case waiting
//! for its individual is reminded (CASE-9).

mod aggregate;
mod apply;
mod check;
mod command;
mod error;
mod event;
mod media;
mod phone;
mod provider;
mod reminders;
mod runs;
mod status;
mod submission;
mod upcast;

#[cfg(test)]
mod tests;

pub use aggregate::{
    CaseServices, OpenedCase, RecordedScore, VerificationCase, MAX_CHECK_ATTEMPTS,
};
pub use check::{
    Bypass, CheckDetail, CheckKind, CheckRecord, CheckResult, CheckState, RequestedChecks,
    RequestedChecksError, Score,
};
pub use command::{
    CaseAction, CaseCommand, CommandName, Decision, OpenCase, Outcome, RestartContext,
    RestartTrigger, RunFinish, Subject,
};
pub use error::{rfc3339, CaseError};
pub use event::CaseEvent;
pub use media::{MediaType, StoredMedia, MAX_UPLOADS_PER_CASE};
pub use phone::PhoneNumber;
pub use provider::{ProviderReport, ProviderRun, ProviderStatus, ReportSource};
pub use reminders::ReminderPolicy;
pub use status::CaseStatus;
pub use submission::{
    AnsweredChallenge, CountryCode, EmailAddress, Evidence, EvidenceKind, Submission,
    SubmissionError,
};
pub use upcast::upcasters;
