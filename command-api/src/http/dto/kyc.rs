//! `POST /kyc/verify` (seed 003 §8.5): everything at once, and the job it
//! starts.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use veritrail_application::checks::evidence::decode_base64;
use veritrail_application::kyc::{KycImage, KycRequest};
use veritrail_domain::case::{
    CaseStatus, CheckKind, CheckState, EvidenceKind, OpenedCase, RequestedChecks,
};

use super::{field, subject_and_entities, ScoreView, SubjectInput, SubmitData, VerificationView};
use crate::http::ApiError;

/// The identity document's photos.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentImages {
    /// passport, id_card, residence_permit, visa or driver_licence.
    pub kind: EvidenceKind,
    /// The side with the MRZ or the portrait; JPEG, PNG or WebP ≤ 10 MB.
    pub front_base64: String,
    pub back_base64: Option<String>,
}

/// `POST /kyc/verify`
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KycVerify {
    pub subject: SubjectInput,
    #[serde(default)]
    pub entities: Vec<String>,
    /// Default: the workflow's automatic checks (liveness, document, face
    /// match, KYA).
    pub requested_checks: Option<Vec<CheckKind>>,
    /// The individual's data (`evidence` must be empty: the images are it).
    pub individual: SubmitData,
    pub document: DocumentImages,
    /// The live photo; JPEG, PNG or WebP ≤ 10 MB.
    pub selfie_base64: Option<String>,
}

fn image(field: &str, kind: EvidenceKind, text: &str) -> Result<KycImage, ApiError> {
    Ok(KycImage {
        field: field.to_owned(),
        kind,
        bytes: decode_base64(field, text)?,
    })
}

impl KycVerify {
    pub fn into_request(self) -> Result<KycRequest, ApiError> {
        if !self.document.kind.is_identity_document() {
            return Err(ApiError::validation(
                "document.kind",
                "passport, id_card, residence_permit, visa or driver_licence",
            ));
        }
        if !self.individual.evidence.is_empty() {
            return Err(ApiError::validation(
                "individual.evidence",
                "leave it out: the request's images are the evidence",
            ));
        }
        if self.individual.liveness_challenge.is_some() {
            return Err(ApiError::validation(
                "individual.liveness_challenge",
                "not in a one-call verification: liveness is judged on the selfie",
            ));
        }
        let checks = match self.requested_checks {
            Some(checks) => Some(field("requested_checks", RequestedChecks::parse(checks))?),
            None => None,
        };
        let (subject, entities) = subject_and_entities(&self.subject, &self.entities)?;
        let kind = self.document.kind;
        let mut images = vec![image(
            "document.front_base64",
            kind,
            &self.document.front_base64,
        )?];
        if let Some(back) = &self.document.back_base64 {
            images.push(image("document.back_base64", kind, back)?);
        }
        if let Some(selfie) = &self.selfie_base64 {
            images.push(image("selfie_base64", EvidenceKind::Selfie, selfie)?);
        }
        Ok(KycRequest {
            subject,
            entities,
            checks,
            submission: self.individual.into_domain()?.0,
            images,
        })
    }
}

/// Links to poll.
#[derive(Debug, Serialize, ToSchema)]
pub struct KycLinks {
    #[serde(rename = "self")]
    pub this: String,
    pub case: String,
}

/// A workflow job: its case, where it stands, and its score.
#[derive(Debug, Serialize, ToSchema)]
pub struct KycJobView {
    /// The case's id.
    pub job_id: String,
    /// queued (no check started), processing, requires_action (the
    /// individual must retake something), review (an officer decides) or
    /// completed (the case is decided: see `case.status`).
    pub status: &'static str,
    /// accepted, review or rejected, once scored.
    pub decision: Option<String>,
    pub score: Option<ScoreView>,
    pub case: VerificationView,
    pub links: KycLinks,
}

/// Where a workflow's case stands.
fn job_status(case: &OpenedCase) -> &'static str {
    let states: Vec<CheckState> = case.checks.values().map(|r| r.state).collect();
    if matches!(
        case.status,
        CaseStatus::Completed | CaseStatus::Failed | CaseStatus::Cancelled
    ) {
        "completed"
    } else if states.contains(&CheckState::RequiresAction) {
        "requires_action"
    } else if case.score.is_some() {
        "review"
    } else if states
        .iter()
        .any(|s| !matches!(s, CheckState::Requested | CheckState::Submitted))
    {
        "processing"
    } else {
        "queued"
    }
}

impl KycJobView {
    pub fn of(case: &OpenedCase, version: usize) -> Self {
        let id = case.id.to_string();
        let score = case.score.as_ref().map(ScoreView::of);
        Self {
            status: job_status(case),
            decision: score.as_ref().map(|s| s.verdict.clone()),
            score,
            case: VerificationView::of(case, version),
            links: KycLinks {
                this: format!("/kyc/verify/{id}"),
                case: format!("/verifications/{id}"),
            },
            job_id: id,
        }
    }
}
