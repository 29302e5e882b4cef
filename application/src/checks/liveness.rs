//! Liveness (CHK-1): a random head-movement challenge and its answer —
//! or, without a challenge, one selfie judged on passive evidence alone (a
//! weaker verdict, said so in the answer).

use std::sync::Arc;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use veritrail_domain::tenant::Module;
use veritrail_face::liveness::{self, Reason, SpoofType, Step};
use veritrail_face::{FaceEngine, FaceError};

use super::error::{CheckError, FaceIn};
use super::evidence::decode_photo;
use super::{elapsed_ms, UsageNote};
use crate::challenges::Challenges;
use crate::compute::ComputePool;

/// Frames an answer may carry (a neutral one and one per step).
pub const MAX_FRAMES: usize = 1 + crate::challenges::STEPS;

/// What is judged: vetted images, each named by its request field.
#[derive(Debug, Clone)]
pub enum LivenessEvidence {
    /// One selfie, judged on passive evidence only.
    Passive { field: String, image: Vec<u8> },
    /// A challenge's frames: first facing the camera, then one per step.
    Challenge {
        challenge_id: String,
        nonce: String,
        frames: Vec<(String, Vec<u8>)>,
    },
    /// A challenge already taken (nonce and expiry checked when a case's
    /// submission named it) and the frames that answer its `steps`.
    Answered {
        steps: Vec<String>,
        frames: Vec<(String, Vec<u8>)>,
    },
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    /// turn_left, turn_right, look_up or look_down (the person's own left and right).
    pub step: String,
    pub instruction: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeView {
    pub challenge_id: String,
    /// Send it back with the frames.
    pub nonce: String,
    /// In order, after a first frame facing the camera.
    pub steps: Vec<StepView>,
    pub frames_expected: usize,
    pub expires_at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameView {
    pub yaw: f32,
    pub pitch: f32,
    pub eye_distance_px: f32,
    /// Spectral peak ratio of the skin (moiré, halftone).
    pub periodicity: f32,
    /// The same ratio for the peak's partner a quarter turn away: high for
    /// a 2-D lattice (a halftone's dots, a screen's pixels).
    pub lattice: f32,
    /// Luminance spread of the face, 0–1.
    pub dynamic_range: f32,
    pub sharpness: f32,
    /// The anti-spoofing model's score (first frame only), 0 live … 1 spoof;
    /// recorded as a doubt, never decisive (docs/accuracy.md).
    pub model_score: Option<f32>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonView {
    pub code: String,
    pub message: String,
    pub frame: Option<usize>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivenessView {
    pub is_live: bool,
    /// none, screen, paper, mask, deepfake or unknown.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
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

/// A challenge's answer carries one frame facing the camera, then at most
/// one per step (callers may check this before vetting the frames).
pub fn check_frame_count(frames: usize) -> Result<(), CheckError> {
    if frames == 0 || frames > MAX_FRAMES {
        let expected =
            format!("1 to {MAX_FRAMES} frames: one facing the camera, then one per step");
        return Err(CheckError::invalid("frames", expected));
    }
    Ok(())
}

fn no_face(frame: usize, error: FaceError) -> CheckError {
    match error {
        FaceError::NoFace(_) | FaceError::Unalignable(_) => {
            CheckError::NoFace(FaceIn::Frame(frame))
        }
        FaceError::Unusable { reason, .. } => CheckError::UnusableFace {
            place: FaceIn::Frame(frame),
            reason,
        },
        e => CheckError::Engine {
            check: "liveness",
            detail: e.to_string(),
        },
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Issues a challenge for `tenant`.
pub(crate) async fn challenge(
    challenges: &Challenges,
    tenant: &str,
) -> Result<ChallengeView, CheckError> {
    let issued = challenges.issue(tenant, now()).await?;
    let expires_at = OffsetDateTime::from_unix_timestamp(issued.expires_at)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default();
    Ok(ChallengeView {
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
    })
}

/// Judges `evidence` (unmetered: the caller meters). The images are decoded
/// before the challenge is taken, so a broken upload does not spend it.
pub(crate) async fn analyze(
    faces: &Arc<FaceEngine>,
    challenges: &Challenges,
    compute: &ComputePool,
    tenant: &str,
    evidence: LivenessEvidence,
) -> Result<LivenessView, CheckError> {
    let started = std::time::Instant::now();
    let (uploads, challenge, taken) = match evidence {
        LivenessEvidence::Passive { field, image } => (vec![(field, image)], None, None),
        LivenessEvidence::Answered { steps, frames } => {
            check_frame_count(frames.len())?;
            let steps: Vec<Step> = steps.iter().filter_map(|s| Step::parse(s)).collect();
            (frames, None, Some(steps))
        }
        LivenessEvidence::Challenge {
            challenge_id,
            nonce,
            frames,
        } => {
            check_frame_count(frames.len())?;
            (frames, Some((challenge_id, nonce)), None)
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
        Some((id, nonce)) => Some(challenges.take(tenant, &id, &nonce, now()).await?),
        None => taken,
    };
    let engine = faces.clone();
    let frames = compute
        .run(move || engine.frames(&images))
        .await?
        .map_err(|(i, e)| no_face(i, e))?;
    let verdict = liveness::verdict(steps.as_deref(), &frames);
    Ok(LivenessView {
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
                lattice: round2(f.cues.lattice),
                dynamic_range: round2(f.cues.dynamic_range),
                sharpness: (f.cues.sharpness * 1000.0).round() / 1000.0,
                model_score: f.model_score.map(round2),
            })
            .collect(),
        processing_ms: elapsed_ms(started),
        usage: UsageNote::billed(Module::Liveness),
    })
}
