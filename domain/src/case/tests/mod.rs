//! Tests of the case aggregate: the full transition tables
//! (`transitions`), given/when/then per command (`commands`), and property
//! tests over random command sequences (`properties`). Fixtures live here.

use std::sync::Arc;

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;
use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::actor::{Actor, ActorKind};
use crate::clock::FixedClock;
use crate::ids::{ActorId, CaseId, EntityId, MediaId, SubjectId, TenantId};
use crate::text::{Comment, Hint, PersonName, Reason};

const T0: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

fn tenant() -> TenantId {
    TenantId::parse("acme").expect("valid")
}

fn other_tenant() -> TenantId {
    TenantId::parse("globex").expect("valid")
}

fn actor(kind: ActorKind, id: &str) -> Actor {
    Actor::new(kind, ActorId::parse(id).expect("valid"))
}

fn org() -> Actor {
    actor(ActorKind::Organisation, "org-client-1")
}

fn officer() -> Actor {
    actor(ActorKind::Officer, "vo-7")
}

fn case_id() -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xC0FFEE))
}

fn replacement_id() -> CaseId {
    CaseId::from_uuid(Uuid::from_u128(0xBEEF))
}

fn subject() -> Subject {
    Subject {
        id: SubjectId::parse("emp-001").expect("valid"),
        display_name: Some(PersonName::parse("Jane Doe").expect("valid")),
        email: None,
    }
}

fn checks() -> Vec<CheckKind> {
    vec![CheckKind::Document, CheckKind::Liveness]
}

fn submission() -> Submission {
    Submission {
        given_names: PersonName::parse("Jane").expect("valid"),
        family_name: PersonName::parse("Doe").expect("valid"),
        date_of_birth: date!(1990 - 04 - 01),
        nationality: Some(CountryCode::parse("AUS").expect("valid")),
        email: Some(EmailAddress::parse("jane@example.com").expect("valid")),
        evidence: vec![Evidence {
            kind: EvidenceKind::Passport,
            media_id: MediaId::from_uuid(Uuid::from_u128(1)),
        }],
        declared_income: None,
        requested_amount: None,
        liveness_challenge: None,
        phone: None,
    }
}

fn stored_media(n: u128) -> StoredMedia {
    StoredMedia {
        media_id: MediaId::from_uuid(Uuid::from_u128(n)),
        kind: EvidenceKind::Passport,
        media_type: MediaType::Jpeg,
        sha256: "ab".repeat(32),
        size_bytes: 1234,
        width: 800,
        height: 600,
        original_sha256: "cd".repeat(32),
        original_size_bytes: 2345,
    }
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).expect("valid")
}

fn comment(text: &str) -> Comment {
    Comment::parse(text).expect("valid")
}

fn cmd(action: CaseAction) -> CaseCommand {
    CaseCommand::new(tenant(), org(), action)
}

fn vo(action: CaseAction) -> CaseCommand {
    CaseCommand::new(tenant(), officer(), action)
}

fn open_action() -> CaseAction {
    CaseAction::Open(OpenCase {
        case_id: case_id(),
        subject: subject(),
        checks: RequestedChecks::parse(checks()).expect("valid"),
        entities: vec![EntityId::parse("company-1").expect("valid")],
        restart: None,
    })
}

// ---- events used to build fixtures ----

fn opened() -> CaseEvent {
    CaseEvent::CaseOpened {
        case_id: case_id(),
        tenant: tenant(),
        subject: subject(),
        checks: checks(),
        entities: vec![EntityId::parse("company-1").expect("valid")],
        restart: None,
        opened_at: T0,
    }
}

/// The upload `submission()` names.
fn uploaded() -> CaseEvent {
    CaseEvent::EvidenceUploaded {
        media: stored_media(1),
    }
}

fn submitted() -> CaseEvent {
    CaseEvent::DataSubmitted {
        submission: submission(),
        submitted_at: T0,
    }
}

/// The processor run that `started` names.
const RUN: &str = "run-1";

fn started(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckStarted {
        check,
        attempt: 1,
        run: Some(RUN.to_owned()),
    }
}

fn verified(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckResultRecorded {
        check,
        result: CheckResult::Verified {
            score: Score::new(97),
        },
        run: None,
        details: Vec::new(),
        policy_version: None,
    }
}

fn failed(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckResultRecorded {
        check,
        result: CheckResult::Failed {
            reason: reason("document expired"),
            score: Score::new(12),
        },
        run: None,
        details: Vec::new(),
        policy_version: None,
    }
}

fn action_requested(check: CheckKind, deadline: OffsetDateTime) -> CaseEvent {
    CaseEvent::CheckActionRequested {
        check,
        hint: Hint::parse("MRZ cut off at the bottom").expect("valid"),
        deadline,
    }
}

fn bypassed(check: CheckKind) -> CaseEvent {
    CaseEvent::CheckBypassed {
        check,
        by: officer(),
        comment: comment("checked in person"),
    }
}

fn replay(events: &[CaseEvent]) -> VerificationCase {
    let mut case = VerificationCase::default();
    for event in events {
        case.apply(event.clone());
    }
    case
}

/// The events that bring a case into `status` (Document is the check under test).
fn history_in(status: Option<CaseStatus>) -> Vec<CaseEvent> {
    let doc = CheckKind::Document;
    let live = CheckKind::Liveness;
    match status {
        None => vec![],
        Some(CaseStatus::PendingOrg) => vec![opened(), uploaded()],
        Some(CaseStatus::PendingAdmin) => vec![opened(), uploaded(), submitted()],
        Some(CaseStatus::Completed) => vec![
            opened(),
            uploaded(),
            submitted(),
            bypassed(doc),
            bypassed(live),
            CaseEvent::CaseCompleted {
                by: officer(),
                outcome: Outcome::Pass,
            },
        ],
        Some(CaseStatus::Failed) => vec![
            opened(),
            uploaded(),
            submitted(),
            CaseEvent::CaseFailed {
                by: officer(),
                reason: reason("expired registration"),
            },
        ],
        Some(CaseStatus::Cancelled) => vec![
            opened(),
            CaseEvent::CaseCancelled {
                by: org(),
                reason: reason("employee left"),
                replaced_by: None,
            },
        ],
    }
}

/// The check-level events that put Document into `state` within PENDING_ADMIN.
fn check_history(state: CheckState) -> Vec<CaseEvent> {
    let doc = CheckKind::Document;
    let past = T0 - Duration::hours(1);
    match state {
        CheckState::Requested | CheckState::Submitted => vec![],
        CheckState::Processing => vec![started(doc)],
        CheckState::Verified => vec![started(doc), verified(doc)],
        CheckState::Failed => vec![started(doc), failed(doc)],
        CheckState::RequiresAction => vec![started(doc), action_requested(doc, past)],
        CheckState::Resubmitted => vec![
            started(doc),
            action_requested(doc, past),
            CaseEvent::CheckResubmitted {
                check: doc,
                evidence: submission().evidence,
            },
        ],
        CheckState::Expired => vec![
            started(doc),
            action_requested(doc, past),
            CaseEvent::CheckExpired { check: doc },
        ],
        CheckState::Bypassed => vec![bypassed(doc)],
    }
}

mod commands;
mod media;
mod properties;
mod provider;
mod reminders;
mod runs;
mod transitions;
