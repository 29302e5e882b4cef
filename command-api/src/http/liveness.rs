//! Liveness over HTTP (CHK-1, seed 003 §8.1): `POST /liveness/challenge`
//! issues a random head-movement sequence; `POST /liveness/analyze` judges
//! the frames answering it, or one selfie on passive evidence alone.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use veritrail_application::checks::evidence::from_base64;
use veritrail_application::checks::liveness::{
    check_frame_count, ChallengeView, LivenessEvidence, LivenessView,
};

use super::body::Body;
use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::state::AppState;
use veritrail_domain::ActorKind::{Individual, Officer, Operator, Organisation};

/// Issue a liveness challenge: a random sequence of head movements to
/// perform, one frame each after a frame facing the camera, within 2 minutes.
#[utoipa::path(
    post, path = "/liveness/challenge", tag = "faces",
    responses((status = 201, body = ChallengeView))
)]
pub async fn challenge(
    identity: Identity,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Individuals too: their case's liveness check answers one.
    let ctx = identity.require(&[Organisation, Officer, Operator, Individual])?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(state.services.checks.liveness_challenge(ctx).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    /// One selfie, judged on passive evidence only (seed 003's form).
    #[serde(default)]
    pub image_live_base64: Option<String>,
    /// The challenge answered by `frames`.
    #[serde(default)]
    pub challenge_id: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    /// The frames, base64 JPEG/PNG/WebP: first facing the camera, then one
    /// per step in order.
    #[serde(default)]
    pub frames: Option<Vec<String>>,
    /// Accepted for compatibility with seed 003 (`{"pose": true, "blink": true}`):
    /// an object; the checks run are the same either way.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub hints: Option<serde_json::Value>,
}

impl AnalyzeRequest {
    /// One selfie, or a challenge's frames, vetted (a malformed upload is
    /// refused before the challenge is spent).
    fn evidence(self) -> Result<LivenessEvidence, ApiError> {
        let AnalyzeRequest {
            image_live_base64,
            challenge_id,
            nonce,
            frames,
            hints,
        } = self;
        if hints.as_ref().is_some_and(|h| !h.is_object()) {
            return Err(ApiError::validation(
                "hints",
                "an object, e.g. {\"pose\": true}",
            ));
        }
        match (image_live_base64, challenge_id, nonce, frames) {
            (Some(image), None, None, None) => Ok(LivenessEvidence::Passive {
                image: from_base64("image_live_base64", &image)?,
                field: "image_live_base64".to_owned(),
            }),
            (None, Some(challenge_id), Some(nonce), Some(frames)) => {
                check_frame_count(frames.len())?;
                let frames = frames
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let field = format!("frames[{i}]");
                        from_base64(&field, f).map(|bytes| (field, bytes))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(LivenessEvidence::Challenge {
                    challenge_id,
                    nonce,
                    frames,
                })
            }
            _ => Err(ApiError::validation(
                "body",
                "send either image_live_base64, or challenge_id, nonce and frames",
            )),
        }
    }
}

/// Judge liveness: a challenge's frames (strong) or one selfie (passive only).
#[utoipa::path(
    post, path = "/liveness/analyze", tag = "faces",
    request_body = AnalyzeRequest,
    responses(
        (status = 200, body = LivenessView),
        (status = 404, description = "challenge_not_found", body = ErrorBody),
        (status = 409, description = "challenge_used or challenge_expired", body = ErrorBody),
        (status = 413, description = "image_too_large or image_dimensions_too_large", body = ErrorBody),
        (status = 415, description = "unsupported_image_type", body = ErrorBody),
        (status = 422, description = "no_face (with the frame), unreadable_image, challenge_nonce_mismatch, validation_failed", body = ErrorBody),
        (status = 503, description = "busy or check_timed_out (with Retry-After)", body = ErrorBody),
    )
)]
pub async fn analyze(
    identity: Identity,
    state: web::Data<AppState>,
    body: Body<AnalyzeRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let evidence = body.into_inner().evidence()?;
    Ok(HttpResponse::Ok().json(state.services.checks.liveness(ctx, evidence).await?))
}
