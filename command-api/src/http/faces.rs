//! `POST /face/match` (CHK-4, seed 003 §8.4): the selfie's face against the
//! document's portrait, with MobileFaceNet embeddings; the threshold is the
//! tenant's, else the service default chosen from the ROC (docs/accuracy.md).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use veritrail_domain::tenant::Module;
use veritrail_face::{Comparison, FaceEngine, FaceError, FoundFace, MIN_EYE_DISTANCE};

use super::auth::Auth;
use super::elapsed_ms;
use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::ocr::{decode_image, image_refusal};
use super::usage::metered;
use crate::compute::ComputePool;
use crate::metering::Metering;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceMatchRequest {
    /// The live photo, base64 JPEG, PNG or WebP (≤ 10 MB); EXIF orientation is honoured.
    pub image_selfie_base64: String,
    /// The document page or its portrait; the largest face is compared.
    pub image_document_base64: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FaceView {
    /// Detection confidence, 0–1.
    pub score: f32,
    /// Left, top, width, height in the image's pixels.
    pub bbox: [f32; 4],
    pub eye_distance_px: f32,
    /// Other faces found in the same image.
    pub other_faces: usize,
}

/// seed 003's `usage` note on a billed call's answer.
#[derive(Debug, Serialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct FaceMatchView {
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Cosine similarity of the face embeddings, clipped to 0–1.
    pub similarity: f64,
    /// The similarity a match needs (the tenant's or the default).
    pub threshold: f64,
    pub selfie: FaceView,
    pub document: FaceView,
    /// What would make the comparison more reliable.
    pub hints: Vec<String>,
    pub processing_ms: f64,
    pub usage: UsageNote,
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn face_view(found: &FoundFace) -> FaceView {
    FaceView {
        score: (found.face.score * 1000.0).round() / 1000.0,
        bbox: found.face.bbox.map(|v| v.round()),
        eye_distance_px: found.face.eye_distance().round(),
        other_faces: found.others,
    }
}

fn hints(c: &Comparison) -> Vec<String> {
    let mut hints = Vec::new();
    let [selfie, document] = &c.faces;
    if selfie.face.eye_distance() < MIN_EYE_DISTANCE {
        hints.push("The face in the selfie is small: hold the camera closer.".to_owned());
    }
    if document.face.eye_distance() < MIN_EYE_DISTANCE {
        hints.push(
            "The document portrait is small: photograph the document closer or at a higher resolution."
                .to_owned(),
        );
    }
    if selfie.others > 0 {
        hints.push(
            "More than one face is in the selfie: only the person being verified should be in it."
                .to_owned(),
        );
    }
    hints
}

fn face_error(error: FaceError) -> ApiError {
    match error {
        FaceError::NoFace(which) | FaceError::Unalignable(which) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_face",
            format!("no usable face was found in the {which} image"),
        )
        .with_details(json!({ "image": which })),
        e => {
            tracing::error!(error = %e, "face match failed");
            ApiError::internal()
        }
    }
}

/// Decodes a vetted upload (run it on the compute pool).
pub(super) fn decode_photo(field: &str, bytes: &[u8]) -> Result<image::RgbImage, ApiError> {
    veritrail_face::decode_photo(bytes).map_err(|refusal| image_refusal(field, refusal))
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
    faces: web::Data<Arc<FaceEngine>>,
    auth: web::Data<Auth>,
    metering: web::Data<Arc<Metering>>,
    compute: web::Data<ComputePool>,
    body: web::Json<FaceMatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let threshold = auth
        .tenants
        .policy(&ctx.tenant)
        .await?
        .face_match_threshold
        .unwrap_or(veritrail_face::DEFAULT_MATCH_THRESHOLD);
    let work = async move {
        let started = std::time::Instant::now();
        let body = body.into_inner();
        let selfie = decode_image("image_selfie_base64", &body.image_selfie_base64)?;
        let document = decode_image("image_document_base64", &body.image_document_base64)?;
        let engine = faces.get_ref().clone();
        let compared = compute
            .run(move || {
                let selfie = decode_photo("image_selfie_base64", &selfie)?;
                let document = decode_photo("image_document_base64", &document)?;
                engine
                    .compare(&selfie, "selfie", &document, "document")
                    .map_err(face_error)
            })
            .await??;
        let similarity = f64::from(compared.similarity);
        Ok(HttpResponse::Ok().json(FaceMatchView {
            is_match: similarity >= threshold,
            similarity: round3(similarity),
            threshold,
            selfie: face_view(&compared.faces[0]),
            document: face_view(&compared.faces[1]),
            hints: hints(&compared),
            processing_ms: elapsed_ms(started),
            usage: UsageNote::billed(Module::FaceMatch),
        }))
    };
    metered(&metering, ctx, Module::FaceMatch, work).await
}
