//! The liveness evaluation set (ISO/IEC 30107-3 style), generated from the
//! real photos of `face_eval`: for every person a challenge of three random
//! steps, answered by
//! - **genuine** presentations: the photo as the neutral frame, then the
//!   photo with the head turned or tilted by a depth model of the face (a
//!   half-ellipsoid with a nose: near points move most, as in a real turn —
//!   a 2-D stand-in for real head movement), lightly JPEG-compressed like a
//!   camera frame;
//! - **attacks**: `screen` — the same moving frames shown on a screen and
//!   filmed again (moiré of two pixel grids, gamma, blue cast); `paper` — a
//!   halftone print with compressed tones held still (the same frame every
//!   time); `paper_bent` — the print bent to mimic the movements; `photo` —
//!   a still photo injected for every frame; `wrong_order` — the right
//!   movements in the wrong order (a pre-recorded video).
//!
//! Shared by the CI test and `bench_liveness`.

use image::{Rgb, RgbImage};
use veritrail_face::liveness::Step;
use veritrail_face::FaceEngine;

use crate::face_eval::{self, jpeg};

/// The kinds of presentation, genuine first.
pub const KINDS: [&str; 6] = [
    "genuine",
    "screen",
    "paper",
    "paper_bent",
    "photo",
    "wrong_order",
];

/// One presentation: a challenge and the frames answering it.
#[derive(Debug, Clone)]
pub struct Presentation {
    pub person: String,
    pub kind: &'static str,
    pub steps: Vec<Step>,
    pub frames: Vec<RgbImage>,
}

fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (x, y) = (x.clamp(0.0, w - 1.0), y.clamp(0.0, h - 1.0));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = (
        (x0 + 1).min(image.width() - 1),
        (y0 + 1).min(image.height() - 1),
    );
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |a, b| image.get_pixel(a, b).0;
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    Rgb(std::array::from_fn(|i| {
        let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
        let bottom = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
        (top * (1.0 - fy) + bottom * fy).round() as u8
    }))
}

/// The head turned by `yaw` and tilted by `pitch` (radians): the face is
/// modelled as a half-ellipsoid with a nose on it, each point moved as its
/// depth dictates (near points — the nose — move most), the image sampled
/// back through that motion. The background stays; occlusion is ignored.
fn rotate_head(image: &RgbImage, face: &veritrail_face::Face, yaw: f32, pitch: f32) -> RgbImage {
    let [bx, by, bw, bh] = face.bbox;
    let (cx, cy) = (bx + bw / 2.0, by + bh / 2.0);
    let (a, b) = (bw * 0.6, bh * 0.62);
    let nose = face.landmarks[2];
    let sigma = face.eye_distance() * 0.3;
    let depth = |x: f32, y: f32| {
        let (u, v) = ((x - cx) / a, (y - cy) / b);
        let shell = a * (1.0 - u * u - v * v).max(0.0).sqrt();
        let (dx, dy) = (x - nose[0], y - nose[1]);
        shell + 0.45 * a * (-(dx * dx + dy * dy) / (2.0 * sigma * sigma)).exp()
    };
    let inside = |x: f32, y: f32| ((x - cx) / a).powi(2) + ((y - cy) / b).powi(2) < 1.0;
    let mut out = image.clone();
    let (x0, x1) = (
        (cx - a).max(0.0) as u32,
        ((cx + a) as u32).min(image.width()),
    );
    let (y0, y1) = (
        (cy - b).max(0.0) as u32,
        ((cy + b) as u32).min(image.height()),
    );
    let (sy, cyaw) = yaw.sin_cos();
    let (sp, cp) = pitch.sin_cos();
    for oy in y0..y1 {
        for ox in x0..x1 {
            let (tx, ty) = (ox as f32, oy as f32);
            if !inside(tx, ty) {
                continue;
            }
            // Solve for the source point whose rotated position is (tx, ty).
            let (mut x, mut y) = (tx, ty);
            for _ in 0..6 {
                let z = depth(x, y);
                x = cx + (tx - cx - z * sy) / cyaw;
                y = cy + (ty - cy - z * sp) / cp;
            }
            if inside(x, y) {
                out.put_pixel(ox, oy, bilinear(image, x, y));
            }
        }
    }
    out
}

/// A screen filmed again: two pixel grids beating (moiré), the screen's
/// gamma and its blue cast.
pub fn screen(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    let (a1, a2) = (20f32.to_radians(), (-35f32).to_radians());
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (x, y) = (x as f32, y as f32);
        let wave = 1.0
            + 0.16 * (2.0 * std::f32::consts::PI * (x * a1.cos() + y * a1.sin()) / 3.2).sin()
            + 0.10 * (2.0 * std::f32::consts::PI * (x * a2.cos() + y * a2.sin()) / 4.7).sin();
        let cast = [0.92, 1.0, 1.08];
        for c in 0..3 {
            let v = (f32::from(p[c]) / 255.0).powf(0.85) * wave * cast[c];
            p[c] = (v * 255.0).clamp(0.0, 255.0) as u8;
        }
    }
    jpeg(&out, 85)
}

/// A halftone print: tones compressed between paper white and ink black,
/// a dot screen at 45° (5.5 pixels in this photo), a warm paper tint.
pub fn print(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    let c = std::f32::consts::FRAC_1_SQRT_2;
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (u, v) = ((x as f32 + y as f32) * c, (y as f32 - x as f32) * c);
        let dots = 0.82
            + 0.18
                * (2.0 * std::f32::consts::PI * u / 5.5).cos()
                * (2.0 * std::f32::consts::PI * v / 5.5).cos();
        let tint = [1.0, 0.97, 0.9];
        for c in 0..3 {
            let v = (70.0 + f32::from(p[c]) * 120.0 / 255.0) * dots * tint[c];
            p[c] = v.clamp(0.0, 255.0) as u8;
        }
    }
    jpeg(&out, 85)
}

/// The photo as it would look performing `step`.
fn pose(image: &RgbImage, face: &veritrail_face::Face, step: Step) -> RgbImage {
    let (yaw, pitch) = match step {
        Step::TurnLeft => (30f32, 0f32),
        Step::TurnRight => (-30.0, 0.0),
        Step::LookUp => (0.0, -25.0),
        Step::LookDown => (0.0, 25.0),
    };
    rotate_head(image, face, yaw.to_radians(), pitch.to_radians())
}

/// A person in `image` answering `steps`: the photo facing the camera,
/// then the head moved for each step; as a camera would save them.
pub fn genuine_frames(engine: &FaceEngine, image: &RgbImage, steps: &[Step]) -> Vec<RgbImage> {
    let face = engine.find(image, "photo").expect("a face").face;
    std::iter::once(image.clone())
        .chain(steps.iter().map(|s| pose(image, &face, *s)))
        .map(|f| jpeg(&f, 90))
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
        let moving: Vec<RgbImage> = std::iter::once(neutral.clone())
            .chain(challenge.iter().map(|s| pose(&neutral, &found.face, *s)))
            .collect();
        let camera = |frames: &[RgbImage]| frames.iter().map(|f| jpeg(f, 90)).collect::<Vec<_>>();
        let still = vec![neutral.clone(); challenge.len() + 1];
        let mut reordered = moving.clone();
        reordered[1..].rotate_left(1);
        for (kind, frames) in [
            ("genuine", camera(&moving)),
            ("screen", moving.iter().map(screen).collect()),
            ("paper", still.iter().map(print).collect()),
            ("paper_bent", moving.iter().map(print).collect()),
            ("photo", camera(&still)),
            ("wrong_order", camera(&reordered)),
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
