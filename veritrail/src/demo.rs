//! `veritrail demo`: sample tenants and cases at every stage (the seeds'
//! `seed_demo_clients` / `generate_sample_data`), written as real events
//! through the same use cases the API runs. Re-running it leaves existing
//! demo subjects alone.

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use time::macros::date;
use uuid::Uuid;
use veritrail_application::cases::{CaseService, OpenCaseRequest, Recreation};
use veritrail_application::{RandomIds, RequestContext, SystemClock};
use veritrail_domain::case::{
    CaseAction, CheckKind, CheckResult, CountryCode, Decision, EmailAddress, Evidence,
    EvidenceKind, Outcome, RequestedChecks, RestartTrigger, Score, Subject, Submission,
};
use veritrail_domain::{
    Actor, ActorId, ActorKind, CaseId, Comment, Currency, EntityId, Hint, MediaId, Money,
    PersonName, Reason, SubjectId, TenantId,
};
use veritrail_event_store::EventDatabase;

/// Where a demo case is left.
#[derive(Debug, Clone, Copy)]
enum Stage {
    AwaitingData,
    InReview,
    ActionRequested,
    Passed,
    Failed,
    Recreated,
}

struct Person {
    subject: &'static str,
    given: &'static str,
    family: &'static str,
    country: &'static str,
    stage: Stage,
}

const TENANTS: [(&str, &str, [CheckKind; 3]); 2] = [
    (
        "acme-hr",
        "hris-integration",
        [
            CheckKind::Document,
            CheckKind::ProfessionalRegistration,
            CheckKind::WorkingWithChildren,
        ],
    ),
    (
        "northwind-bank",
        "loan-origination",
        [
            CheckKind::Document,
            CheckKind::Liveness,
            CheckKind::FaceMatch,
        ],
    ),
];

const PEOPLE: [Person; 6] = [
    Person {
        subject: "EMP-1001",
        given: "Amelia",
        family: "Nguyen",
        country: "AUS",
        stage: Stage::AwaitingData,
    },
    Person {
        subject: "EMP-1002",
        given: "Jean-Luc",
        family: "Dubois-Martin",
        country: "FRA",
        stage: Stage::InReview,
    },
    Person {
        subject: "EMP-1003",
        given: "Oluwaseun",
        family: "Adeyemi",
        country: "NGA",
        stage: Stage::ActionRequested,
    },
    Person {
        subject: "EMP-1004",
        given: "Søren",
        family: "Kierkegaard",
        country: "DNK",
        stage: Stage::Passed,
    },
    Person {
        subject: "EMP-1005",
        given: "María José",
        family: "García López",
        country: "ESP",
        stage: Stage::Failed,
    },
    Person {
        subject: "EMP-1006",
        given: "Wei",
        family: "Zhang",
        country: "CHN",
        stage: Stage::Recreated,
    },
];

fn actor(kind: ActorKind, id: &str) -> anyhow::Result<Actor> {
    Ok(Actor::new(kind, ActorId::parse(id)?))
}

fn submission(person: &Person) -> anyhow::Result<Submission> {
    let aud = Currency::parse("AUD")?;
    Ok(Submission {
        given_names: PersonName::parse(person.given)?,
        family_name: PersonName::parse(person.family)?,
        date_of_birth: date!(1987 - 06 - 15),
        nationality: Some(CountryCode::parse(person.country)?),
        email: Some(EmailAddress::parse(&format!(
            "{}@example.com",
            person.subject.to_lowercase()
        ))?),
        evidence: vec![
            Evidence {
                kind: EvidenceKind::Passport,
                media_id: MediaId::from_uuid(Uuid::now_v7()),
            },
            Evidence {
                kind: EvidenceKind::Selfie,
                media_id: MediaId::from_uuid(Uuid::now_v7()),
            },
        ],
        declared_income: Some(Money::new(Decimal::from_str("84500.00")?, aud)?),
        requested_amount: Some(Money::new(Decimal::from_str("25000.00")?, aud)?),
    })
}

/// Loads the demo data; returns a printable summary.
pub async fn load(db: EventDatabase) -> anyhow::Result<String> {
    let service = CaseService::new(db, Arc::new(SystemClock), Arc::new(RandomIds));
    let mut summary =
        String::from("tenant          subject   case id                               status\n");
    let mut first = None;
    for (tenant, client, checks) in TENANTS {
        let tenant_id = TenantId::parse(tenant)?;
        let ctx = |kind, id: &str| -> anyhow::Result<RequestContext> {
            Ok(RequestContext::new(tenant_id.clone(), actor(kind, id)?))
        };
        let org = ctx(ActorKind::Organisation, client)?;
        let individual = ctx(ActorKind::Individual, "invitation")?;
        let officer = ctx(ActorKind::Officer, "vo-demo")?;
        for person in &PEOPLE {
            let request = OpenCaseRequest {
                subject: Subject {
                    id: SubjectId::parse(person.subject)?,
                    display_name: Some(PersonName::parse(&format!(
                        "{} {}",
                        person.given, person.family
                    ))?),
                },
                checks: RequestedChecks::parse(checks.to_vec())?,
                entities: vec![EntityId::parse(&format!("{tenant}-main"))?],
                restart: None,
                invitation: None,
            };
            let known = service.cases_of_subject(&org, &request.subject.id).await?;
            let case_id = match known.last() {
                Some(latest) => *latest,
                None => {
                    let opened = service.get_or_open(&org, request).await?;
                    advance(
                        &service,
                        opened.case_id,
                        person,
                        &checks,
                        &individual,
                        &officer,
                    )
                    .await?
                }
            };
            let (case, _) = service.load(&org, case_id).await?;
            let status = case.status().map(|s| s.to_string()).unwrap_or_default();
            let _ = writeln!(
                summary,
                "{tenant:<15} {:<9} {case_id}  {status}",
                person.subject
            );
            first.get_or_insert((tenant, case_id));
        }
    }
    if let Some((tenant, case_id)) = first {
        let _ = write!(
            summary,
            "\nTry: curl -s -H 'X-Tenant-Id: {tenant}' http://127.0.0.1:8080/verifications/{case_id}\n"
        );
    }
    Ok(summary)
}

async fn advance(
    service: &CaseService,
    case_id: CaseId,
    person: &Person,
    checks: &[CheckKind; 3],
    individual: &RequestContext,
    officer: &RequestContext,
) -> anyhow::Result<CaseId> {
    if matches!(person.stage, Stage::AwaitingData) {
        return Ok(case_id);
    }
    if matches!(person.stage, Stage::Recreated) {
        let recreated = service
            .cancel_and_recreate(
                officer,
                case_id,
                Recreation {
                    reason: Reason::parse("no documents after two reminders")?,
                    trigger: RestartTrigger::PreviousAbandoned,
                    comment: Some(Comment::parse("new invitation sent by HR")?),
                    expected: None,
                    invitation: None,
                },
            )
            .await?;
        return Ok(recreated.replacement);
    }
    service
        .execute(
            individual,
            case_id,
            CaseAction::SubmitData(submission(person)?),
        )
        .await?;
    if matches!(person.stage, Stage::InReview) {
        return Ok(case_id);
    }
    let doc = checks[0];
    service
        .execute(officer, case_id, CaseAction::StartCheck { check: doc })
        .await?;
    match person.stage {
        Stage::ActionRequested => {
            service
                .execute(
                    officer,
                    case_id,
                    CaseAction::RequestAction {
                        check: doc,
                        hint: Hint::parse(
                            "The MRZ is cut off at the bottom: photograph the whole page",
                        )?,
                        respond_within: time::Duration::days(7),
                    },
                )
                .await?;
        }
        Stage::Passed => {
            for check in checks {
                if *check != doc {
                    service
                        .execute(officer, case_id, CaseAction::StartCheck { check: *check })
                        .await?;
                }
                service
                    .execute(
                        officer,
                        case_id,
                        CaseAction::RecordCheckResult {
                            check: *check,
                            result: CheckResult::Verified {
                                score: Score::new(92),
                            },
                        },
                    )
                    .await?;
            }
            service
                .execute(
                    officer,
                    case_id,
                    CaseAction::Decide(Decision::Complete {
                        outcome: Outcome::Pass,
                    }),
                )
                .await?;
        }
        Stage::Failed => {
            service
                .execute(
                    officer,
                    case_id,
                    CaseAction::RecordCheckResult {
                        check: doc,
                        result: CheckResult::Failed {
                            reason: Reason::parse("document expired on 2024-03-01")?,
                            score: Score::new(20),
                        },
                    },
                )
                .await?;
            service
                .execute(
                    officer,
                    case_id,
                    CaseAction::Decide(Decision::Fail {
                        reason: Reason::parse("expired identity document")?,
                    }),
                )
                .await?;
        }
        _ => {}
    }
    Ok(case_id)
}
