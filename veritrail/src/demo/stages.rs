//! Takes one demo case to its stage through the real use cases, each step at
//! the time it would have happened: opened `days_ago`, submitted a few hours
//! later, checked the next day, decided the day after (never after now).

use std::str::FromStr;

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use veritrail_application::cases::{CaseService, OpenCaseRequest, Recreation};
use veritrail_application::RequestContext;
use veritrail_domain::case::{
    CaseAction, CheckKind, CheckResult, CountryCode, Decision, EmailAddress, Outcome,
    RequestedChecks, RestartTrigger, Score, Subject, Submission,
};
use veritrail_domain::{
    CaseId, Comment, Currency, EntityId, FixedClock, Hint, Money, PersonName, Reason, SubjectId,
};

use super::people::{Person, Stage};
use super::tenants::DemoTenant;

/// Who acts on a tenant's demo cases.
pub struct Actors {
    pub organisation: RequestContext,
    pub officer: RequestContext,
    pub individual: RequestContext,
}

/// The demo's clock: each step is recorded at its own time, never later
/// than when the demo runs.
pub struct Timeline<'a> {
    pub clock: &'a FixedClock,
    pub now: OffsetDateTime,
}

impl Timeline<'_> {
    /// Sets the clock to `after` the opening (never later than now).
    pub fn at(&self, opened: OffsetDateTime, after: Duration) {
        self.clock.set((opened + after).min(self.now));
    }
}

pub fn request(tenant: &DemoTenant, person: &Person) -> anyhow::Result<OpenCaseRequest> {
    Ok(OpenCaseRequest {
        subject: Subject {
            id: SubjectId::parse(person.subject)?,
            display_name: Some(PersonName::parse(&format!(
                "{} {}",
                person.given, person.family
            ))?),
            email: None,
        },
        checks: RequestedChecks::parse(tenant.checks.to_vec())?,
        entities: vec![EntityId::parse(tenant.entity)?],
        restart: None,
        invitation: None,
        then: Vec::new(),
    })
}

fn submission(tenant: &DemoTenant, person: &Person) -> anyhow::Result<Submission> {
    let money = |amount: &str| -> anyhow::Result<Option<Money>> {
        let Some(code) = tenant.currency else {
            return Ok(None);
        };
        Ok(Some(Money::new(
            Decimal::from_str(amount)?,
            Currency::parse(code)?,
        )?))
    };
    let (income, amount) = person.money.unwrap_or_default();
    Ok(Submission {
        given_names: PersonName::parse(person.given)?,
        family_name: PersonName::parse(person.family)?,
        date_of_birth: time::Date::parse(
            person.born,
            time::macros::format_description!("[year]-[month]-[day]"),
        )?,
        nationality: Some(CountryCode::parse(person.nationality)?),
        email: Some(EmailAddress::parse(&format!(
            "{}@mail.example",
            person.subject.to_lowercase()
        ))?),
        // The demo has no photos to upload (evidence names uploads only).
        evidence: Vec::new(),
        declared_income: person.money.map(|_| money(income)).transpose()?.flatten(),
        requested_amount: person.money.map(|_| money(amount)).transpose()?.flatten(),
        liveness_challenge: None,
        phone: None,
    })
}

/// Takes the freshly opened `case_id` to `person`'s stage; returns the case
/// the person ends with (the replacement when recreated).
pub async fn advance(
    service: &CaseService,
    time: &Timeline<'_>,
    opened: OffsetDateTime,
    case_id: CaseId,
    tenant: &DemoTenant,
    person: &Person,
    actors: &Actors,
) -> anyhow::Result<CaseId> {
    let officer = &actors.officer;
    let run = async |after: Duration, ctx: &RequestContext, action| -> anyhow::Result<()> {
        time.at(opened, after);
        service.execute(ctx, case_id, action).await?;
        Ok(())
    };
    match person.stage {
        Stage::AwaitingData => return Ok(case_id),
        Stage::Recreated => {
            time.at(opened, Duration::days(30));
            let recreated = service
                .cancel_and_recreate(
                    officer,
                    case_id,
                    Recreation {
                        reason: Reason::parse("no documents after two reminders")?,
                        trigger: RestartTrigger::PreviousAbandoned,
                        comment: Some(Comment::parse("new invitation sent by the hiring manager")?),
                        expected: None,
                        invitation: None,
                    },
                )
                .await?;
            return Ok(recreated.replacement);
        }
        _ => {}
    }
    let submit = CaseAction::SubmitData(submission(tenant, person)?);
    run(Duration::hours(3), &actors.individual, submit).await?;
    let doc = CheckKind::Document;
    if matches!(
        person.stage,
        Stage::InReview | Stage::Assigned | Stage::ActionRequested
    ) {
        // The officer works these by hand (the processors leave a check an
        // officer started alone; the demo has no photos to run them on).
        for check in tenant.checks {
            if veritrail_domain::workflow::AUTOMATIC.contains(&check) {
                let start = CaseAction::StartCheck { check };
                run(Duration::hours(6), officer, start).await?;
            }
        }
    }
    match person.stage {
        Stage::InReview => {}
        Stage::Assigned => {
            let reviewer = officer.actor.id.clone();
            run(
                Duration::hours(20),
                officer,
                CaseAction::AssignReviewer { reviewer },
            )
            .await?;
        }
        Stage::ActionRequested => {
            let hint = Hint::parse("The MRZ is cut off at the bottom: photograph the whole page")?;
            let action = CaseAction::RequestAction {
                check: doc,
                hint,
                respond_within: Duration::days(7),
            };
            run(Duration::hours(25), officer, action).await?;
        }
        Stage::Passed => {
            for check in tenant.checks {
                run(Duration::days(1), officer, CaseAction::StartCheck { check }).await?;
                let result = CheckResult::Verified {
                    score: Score::new(88 + person.subject.len() as u8 % 10),
                };
                let action = CaseAction::RecordCheckResult { check, result };
                run(Duration::hours(26), officer, action).await?;
            }
            let decision = Decision::Complete {
                outcome: Outcome::Pass,
            };
            run(Duration::days(2), officer, CaseAction::Decide(decision)).await?;
        }
        Stage::Failed => {
            let (check, why) = tenant.failure;
            run(Duration::days(1), officer, CaseAction::StartCheck { check }).await?;
            let result = CheckResult::Failed {
                reason: Reason::parse(why)?,
                score: Score::new(24),
            };
            let action = CaseAction::RecordCheckResult { check, result };
            run(Duration::hours(26), officer, action).await?;
            let decision = Decision::Fail {
                reason: Reason::parse(why)?,
            };
            run(Duration::days(2), officer, CaseAction::Decide(decision)).await?;
        }
        Stage::AwaitingData | Stage::Recreated => {}
    }
    Ok(case_id)
}
