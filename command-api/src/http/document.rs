//! `POST /document/ocr` (CHK-2, seed 003 §8.2): the document check over
//! HTTP.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use veritrail_application::checks::document::{DocumentEvidence, OcrView};
use veritrail_application::checks::evidence::from_base64;

use super::body::Body;
use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OcrRequest {
    /// The page with the MRZ (passport data page, ID card back or front), as
    /// base64 JPEG, PNG or WebP of at most 10 MB.
    pub image_front_base64: String,
    /// The other side, read when the front has no MRZ.
    #[serde(default)]
    pub image_back_base64: Option<String>,
    /// auto, passport, id_card, residence_permit, visa or driver_license.
    #[serde(default)]
    pub document_hint: Option<String>,
    /// auto or an ISO 3166-1 alpha-3 code the issuing state should have.
    #[serde(default)]
    pub country_hint: Option<String>,
}

impl OcrRequest {
    fn evidence(self) -> Result<DocumentEvidence, ApiError> {
        let mut evidence = DocumentEvidence::hinted(self.document_hint, self.country_hint)?;
        evidence.front = from_base64("image_front_base64", &self.image_front_base64)?;
        evidence.back = self
            .image_back_base64
            .as_deref()
            .map(|b| from_base64("image_back_base64", b))
            .transpose()?;
        Ok(evidence)
    }
}

/// Read a document photo: locate and read the MRZ (front, then back),
/// repair and validate it, and measure the photo's quality; documents
/// without an MRZ (driver licences) fall back to reading the printed zone.
/// A photo that cannot be used answers 200 with `status: requires_action`
/// and hints.
#[utoipa::path(
    post, path = "/document/ocr", tag = "documents",
    request_body = OcrRequest,
    responses(
        (status = 200, body = OcrView),
        (status = 400, description = "Empty or not base64", body = ErrorBody),
        (status = 413, description = "image_too_large (over 10 MB) or image_dimensions_too_large (over 40 MP)", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP", body = ErrorBody),
        (status = 422, description = "Invalid request or undecodable image", body = ErrorBody),
        (status = 429, description = "quota_exceeded", body = ErrorBody),
        (status = 503, description = "busy or check_timed_out (with Retry-After)", body = ErrorBody),
    )
)]
pub async fn read_document(
    identity: Identity,
    state: web::Data<AppState>,
    body: Body<OcrRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let evidence = body.into_inner().evidence()?;
    Ok(HttpResponse::Ok().json(state.services.checks.document(ctx, evidence).await?))
}
