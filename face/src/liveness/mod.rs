//! Liveness (CHK-1): is a live person in front of the camera, or a photo, a
//! screen or a mask? No single passive score answers that on still photos,
//! so the verdict combines
//! - an **active challenge**: a random sequence of head movements the person
//!   performs in a few frames, checked from the landmarks, every frame the
//!   same person as the first (a replayed photo or video cannot follow a
//!   sequence it did not know);
//! - **passive cues** per frame: spectral peaks of screen moiré and print
//!   halftone, a print's compressed tones, the anti-spoofing model's score,
//!   face size and sharpness.
//!
//! A single frame without a challenge can at best be "no spoof evidence
//! found", which is reported with a capped confidence and a hint.

pub mod antispoof;
pub mod cues;
pub mod pose;

use image::RgbImage;
use serde::Serialize;

pub use antispoof::SPOOF_SCORE;
pub use cues::Cues;
pub use pose::{Pose, Step};

use crate::detect::Face;
use crate::embed::Embedding;
use crate::{FaceEngine, FaceError};

/// Spectral peak-to-median ratio above which a face shows a screen's moiré
/// or a print's halftone (docs/accuracy.md).
pub const PERIODIC: f32 = 45.0;
/// Luminance spread (2nd–98th percentile) below which the skin's tones are
/// as flat as a print's.
pub const FLAT: f32 = 0.32;
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
    pub embedding: Embedding,
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
            .map(|(i, ((f, image), embedding))| Frame {
                face: f.face,
                faces: f.others + 1,
                pose: Pose::of(&f.face),
                cues: cues::measure(image, &f.face),
                model_score: if i == 0 { model_score } else { None },
                embedding,
            })
            .collect())
    }
}

fn reason(code: &'static str, message: impl Into<String>, frame: Option<usize>) -> Reason {
    Reason {
        code,
        message: message.into(),
        frame,
    }
}

/// Passive evidence of every frame: (hard evidence, soft evidence, hints, spoof type).
fn passive(frames: &[Frame]) -> (Vec<Reason>, Vec<Reason>, Vec<String>, SpoofType) {
    let (mut hard, mut soft, mut hints) = (Vec::new(), Vec::new(), Vec::new());
    let mut spoof = SpoofType::None;
    for (i, f) in frames.iter().enumerate() {
        let at = Some(i);
        if f.cues.periodicity > PERIODIC {
            let (kind, what) = if f.cues.dynamic_range < FLAT {
                (SpoofType::Paper, "a printed halftone")
            } else {
                (SpoofType::Screen, "a screen's moiré")
            };
            hard.push(reason(
                "periodic_pattern",
                format!(
                    "the skin shows a regular pattern like {what} (spectral peak {:.0} > {PERIODIC:.0})",
                    f.cues.periodicity
                ),
                at,
            ));
            spoof = kind;
        } else if f.cues.dynamic_range < FLAT {
            hard.push(reason(
                "flat_tones",
                format!(
                    "the face's tones are as flat as a print's (spread {:.2} < {FLAT:.2})",
                    f.cues.dynamic_range
                ),
                at,
            ));
            if spoof == SpoofType::None {
                spoof = SpoofType::Paper;
            }
        }
        if let Some(score) = f.model_score.filter(|s| *s > SPOOF_SCORE) {
            soft.push(reason(
                "model_suspects_spoof",
                format!("the anti-spoofing model scores {score:.2} (> {SPOOF_SCORE})"),
                at,
            ));
        }
        if f.faces > 1 {
            hard.push(reason(
                "several_faces",
                format!("{} faces are in the frame", f.faces),
                at,
            ));
            if spoof == SpoofType::None {
                spoof = SpoofType::Unknown;
            }
        }
        if f.cues.sharpness < SOFT {
            soft.push(reason("soft_image", "the frame is blurred", at));
            hints.push("Hold the camera still, in good light.".to_owned());
        }
        // A turned head shows the eyes closer: the size is judged facing the camera.
        if i == 0 && f.face.eye_distance() < MIN_EYE_DISTANCE {
            hard.push(reason(
                "face_too_small",
                format!(
                    "the face is too small to judge ({:.0} px between the eyes, at least {MIN_EYE_DISTANCE:.0})",
                    f.face.eye_distance()
                ),
                at,
            ));
            hints.push("Move closer to the camera.".to_owned());
        }
    }
    if frames.iter().any(|f| f.faces > 1) {
        hints.push("Only the person being verified should be in the picture.".to_owned());
    }
    hints.dedup();
    (hard, soft, hints, spoof)
}

/// Whether the frames perform the challenge: the first faces the camera,
/// each next one performs the next step, all show the same person.
fn challenge(steps: &[Step], frames: &[Frame]) -> Vec<Reason> {
    let mut failed = Vec::new();
    if frames.len() != steps.len() + 1 {
        failed.push(reason(
            "wrong_frame_count",
            format!(
                "the challenge needs {} frames (a neutral one, then one per step), got {}",
                steps.len() + 1,
                frames.len()
            ),
            None,
        ));
        return failed;
    }
    let neutral = &frames[0];
    if !neutral.pose.is_frontal() {
        failed.push(reason(
            "not_facing_camera",
            "the first frame must face the camera",
            Some(0),
        ));
    }
    // Front cameras often mirror what they save: a sequence whose every
    // turn reads the other way round is the same sequence, mirrored.
    let performed = |steps: &[Step]| {
        steps
            .iter()
            .zip(&frames[1..])
            .all(|(step, frame)| frame.pose.performs(*step, &neutral.pose))
    };
    let mirrored: Vec<Step> = steps.iter().map(|s| s.mirrored()).collect();
    let steps = if !performed(steps) && performed(&mirrored) {
        &mirrored[..]
    } else {
        steps
    };
    for (i, (step, frame)) in steps.iter().zip(&frames[1..]).enumerate() {
        let at = Some(i + 1);
        if !frame.pose.performs(*step, &neutral.pose) {
            failed.push(reason(
                "step_not_performed",
                format!(
                    "frame {} does not show \"{}\" (yaw {:+.2}, pitch {:+.2} from the first frame)",
                    i + 1,
                    step.as_str(),
                    frame.pose.yaw - neutral.pose.yaw,
                    frame.pose.pitch - neutral.pose.pitch
                ),
                at,
            ));
        }
        let same = frame.embedding.cosine(&neutral.embedding);
        if same < SAME_PERSON {
            failed.push(reason(
                "different_person",
                format!(
                    "frame {} shows another person (similarity {same:.2})",
                    i + 1
                ),
                at,
            ));
        }
    }
    failed
}

/// The verdict on `frames`, with `steps` when a challenge was taken.
pub fn verdict(steps: Option<&[Step]>, frames: &[Frame]) -> Verdict {
    let (hard, soft, mut hints, passive_spoof) = passive(frames);
    let failed = steps.map(|s| challenge(s, frames)).unwrap_or_default();
    let mut reasons: Vec<Reason> = hard.iter().chain(&failed).chain(&soft).cloned().collect();
    let model_doubts = soft.iter().any(|r| r.code == "model_suspects_spoof");
    let spoof_type = if passive_spoof != SpoofType::None {
        passive_spoof
    } else if !failed.is_empty() {
        SpoofType::Unknown
    } else if steps.is_none() && model_doubts {
        // Without a challenge the model's doubt is all there is.
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
    Verdict {
        is_live,
        spoof_type,
        confidence: (confidence * 100.0).round() / 100.0,
        reasons,
        hints,
    }
}
