//! `GET`/`PUT /workflow`: a tenant's verification workflow (issue 16
//! item 3), replaced as a whole; each change is a new version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veritrail_domain::case::CheckKind;
use veritrail_domain::scoring::ScoringPolicy;
use veritrail_domain::workflow::{SubmissionField, WorkflowPolicy};

use super::field;
use crate::http::ApiError;

/// The workflow as set (`PUT`) and shown (`GET`, with its version).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowInput {
    /// Automatic checks (liveness, document, face_match, kya, and any
    /// check routed to a provider) in the order they run.
    #[schema(example = json!(["liveness", "document", "face_match", "kya"]))]
    pub order: Vec<CheckKind>,
    /// Checks whose failure rejects the case whatever the score.
    #[serde(default)]
    pub mandatory_checks: Vec<CheckKind>,
    /// Submission fields required: email, nationality, declared_income,
    /// requested_amount.
    #[serde(default)]
    pub mandatory_fields: Vec<SubmissionField>,
    /// Weight of each check in the score (0–100 each, not all 0).
    #[schema(example = json!({"liveness": 30, "face_match": 40, "document": 25, "kya": 5}))]
    pub weights: BTreeMap<CheckKind, u32>,
    /// The least total accepted (default 80).
    pub accept_at: u8,
    /// The least total sent to review rather than rejected (default 60).
    pub review_at: u8,
    /// Face-match similarity needed, 0–1; null = the service default.
    pub face_match_threshold: Option<f64>,
    /// Time the individual has to act on a request (1–2160).
    pub respond_within_hours: u32,
    /// Longest one check may run (5–600).
    pub check_timeout_secs: u32,
    /// Checks run by an external provider, by the provider's configured
    /// name (`builtin` = the built-in models). A provider may run any
    /// check, e.g. `compliance` for sanctions screening; it must also be
    /// in `order`.
    #[serde(default)]
    #[schema(example = json!({"compliance": "screening"}))]
    pub providers: BTreeMap<CheckKind, String>,
}

impl WorkflowInput {
    pub fn into_domain(self) -> Result<WorkflowPolicy, ApiError> {
        let scoring = field(
            "weights",
            ScoringPolicy::new(
                self.weights.into_iter().collect(),
                self.accept_at,
                self.review_at,
            ),
        )?;
        Ok(WorkflowPolicy {
            version: 0,
            order: self.order,
            mandatory_checks: self.mandatory_checks,
            mandatory_fields: self.mandatory_fields,
            scoring,
            face_match_threshold: self.face_match_threshold,
            respond_within_hours: self.respond_within_hours,
            check_timeout_secs: self.check_timeout_secs,
            providers: self.providers,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowView {
    /// 0 = the service default; each change adds one. Results and scores
    /// name the version they were judged under.
    pub version: u32,
    pub order: Vec<CheckKind>,
    pub mandatory_checks: Vec<CheckKind>,
    pub mandatory_fields: Vec<SubmissionField>,
    pub weights: BTreeMap<CheckKind, u32>,
    pub accept_at: u8,
    pub review_at: u8,
    pub face_match_threshold: Option<f64>,
    pub respond_within_hours: u32,
    pub check_timeout_secs: u32,
    pub providers: BTreeMap<CheckKind, String>,
}

impl WorkflowView {
    pub fn of(policy: &WorkflowPolicy) -> Self {
        Self {
            version: policy.version,
            order: policy.order.clone(),
            mandatory_checks: policy.mandatory_checks.clone(),
            mandatory_fields: policy.mandatory_fields.clone(),
            weights: policy.scoring.weights().iter().copied().collect(),
            accept_at: policy.scoring.accept_at(),
            review_at: policy.scoring.review_at(),
            face_match_threshold: policy.face_match_threshold,
            respond_within_hours: policy.respond_within_hours,
            check_timeout_secs: policy.check_timeout_secs,
            providers: policy.providers.clone(),
        }
    }
}
