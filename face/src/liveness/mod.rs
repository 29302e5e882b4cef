//! Liveness (CHK-1): is a live person in front of the camera, or a photo, a
//! screen or a mask? No single passive score answers that on still photos,
//! so the verdict combines
//! - an **active challenge**: a random sequence of head movements the person
//!   performs in a few frames, checked from the landmarks (`challenge`):
//!   each step performed, as one rigid head turning in 3-D (the nose moves
//!   against the plane of the eyes and mouth: `rigid`), in front of a
//!   background that stays where it was and was captured again (`scene`),
//!   every frame the same person as the first;
//! - **passive cues** per frame: spectral peaks of screen moiré and print
//!   halftone (and a halftone's lattice), a print's compressed tones,
//!   straight edges framing the face like a print or a phone held up
//!   (`border`), face size and sharpness; the anti-spoofing model's score
//!   is recorded as a doubt and never decides.
//!
//! A single frame without a challenge can at best be "no spoof evidence
//! found", which is reported with a capped confidence and a hint.

pub mod antispoof;
pub mod border;
mod challenge;
pub mod cues;
mod homography;
mod passive;
pub mod pose;
pub mod rigid;
pub mod scene;

use image::RgbImage;
use serde::Serialize;

pub use antispoof::SPOOF_SCORE;
pub use cues::Cues;
pub use pose::{Pose, Step};

use crate::detect::Face;
use crate::embed::Embedding;
use crate::{FaceEngine, FaceError};

/// Spectral peak-to-median ratio (the skin's spectrum averaged over four
/// patches) above which a face shows a screen's moiré or a print's halftone
/// (docs/accuracy.md).
pub const PERIODIC: f32 = 32.0;
/// The same ratio for the peak's partner a quarter turn away, above which
/// the pattern is a 2-D lattice: a halftone's dots or a screen's pixels.
pub const LATTICE: f32 = 22.0;
/// Luminance spread (2nd–98th percentile) below which the skin's tones are
/// as flat as a print's.
pub const FLAT: f32 = 0.32;
/// Sides of the face framed by straight edges from which the frame is taken
/// for a picture held up.
pub const FRAMED: usize = 3;
/// Sharpness below which a frame is too soft to judge well.
pub const SOFT: f32 = 0.012;
/// Cosine similarity every frame must have with the first (same person):
/// the face match EER point, since a turned head lowers the similarity.
pub const SAME_PERSON: f32 = 0.35;
/// Eye distance (pixels) below which a frame is too small to judge head
/// movements and skin texture: a selfie camera sees 80 or more.
pub const MIN_EYE_DISTANCE: f32 = 48.0;

/// seed 003's `spoof_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpoofType {
    None,
    Screen,
    Paper,
    Mask,
    Deepfake,
    Unknown,
}

/// One piece of evidence against liveness (or a caveat), with its code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub message: String,
    /// The frame it concerns (0-based), if one.
    pub frame: Option<usize>,
}

/// What one frame shows.
#[derive(Debug, Clone)]
pub struct Frame {
    pub face: Face,
    /// Faces in the frame.
    pub faces: usize,
    pub pose: Pose,
    pub cues: Cues,
    /// The anti-spoofing model's score, 0 live … 1 spoof (the first frame
    /// only: it barely moves with the head).
    pub model_score: Option<f32>,
    /// Sides of the face (0–4) along which a long straight edge runs, as a
    /// held-up print's or phone's does (the first frame only).
    pub framed_sides: Option<usize>,
    pub embedding: Embedding,
    /// The frame's grey thumbnail, for the background.
    pub scene: scene::Scene,
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub is_live: bool,
    pub spoof_type: SpoofType,
    /// How sure the verdict is, 0–1.
    pub confidence: f32,
    pub reasons: Vec<Reason>,
    pub hints: Vec<String>,
}

impl FaceEngine {
    /// The frames of a challenge, on two threads: detection, alignment and
    /// cues per frame, embeddings two faces per run, the anti-spoofing
    /// model on the first (neutral) frame only — its score barely moves
    /// with the head, and it is the slowest model. Errors name the frame.
    pub fn frames(&self, images: &[RgbImage]) -> Result<Vec<Frame>, (usize, FaceError)> {
        let half = images.len().div_ceil(2);
        let found: Vec<Result<crate::FoundFace, (usize, FaceError)>> = std::thread::scope(|s| {
            let chunks: Vec<_> = images
                .chunks(half.max(1))
                .enumerate()
                .map(|(c, chunk)| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .enumerate()
                            .map(|(i, image)| {
                                self.find(image, "frame").map_err(|e| (c * half + i, e))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            chunks
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![Err((
                            0,
                            FaceError::Inference("a frame worker failed".into()),
                        ))]
                    })
                })
                .collect()
        });
        let found: Vec<crate::FoundFace> = found.into_iter().collect::<Result<_, _>>()?;
        let mut embeddings = Vec::with_capacity(found.len());
        for pair in found.chunks(2) {
            let second = pair.get(1).unwrap_or(&pair[0]);
            let [a, b] = self
                .embedder
                .embed_pair(&pair[0].aligned, &second.aligned)
                .map_err(|e| (embeddings.len(), e))?;
            embeddings.push(a);
            if pair.len() == 2 {
                embeddings.push(b);
            }
        }
        let model_score = match (images.first(), found.first()) {
            (Some(image), Some(f)) => {
                Some(self.antispoof.score(image, &f.face).map_err(|e| (0, e))?)
            }
            _ => None,
        };
        Ok(found
            .iter()
            .zip(images)
            .zip(embeddings)
            .enumerate()
            .map(|(i, ((f, image), embedding))| {
                (i, f, image::imageops::grayscale(image), embedding)
            })
            .map(|(i, f, grey, embedding)| Frame {
                face: f.face,
                faces: f.others + 1,
                pose: Pose::of(&f.face),
                cues: cues::measure(&grey, &f.face),
                model_score: if i == 0 { model_score } else { None },
                framed_sides: (i == 0).then(|| border::framed_sides(&grey, &f.face)),
                embedding,
                scene: scene::Scene::of(&grey),
            })
            .collect())
    }
}

pub(crate) fn reason(
    code: &'static str,
    message: impl Into<String>,
    frame: Option<usize>,
) -> Reason {
    Reason {
        code,
        message: message.into(),
        frame,
    }
}

/// The verdict on `frames`, with `steps` when a challenge was taken.
pub fn verdict(steps: Option<&[Step]>, frames: &[Frame]) -> Verdict {
    let (hard, soft, mut hints, passive_spoof) = passive::evidence(frames);
    let failed = steps
        .map(|s| challenge::failures(s, frames))
        .unwrap_or_default();
    let mut reasons: Vec<Reason> = hard.iter().chain(&failed).chain(&soft).cloned().collect();
    // The anti-spoofing model never decides, with or without a challenge:
    // its score is all but binary and calls genuine photos spoofs under
    // ordinary capture conditions (docs/accuracy.md); it lowers the
    // confidence of a live verdict as a doubt.
    let spoof_type = if passive_spoof != SpoofType::None {
        passive_spoof
    } else if !failed.is_empty() {
        SpoofType::Unknown
    } else {
        SpoofType::None
    };
    let too_small = hard.iter().any(|r| r.code == "face_too_small");
    let is_live = spoof_type == SpoofType::None && !too_small;
    let confidence = if is_live {
        let base = if steps.is_some() { 0.95 } else { 0.6 };
        let doubts = soft.len() as f32;
        (base * 0.85f32.powf(doubts)).max(0.3)
    } else if !hard.is_empty() || !failed.is_empty() {
        0.9
    } else {
        0.55
    };
    if steps.is_none() {
        reasons.push(reason(
            "no_challenge",
            "a single frame without an active challenge cannot prove liveness",
            None,
        ));
        hints.push(
            "Take the active challenge (POST /liveness/challenge) for a reliable result."
                .to_owned(),
        );
    }
    if !failed.is_empty() {
        hints.push(
            "Follow the on-screen movements, one frame per step, facing the camera first."
                .to_owned(),
        );
    }
    if failed.iter().any(|r| r.code == "scene_changed") {
        hints.push("Hold the phone still and move only your head.".to_owned());
    }
    Verdict {
        is_live,
        spoof_type,
        confidence: (confidence * 100.0).round() / 100.0,
        reasons,
        hints,
    }
}
