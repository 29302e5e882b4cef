//! `POST /face/match` (CHK-4, seed 003 §8.4): the face match over HTTP.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use veritrail_application::checks::evidence::from_base64;
use veritrail_application::checks::face_match::{FaceEvidence, FaceMatchView};

use super::body::Body;
use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceMatchRequest {
    /// The live photo, base64 JPEG, PNG or WebP (≤ 10 MB); EXIF orientation is honoured.
    pub image_selfie_base64: String,
    /// The document page or its portrait; the largest face is compared.
    pub image_document_base64: String,
}

/// Compare the selfie's face with the document's portrait.
#[utoipa::path(
    post, path = "/face/match", tag = "faces",
    request_body = FaceMatchRequest,
    responses(
        (status = 200, body = FaceMatchView),
        (status = 400, description = "empty_image or invalid_base64", body = ErrorBody),
        (status = 413, description = "image_too_large or image_dimensions_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_image_type", body = ErrorBody),
        (status = 422, description = "unreadable_image or no_face", body = ErrorBody),
        (status = 429, description = "quota_exceeded", body = ErrorBody),
        (status = 503, description = "busy or check_timed_out (with Retry-After)", body = ErrorBody),
    )
)]
pub async fn face_match(
    identity: Identity,
    state: web::Data<AppState>,
    body: Body<FaceMatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let evidence = FaceEvidence {
        selfie: from_base64("image_selfie_base64", &body.image_selfie_base64)?,
        document: from_base64("image_document_base64", &body.image_document_base64)?,
    };
    Ok(HttpResponse::Ok().json(state.services.checks.face_match(ctx, evidence).await?))
}
