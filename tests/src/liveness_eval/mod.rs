//! The liveness evaluation set (ISO/IEC 30107-3 style), generated from the
//! real photos of `face_eval`: for every person a challenge of three random
//! steps, answered by
//! - **genuine** presentations: the photo as the neutral frame, then the
//!   photo with the head turned or tilted by a depth model of the face (a
//!   half-ellipsoid with a nose: near points move most, as in a real turn —
//!   a 2-D stand-in for real head movement), each frame shifted by up to 1 %
//!   of its width and exposed a little differently (a hand-held phone), and
//!   lightly JPEG-compressed like a camera frame;
//! - **attacks**: `screen` — the same moving frames shown on a screen and
//!   filmed again (moiré of two pixel grids, gamma, blue cast); `paper` — a
//!   halftone print with compressed tones held still (the same frame every
//!   time); `paper_bent` — the print bent to mimic the movements; `photo` —
//!   a still photo injected for every frame; `wrong_order` — the right
//!   movements in the wrong order (a pre-recorded video); `warped` — the
//!   one photo warped in 2-D to follow each step (sheared for a turn,
//!   tilted back or forward like a card in strong perspective for a tilt),
//!   so the landmarks read as the step but move as one plane;
//!   `warped_face` — only the face of the one photo bent over a dome to
//!   follow each step, the background left as it was.
//!
//! Shared by the CI test and `bench_liveness`.

use image::RgbImage;
use veritrail_face::liveness::Step;
use veritrail_face::FaceEngine;

use crate::face_eval::{self, jpeg};

pub mod passive;
mod render;

use render::pose;
pub use render::{bent_face, handheld, print, screen, warped};

/// The kinds of presentation, genuine first.
pub const KINDS: [&str; 8] = [
    "genuine",
    "screen",
    "paper",
    "paper_bent",
    "photo",
    "wrong_order",
    "warped",
    "warped_face",
];

/// One presentation: a challenge and the frames answering it.
#[derive(Debug, Clone)]
pub struct Presentation {
    pub person: String,
    pub kind: &'static str,
    pub steps: Vec<Step>,
    pub frames: Vec<RgbImage>,
}

/// A person in `image` answering `steps`: the photo facing the camera,
/// then the head moved for each step; as a camera would save them.
pub fn genuine_frames(engine: &FaceEngine, image: &RgbImage, steps: &[Step]) -> Vec<RgbImage> {
    let face = engine.find(image, "photo").expect("a face").face;
    rendered(image, &face, steps, pose)
        .iter()
        .enumerate()
        .map(|(i, f)| jpeg(&handheld(f, i), 90))
        .collect()
}

/// The photo facing the camera, then `render` of it for each step.
pub fn rendered(
    image: &RgbImage,
    face: &veritrail_face::Face,
    steps: &[Step],
    render: fn(&RgbImage, &veritrail_face::Face, Step) -> RgbImage,
) -> Vec<RgbImage> {
    std::iter::once(image.clone())
        .chain(steps.iter().map(|s| render(image, face, *s)))
        .collect()
}

/// Three distinct steps picked by `seed`.
pub fn steps(seed: usize) -> Vec<Step> {
    let mut all = Step::ALL.to_vec();
    let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let mut picked = Vec::new();
    for _ in 0..3 {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        picked.push(all.remove((s >> 33) % all.len()));
    }
    picked
}

/// Every person's presentations of every kind.
pub fn presentations(engine: &FaceEngine) -> Vec<Presentation> {
    let mut out = Vec::new();
    let people: Vec<face_eval::Photo> = face_eval::photos(engine)
        .into_iter()
        // The partial face is not a selfie.
        .filter(|p| !p.name.starts_with("obama_partial"))
        .collect();
    for (i, photo) in people.iter().enumerate() {
        // A challenge starts facing the camera; people photographed from
        // the side (some of the group) are left out.
        let Ok(found) = engine.find(&photo.image, "photo") else {
            continue;
        };
        // … and a selfie camera sees the face large enough; smaller faces
        // (Tom Hanks' 112-pixel photo, most of the group) are not valid
        // liveness input (the API refuses them with `face_too_small`).
        if !veritrail_face::liveness::Pose::of(&found.face).is_frontal()
            || found.face.eye_distance() < veritrail_face::liveness::MIN_EYE_DISTANCE
        {
            continue;
        }
        let challenge = steps(i);
        let neutral = photo.image.clone();
        let moving: Vec<RgbImage> = rendered(&neutral, &found.face, &challenge, pose)
            .iter()
            .enumerate()
            .map(|(i, f)| handheld(f, i))
            .collect();
        let camera = |frames: &[RgbImage]| frames.iter().map(|f| jpeg(f, 90)).collect::<Vec<_>>();
        let still = vec![neutral.clone(); challenge.len() + 1];
        let flat = rendered(&neutral, &found.face, &challenge, warped);
        let bent = rendered(&neutral, &found.face, &challenge, bent_face);
        let mut reordered = moving.clone();
        reordered[1..].rotate_left(1);
        for (kind, frames) in [
            ("genuine", camera(&moving)),
            ("screen", moving.iter().map(screen).collect()),
            ("paper", still.iter().map(print).collect()),
            ("paper_bent", moving.iter().map(print).collect()),
            ("photo", camera(&still)),
            ("wrong_order", camera(&reordered)),
            ("warped", camera(&flat)),
            ("warped_face", camera(&bent)),
        ] {
            out.push(Presentation {
                person: photo.person.clone(),
                kind,
                steps: challenge.clone(),
                frames,
            });
        }
    }
    out
}

/// APCER of one attack kind or BPCER of the genuine ones: the share of
/// presentations classified wrongly (attacks accepted as live, genuine
/// refused).
pub fn error_rate(results: &[(&'static str, bool)], kind: &str) -> (usize, usize) {
    let of_kind: Vec<bool> = results
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, live)| *live)
        .collect();
    let wrong = if kind == "genuine" {
        of_kind.iter().filter(|live| !**live).count()
    } else {
        of_kind.iter().filter(|live| **live).count()
    };
    (wrong, of_kind.len())
}
