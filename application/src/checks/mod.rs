//! The checks as application services: `document` (OCR, printed-zone
//! fallback, validation, portrait crop), `validate` (an MRZ given as text),
//! `face_match` and `liveness`. Each takes vetted evidence and the
//! caller's context, applies the tenant's settings, runs its CPU-heavy work
//! on the compute pool, meters itself (quota before, one billed use after a
//! result) and returns a typed result or a [`CheckError`]. The HTTP
//! endpoints and the processors call the same methods.

pub mod document;
mod error;
pub mod evidence;
pub mod face_match;
pub mod liveness;

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use veritrail_domain::tenant::Module;
use veritrail_face::FaceEngine;
use veritrail_vision::DocumentReader;

pub use error::{CheckError, EvidenceProblem, FaceIn};

use crate::auth::TenantService;
use crate::challenges::Challenges;
use crate::compute::ComputePool;
use crate::metering::Metering;
use crate::RequestContext;
use document::{DocumentEvidence, DocumentValidationView, OcrView, ValidationInput};
use face_match::{FaceEvidence, FaceMatchView};
use liveness::{ChallengeView, LivenessEvidence, LivenessView};

/// Milliseconds since `started`, to a tenth (the `processing_ms` of checks).
pub(crate) fn elapsed_ms(started: std::time::Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

/// seed 003's `usage` note on a billed call's answer.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageNote {
    pub module: String,
    pub billed: bool,
}

impl UsageNote {
    pub fn billed(module: Module) -> Self {
        Self {
            module: module.as_str().to_owned(),
            billed: true,
        }
    }
}
/// The engines and the pool every check runs on. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Checks {
    /// The document readers (Tesseract engines and models), shared.
    pub documents: Arc<DocumentReader>,
    /// The face models (ONNX Runtime sessions), shared.
    pub faces: Arc<FaceEngine>,
    /// Issued liveness challenges, answered once.
    pub challenges: Challenges,
    /// The bounded pool for image decoding, OCR and inference.
    pub compute: ComputePool,
    pub metering: Arc<Metering>,
    pub tenants: Arc<TenantService>,
}

impl Checks {
    /// Runs `work` if the tenant's quota of `module` allows it, and bills it
    /// once if it produced a result. A result is returned only once billed:
    /// if recording fails, the caller gets a retryable error.
    async fn metered<T>(
        &self,
        ctx: &RequestContext,
        module: Module,
        work: impl Future<Output = Result<T, CheckError>>,
    ) -> Result<T, CheckError> {
        self.metering.check(&ctx.tenant, module).await?;
        let result = work.await?;
        self.metering.record(ctx, module).await.map_err(|error| {
            tracing::warn!(%error, module = module.as_str(), "usage could not be recorded");
            CheckError::from(error)
        })?;
        Ok(result)
    }

    /// Reads a document photo (module `ocr`).
    pub async fn document(
        &self,
        ctx: &RequestContext,
        evidence: DocumentEvidence,
    ) -> Result<OcrView, CheckError> {
        let work = document::read(&self.documents, &self.faces, &self.compute, evidence);
        self.metered(ctx, Module::Ocr, work).await
    }

    /// Validates an MRZ given as text (module `validate`).
    pub async fn validate(
        &self,
        ctx: &RequestContext,
        input: ValidationInput,
    ) -> Result<DocumentValidationView, CheckError> {
        self.metered(ctx, Module::Validate, async { document::validate(input) })
            .await
    }

    /// Compares a selfie with a document portrait at the tenant's threshold
    /// (module `face_match`).
    pub async fn face_match(
        &self,
        ctx: &RequestContext,
        evidence: FaceEvidence,
    ) -> Result<FaceMatchView, CheckError> {
        let threshold = self
            .tenants
            .policy(&ctx.tenant)
            .await?
            .face_match_threshold
            .unwrap_or(veritrail_face::DEFAULT_MATCH_THRESHOLD);
        let work = face_match::compare(&self.faces, &self.compute, threshold, evidence);
        self.metered(ctx, Module::FaceMatch, work).await
    }

    /// Issues a liveness challenge (not billed: the analysis is).
    pub async fn liveness_challenge(
        &self,
        ctx: &RequestContext,
    ) -> Result<ChallengeView, CheckError> {
        liveness::challenge(&self.challenges, ctx.tenant.as_str()).await
    }

    /// Judges liveness (module `liveness`).
    pub async fn liveness(
        &self,
        ctx: &RequestContext,
        evidence: LivenessEvidence,
    ) -> Result<LivenessView, CheckError> {
        let tenant = ctx.tenant.to_string();
        let work = liveness::analyze(
            &self.faces,
            &self.challenges,
            &self.compute,
            &tenant,
            evidence,
        );
        self.metered(ctx, Module::Liveness, work).await
    }
}
