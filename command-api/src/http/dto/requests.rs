//! Request bodies. Each converts into domain types here, at the edge; a
//! value that does not parse is a 422 naming the field.

use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::Date;
use utoipa::ToSchema;
use veritrail_application::challenges::ChallengeAnswer;
use veritrail_domain::case::{
    CheckKind, CheckResult, CountryCode, EmailAddress, Evidence, EvidenceKind, Outcome,
    PhoneNumber, RequestedChecks, RestartTrigger, Score, Subject, Submission,
};
use veritrail_domain::{
    Comment, Currency, EntityId, Hint, MediaId, Money, PersonName, Reason, SubjectId,
};

use crate::http::error::ApiError;
use veritrail_application::cases::OpenCaseRequest;

pub(super) fn field<T, E: std::fmt::Display>(
    name: &str,
    result: Result<T, E>,
) -> Result<T, ApiError> {
    result.map_err(|e| ApiError::validation(name, e))
}

fn optional<T, E: std::fmt::Display>(
    name: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    value.map(|v| field(name, parse(v))).transpose()
}

/// The individual a case is about, as the organisation identifies them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectInput {
    /// The organisation's id for the individual (e.g. employee number).
    #[schema(example = "EMP-0042")]
    pub id: String,
    #[schema(example = "Jane Citizen")]
    pub display_name: Option<String>,
    /// Where the individual's invitation, reminders and requests to act
    /// are emailed (when the tenant's notifications are on).
    #[schema(example = "jane@example.com")]
    pub email: Option<String>,
}

/// `POST /verifications`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVerification {
    pub subject: SubjectInput,
    /// Distinct, at least one.
    pub requested_checks: Vec<CheckKind>,
    /// Business entities (companies, contracts) the case affects.
    #[serde(default)]
    #[schema(example = json!(["company-17"]))]
    pub entities: Vec<String>,
}

/// The subject and the entities of a request that opens a case, checked.
pub(super) fn subject_and_entities(
    subject: &SubjectInput,
    entities: &[String],
) -> Result<(Subject, Vec<EntityId>), ApiError> {
    let subject = Subject {
        id: field("subject.id", SubjectId::parse(&subject.id))?,
        display_name: optional(
            "subject.display_name",
            subject.display_name.as_deref(),
            PersonName::parse,
        )?,
        email: optional(
            "subject.email",
            subject.email.as_deref(),
            EmailAddress::parse,
        )?,
    };
    if entities.len() > 50 {
        return Err(ApiError::validation("entities", "at most 50 entities"));
    }
    let entities = entities
        .iter()
        .map(|e| field("entities", EntityId::parse(e)))
        .collect::<Result<_, _>>()?;
    Ok((subject, entities))
}

impl CreateVerification {
    pub fn into_request(self) -> Result<OpenCaseRequest, ApiError> {
        let (subject, entities) = subject_and_entities(&self.subject, &self.entities)?;
        Ok(OpenCaseRequest {
            subject,
            checks: field(
                "requested_checks",
                RequestedChecks::parse(self.requested_checks),
            )?,
            entities,
            restart: None,
            invitation: None,
            then: Vec::new(),
        })
    }
}

/// A reference to uploaded evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    pub kind: EvidenceKind,
    pub media_id: uuid::Uuid,
}

impl EvidenceInput {
    fn into_domain(self) -> Evidence {
        Evidence {
            kind: self.kind,
            media_id: MediaId::from_uuid(self.media_id),
        }
    }
}

/// An amount of money: a decimal string and an ISO 4217 currency.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    /// A decimal string, never a float.
    #[schema(example = "52000.00")]
    pub amount: String,
    #[schema(example = "AUD")]
    pub currency: String,
}

impl MoneyInput {
    fn parse(&self, name: &str) -> Result<Money, ApiError> {
        let amount = field(name, Money::parse_amount(&self.amount))?;
        let currency = field(name, Currency::parse(&self.currency))?;
        field(name, Money::new(amount, currency))
    }
}

/// `PUT /verifications/{id}/data`: the individual's data and evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitData {
    #[schema(example = "Jane")]
    pub given_names: String,
    #[schema(example = "Citizen")]
    pub family_name: String,
    /// ISO 8601 date.
    #[schema(example = "1988-02-29")]
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3.
    #[schema(example = "AUS")]
    pub nationality: Option<String>,
    #[schema(example = "jane@example.com")]
    pub email: Option<String>,
    /// International form: + and the country code (E.164); KYA checks it
    /// against its country's numbering plan and the other countries given.
    #[schema(example = "+61412345678")]
    pub phone: Option<String>,
    #[serde(default)]
    pub evidence: Vec<EvidenceInput>,
    pub declared_income: Option<MoneyInput>,
    pub requested_amount: Option<MoneyInput>,
    /// The active liveness challenge (`POST /liveness/challenge`) that the
    /// `liveness_frame` evidence answers, in capture order: facing the
    /// camera, then one frame per step. Taken when the submission is
    /// accepted (within its expiry, once).
    pub liveness_challenge: Option<ChallengeAnswerInput>,
}

/// A challenge's id and nonce, as issued.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeAnswerInput {
    pub challenge_id: String,
    pub nonce: String,
}

impl SubmitData {
    /// The submission, and the challenge its frames answer.
    pub fn into_domain(self) -> Result<(Submission, Option<ChallengeAnswer>), ApiError> {
        let challenge = self.liveness_challenge.map(|c| ChallengeAnswer {
            challenge_id: c.challenge_id,
            nonce: c.nonce,
        });
        let date_format = format_description!("[year]-[month]-[day]");
        let submission = Submission {
            given_names: field("given_names", PersonName::parse(&self.given_names))?,
            family_name: field("family_name", PersonName::parse(&self.family_name))?,
            date_of_birth: field(
                "date_of_birth",
                Date::parse(&self.date_of_birth, &date_format),
            )?,
            nationality: optional(
                "nationality",
                self.nationality.as_deref(),
                CountryCode::parse,
            )?,
            email: optional("email", self.email.as_deref(), EmailAddress::parse)?,
            phone: optional("phone", self.phone.as_deref(), PhoneNumber::parse)?,
            declared_income: self
                .declared_income
                .as_ref()
                .map(|m| m.parse("declared_income"))
                .transpose()?,
            requested_amount: self
                .requested_amount
                .as_ref()
                .map(|m| m.parse("requested_amount"))
                .transpose()?,
            evidence: self
                .evidence
                .into_iter()
                .map(EvidenceInput::into_domain)
                .collect(),
            liveness_challenge: None,
        };
        Ok((submission, challenge))
    }
}

/// `POST /verifications/{id}/retry`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryCheck {
    pub check: CheckKind,
}

/// `POST /verifications/{id}/cancel`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelVerification {
    /// Mandatory.
    #[schema(example = "employee withdrew the application")]
    pub reason: String,
}

impl CancelVerification {
    pub fn reason(&self) -> Result<Reason, ApiError> {
        field("reason", Reason::parse(&self.reason))
    }
}

/// `POST /verifications/{id}/recreate`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecreateVerification {
    /// Why the current case is cancelled. Mandatory.
    pub reason: String,
    pub trigger: RestartTrigger,
    pub comment: Option<String>,
}

impl RecreateVerification {
    pub fn parts(&self) -> Result<(Reason, RestartTrigger, Option<Comment>), ApiError> {
        Ok((
            field("reason", Reason::parse(&self.reason))?,
            self.trigger,
            optional("comment", self.comment.as_deref(), Comment::parse)?,
        ))
    }
}

/// `POST /verifications/{id}/checks/{check}/resubmit`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitEvidence {
    pub evidence: Vec<EvidenceInput>,
}

impl ResubmitEvidence {
    pub fn into_domain(self) -> Vec<Evidence> {
        self.evidence
            .into_iter()
            .map(EvidenceInput::into_domain)
            .collect()
    }
}

/// The decision a verification officer may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecisionStatus {
    Completed,
    Failed,
}

/// `PATCH /admin/verifications/{id}`: `{"status":"COMPLETED","outcome":"PASS"}`
/// or `{"status":"FAILED","reason":"…"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    pub status: DecisionStatus,
    pub outcome: Option<Outcome>,
    pub reason: Option<String>,
}

impl Decide {
    pub fn into_domain(self) -> Result<veritrail_domain::case::Decision, ApiError> {
        use veritrail_domain::case::Decision;
        match self.status {
            DecisionStatus::Completed => match (self.outcome, self.reason) {
                (Some(outcome), None) => Ok(Decision::Complete { outcome }),
                (None, _) => Err(ApiError::validation(
                    "outcome",
                    "COMPLETED needs outcome PASS",
                )),
                (Some(_), Some(_)) => Err(ApiError::validation(
                    "reason",
                    "a reason is only given with FAILED",
                )),
            },
            DecisionStatus::Failed => {
                if self.outcome.is_some() {
                    return Err(ApiError::validation(
                        "outcome",
                        "FAILED takes a reason, not an outcome",
                    ));
                }
                let reason = self
                    .reason
                    .ok_or_else(|| ApiError::validation("reason", "FAILED needs a reason"))?;
                Ok(Decision::Fail {
                    reason: field("reason", Reason::parse(&reason))?,
                })
            }
        }
    }
}

/// `POST /admin/verifications/{id}/assign`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignReviewer {
    /// The officer's id; the caller when absent.
    pub reviewer: Option<String>,
}

/// `POST /admin/verifications/{id}/checks/{check}/bypass`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BypassCheck {
    /// Why the check is waived. Mandatory.
    #[schema(example = "registration confirmed by phone with the board")]
    pub comment: String,
}

impl BypassCheck {
    pub fn comment(&self) -> Result<Comment, ApiError> {
        field("comment", Comment::parse(&self.comment))
    }
}

/// The outcome of an officer's review of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Verified,
    Failed,
}

/// `POST /admin/verifications/{id}/checks/{check}/review`: an officer judges
/// a check on the evidence (manual background checks, CHK-10).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewCheck {
    pub outcome: ReviewOutcome,
    /// Required when failed.
    pub reason: Option<String>,
    /// 0–100.
    pub score: Option<u8>,
}

impl ReviewCheck {
    pub fn into_domain(self) -> Result<CheckResult, ApiError> {
        let score = self
            .score
            .map(|s| Score::new(s).ok_or_else(|| ApiError::validation("score", "0 to 100")))
            .transpose()?;
        match self.outcome {
            ReviewOutcome::Verified => Ok(CheckResult::Verified { score }),
            ReviewOutcome::Failed => {
                let reason = self.reason.ok_or_else(|| {
                    ApiError::validation("reason", "a failed check needs a reason")
                })?;
                Ok(CheckResult::Failed {
                    reason: field("reason", Reason::parse(&reason))?,
                    score,
                })
            }
        }
    }
}

/// `POST /admin/verifications/{id}/checks/{check}/request-action`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestAction {
    #[schema(example = "The MRZ is cut off at the bottom: retake the photo with the whole page")]
    pub hint: String,
    /// Hours the individual has to act (1–2160).
    #[schema(example = 72)]
    pub respond_within_hours: u32,
}

impl RequestAction {
    pub fn parts(&self) -> Result<(Hint, time::Duration), ApiError> {
        if !(1..=2160).contains(&self.respond_within_hours) {
            return Err(ApiError::validation(
                "respond_within_hours",
                "between 1 and 2160",
            ));
        }
        Ok((
            field("hint", Hint::parse(&self.hint))?,
            time::Duration::hours(i64::from(self.respond_within_hours)),
        ))
    }
}
