//! The passive liveness set: one selfie, no challenge (issue 15, CHK-1).
//! Genuine: every real photo of `face_eval` whose face a selfie camera
//! would see (facing it, at least `MIN_EYE_DISTANCE` between the eyes),
//! as taken and under the capture conditions a phone sees (rotated, dark,
//! over-exposed, heavy JPEG). Attacks, made from each of them:
//! - `screen`: shown on a screen and photographed (moiré, gamma, blue cast);
//! - `print`: a halftone print (5.5-pixel dots, compressed tones);
//! - `fine_print`: a finer, higher-contrast halftone (3-pixel dots at 15°,
//!   tones compressed less) — the prints that pass for a photo at a glance;
//! - `photo_of_photo`: a continuous-tone photo print (no halftone to see,
//!   tones a little compressed) held up in front of the camera — smaller,
//!   with its white border, on a desk, slightly rotated;
//! - `phone_replay`: the photo on a high-density phone screen (no moiré,
//!   the screen's gamma and blue cast) held up — its black bezel around it.

use image::{Rgb, RgbImage};
use veritrail_face::liveness::{Pose, MIN_EYE_DISTANCE};
use veritrail_face::FaceEngine;

use super::render::bilinear;
use super::{print, screen};
use crate::face_eval::{self, jpeg};

/// Kinds of passive presentation, genuine first.
pub const KINDS: [&str; 6] = [
    "genuine",
    "screen",
    "print",
    "fine_print",
    "photo_of_photo",
    "phone_replay",
];

/// Capture conditions the genuine selfies are also taken under.
const CONDITIONS: [&str; 5] = [
    "original",
    "rotated +12°",
    "dark (gamma 2)",
    "over-exposed (×1.5)",
    "JPEG quality 20",
];

/// One single-frame presentation.
#[derive(Debug, Clone)]
pub struct Single {
    pub label: String,
    pub kind: &'static str,
    pub image: RgbImage,
}

/// A finer, higher-contrast halftone than `print`: 3-pixel dots at 15°.
pub fn fine_print(image: &RgbImage) -> RgbImage {
    let (s, c) = 15f32.to_radians().sin_cos();
    let mut out = image.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (u, v) = (x as f32 * c + y as f32 * s, y as f32 * c - x as f32 * s);
        let tau = 2.0 * std::f32::consts::PI / 3.0;
        let dots = 0.88 + 0.12 * (tau * u).cos() * (tau * v).cos();
        for ch in 0..3 {
            let v = (35.0 + f32::from(p[ch]) * 200.0 / 255.0) * dots;
            p[ch] = v.clamp(0.0, 255.0) as u8;
        }
    }
    jpeg(&out, 85)
}

/// A continuous-tone photo print: tones between 18 and 240, a warm cast.
fn photo_print(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    let tint = [1.0, 0.98, 0.94];
    for p in out.pixels_mut() {
        for c in 0..3 {
            p[c] = ((18.0 + f32::from(p[c]) * 222.0 / 255.0) * tint[c]) as u8;
        }
    }
    out
}

/// A high-density screen: too fine to beat with the camera's grid, only
/// its gamma and blue cast.
fn sharp_screen(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    let cast = [0.93, 1.0, 1.07];
    for p in out.pixels_mut() {
        for c in 0..3 {
            let v = (f32::from(p[c]) / 255.0).powf(0.9) * cast[c];
            p[c] = (v * 255.0).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// A desk: wood-like grain in warm browns.
fn desk(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let grain = ((x * 0.02 + (y * 0.013).sin() * 3.0).sin() * 0.5 + 0.5) * 40.0;
        let base = 95.0 + grain + ((x * 0.31 + y * 0.07).sin() * 6.0);
        Rgb([base as u8, (base * 0.72) as u8, (base * 0.5) as u8])
    })
}

/// `picture` framed by `border` pixels of `edge` colour, shrunk to 70 %,
/// rotated by `degrees` and laid on a desk the size of the original.
fn held_up(picture: &RgbImage, border: u32, edge: Rgb<u8>, degrees: f32) -> RgbImage {
    let (w, h) = picture.dimensions();
    let framed = RgbImage::from_fn(w + 2 * border, h + 2 * border, |x, y| {
        let inside = x >= border && y >= border && x < w + border && y < h + border;
        if inside {
            *picture.get_pixel(x - border, y - border)
        } else {
            edge
        }
    });
    let mut out = desk(w, h);
    let scale = 0.7 * w as f32 / framed.width() as f32;
    let (s, c) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (fx, fy) = (framed.width() as f32 / 2.0, framed.height() as f32 / 2.0);
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (u, v) = (
            (dx * c + dy * s) / scale + fx,
            (dy * c - dx * s) / scale + fy,
        );
        if u >= 0.0
            && v >= 0.0
            && u < framed.width() as f32 - 1.0
            && v < framed.height() as f32 - 1.0
        {
            *p = bilinear(&framed, u, v);
        }
    }
    jpeg(&out, 88)
}

/// The genuine selfies and every attack made from them.
pub fn presentations(engine: &FaceEngine) -> Vec<Single> {
    let mut out = Vec::new();
    for photo in face_eval::photos(engine) {
        let usable = engine.find(&photo.image, "photo").is_ok_and(|f| {
            Pose::of(&f.face).is_frontal() && f.face.eye_distance() >= MIN_EYE_DISTANCE
        });
        if !usable {
            continue;
        }
        for condition in CONDITIONS {
            if let Some(image) = face_eval::variant(engine, &photo.image, condition) {
                out.push(Single {
                    label: format!("{} ({condition})", photo.name),
                    kind: "genuine",
                    image,
                });
            }
        }
        let attacks: [(&'static str, RgbImage); 5] = [
            ("screen", screen(&photo.image)),
            ("print", print(&photo.image)),
            ("fine_print", fine_print(&photo.image)),
            (
                "photo_of_photo",
                held_up(
                    &photo_print(&photo.image),
                    photo.image.width() / 14,
                    Rgb([238, 236, 230]),
                    4.0,
                ),
            ),
            (
                "phone_replay",
                held_up(
                    &sharp_screen(&photo.image),
                    photo.image.width() / 18,
                    Rgb([12, 12, 14]),
                    -3.0,
                ),
            ),
        ];
        for (kind, image) in attacks {
            out.push(Single {
                label: photo.name.clone(),
                kind,
                image,
            });
        }
    }
    out
}
