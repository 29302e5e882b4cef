//! Liveness over HTTP (CHK-1, seed 003 §8.1): `POST /liveness/challenge`
//! issues a random head-movement sequence; `POST /liveness/analyze` judges
//! the frames answering it — or, without a challenge, one selfie on passive
//! evidence alone (a weaker verdict, said so in the answer).

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::tenant::Module;
use veritrail_face::liveness::{self, Reason, SpoofType, Step};
use veritrail_face::{FaceEngine, FaceError};

use super::elapsed_ms;
use super::error::{ApiError, ErrorBody};
use super::faces::{decode_photo, UsageNote};
use super::identity::{Identity, CLIENTS};
use super::ocr::decode_image;
use super::usage::metered;
use crate::challenges::{ChallengeError, Challenges};
use crate::compute::ComputePool;
use crate::metering::Metering;

/// Frames an answer may carry (a neutral one and one per step).
pub const MAX_FRAMES: usize = 1 + crate::challenges::STEPS;

/// The largest body accepted: every frame at the largest image size.
pub const BODY_LIMIT: usize = MAX_FRAMES * super::ocr::OCR_BODY_LIMIT / 2;

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    /// turn_left, turn_right, look_up or look_down (the person's own left and right).
    pub step: String,
    pub instruction: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeView {
    pub challenge_id: String,
    /// Send it back with the frames.
    pub nonce: String,
    /// In order, after a first frame facing the camera.
    pub steps: Vec<StepView>,
    pub frames_expected: usize,
    pub expires_at: String,
}

impl From<ChallengeError> for ApiError {
    fn from(error: ChallengeError) -> Self {
        let message = error.to_string();
        match error {
            ChallengeError::Unknown => {
                ApiError::new(StatusCode::NOT_FOUND, "challenge_not_found", message)
            }
            ChallengeError::Used => ApiError::new(StatusCode::CONFLICT, "challenge_used", message),
            ChallengeError::Expired => {
                ApiError::new(StatusCode::CONFLICT, "challenge_expired", message)
            }
            ChallengeError::WrongNonce => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "challenge_nonce_mismatch",
                message,
            ),
            ChallengeError::Store(e) => ApiError::database(&e, "challenge storage"),
        }
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Issue a liveness challenge: a random sequence of head movements to
/// perform, one frame each after a frame facing the camera, within 2 minutes.
#[utoipa::path(
    post, path = "/liveness/challenge", tag = "faces",
    responses((status = 201, body = ChallengeView))
)]
pub async fn challenge(
    identity: Identity,
    challenges: web::Data<Challenges>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let issued = challenges.issue(ctx.tenant.as_str(), now()).await?;
    let expires_at = OffsetDateTime::from_unix_timestamp(issued.expires_at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(ChallengeView {
            frames_expected: issued.steps.len() + 1,
            steps: issued
                .steps
                .iter()
                .map(|s| StepView {
                    step: s.as_str().to_owned(),
                    instruction: s.instruction().to_owned(),
                })
                .collect(),
            challenge_id: issued.challenge_id,
            nonce: issued.nonce,
            expires_at,
        }))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameView {
    pub yaw: f32,
    pub pitch: f32,
    pub eye_distance_px: f32,
    /// Spectral peak ratio of the skin (moiré, halftone).
    pub periodicity: f32,
    /// Luminance spread of the face, 0–1.
    pub dynamic_range: f32,
    pub sharpness: f32,
    /// The anti-spoofing model's score (first frame only), 0 live … 1 spoof.
    pub model_score: Option<f32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    pub code: String,
    pub message: String,
    pub frame: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LivenessView {
    pub is_live: bool,
    /// none, screen, paper, mask, deepfake or unknown.
    #[schema(value_type = String)]
    pub spoof_type: SpoofType,
    pub confidence: f32,
    pub hints: Vec<String>,
    /// The evidence behind the verdict.
    pub reasons: Vec<ReasonView>,
    /// Whether an active challenge was answered (and its steps).
    pub challenge: Option<Vec<String>>,
    pub frames: Vec<FrameView>,
    pub processing_ms: f64,
    pub usage: UsageNote,
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

fn reason_view(r: Reason) -> ReasonView {
    ReasonView {
        code: r.code.to_owned(),
        message: r.message,
        frame: r.frame,
    }
}

fn no_face(frame: usize, error: FaceError) -> ApiError {
    match error {
        FaceError::NoFace(_) | FaceError::Unalignable(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_face",
            format!("no usable face was found in frame {frame}"),
        )
        .with_details(json!({ "frame": frame })),
        e => {
            tracing::error!(error = %e, "liveness failed");
            ApiError::internal()
        }
    }
}

/// What was asked: one selfie, or a challenge's frames.
enum Ask {
    Passive(String),
    Challenge(String, String, Vec<String>),
}

fn ask(body: AnalyzeRequest) -> Result<Ask, ApiError> {
    let AnalyzeRequest {
        image_live_base64,
        challenge_id,
        nonce,
        frames,
        hints,
    } = body;
    if hints.as_ref().is_some_and(|h| !h.is_object()) {
        return Err(ApiError::validation(
            "hints",
            "an object, e.g. {\"pose\": true}",
        ));
    }
    match (image_live_base64, challenge_id, nonce, frames) {
        (Some(image), None, None, None) => Ok(Ask::Passive(image)),
        (None, Some(id), Some(nonce), Some(frames)) => {
            if frames.is_empty() || frames.len() > MAX_FRAMES {
                return Err(ApiError::validation(
                    "frames",
                    format!("1 to {MAX_FRAMES} frames: one facing the camera, then one per step"),
                ));
            }
            Ok(Ask::Challenge(id, nonce, frames))
        }
        _ => Err(ApiError::validation(
            "body",
            "send either image_live_base64, or challenge_id, nonce and frames",
        )),
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
    faces: web::Data<Arc<FaceEngine>>,
    challenges: web::Data<Challenges>,
    metering: web::Data<Arc<Metering>>,
    compute: web::Data<ComputePool>,
    body: web::Json<AnalyzeRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let tenant = ctx.tenant.to_string();
    let work = async move {
        let started = std::time::Instant::now();
        // Decode first: a malformed upload must not spend the challenge.
        let (uploads, challenge) = match ask(body.into_inner())? {
            Ask::Passive(image) => (
                vec![(
                    "image_live_base64".to_owned(),
                    decode_image("image_live_base64", &image)?,
                )],
                None,
            ),
            Ask::Challenge(id, nonce, frames) => {
                let uploads = frames
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let field = format!("frames[{i}]");
                        decode_image(&field, f).map(|bytes| (field, bytes))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                (uploads, Some((id, nonce)))
            }
        };
        let images = compute
            .run(move || {
                uploads
                    .iter()
                    .map(|(field, bytes)| decode_photo(field, bytes))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await??;
        let steps: Option<Vec<Step>> = match challenge {
            Some((id, nonce)) => Some(challenges.take(&tenant, &id, &nonce, now()).await?),
            None => None,
        };
        let engine = faces.get_ref().clone();
        let frames = compute
            .run(move || engine.frames(&images))
            .await?
            .map_err(|(i, e)| no_face(i, e))?;
        let verdict = liveness::verdict(steps.as_deref(), &frames);
        Ok(HttpResponse::Ok().json(LivenessView {
            is_live: verdict.is_live,
            spoof_type: verdict.spoof_type,
            confidence: verdict.confidence,
            hints: verdict.hints,
            reasons: verdict.reasons.into_iter().map(reason_view).collect(),
            challenge: steps.map(|s| s.iter().map(|s| s.as_str().to_owned()).collect()),
            frames: frames
                .iter()
                .map(|f| FrameView {
                    yaw: round2(f.pose.yaw),
                    pitch: round2(f.pose.pitch),
                    eye_distance_px: f.face.eye_distance().round(),
                    periodicity: round2(f.cues.periodicity),
                    dynamic_range: round2(f.cues.dynamic_range),
                    sharpness: (f.cues.sharpness * 1000.0).round() / 1000.0,
                    model_score: f.model_score.map(round2),
                })
                .collect(),
            processing_ms: elapsed_ms(started),
            usage: UsageNote::billed(Module::Liveness),
        }))
    };
    metered(&metering, ctx, Module::Liveness, work).await
}
