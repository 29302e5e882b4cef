//! Rendering the presentations: a head turned by a depth model, a hand-held
//! camera, and the attacks (a screen filmed again, a halftone print, a
//! photo warped in 2-D).

use image::{Rgb, RgbImage};
use veritrail_face::liveness::Step;

use crate::face_eval::jpeg;

pub(crate) fn bilinear(image: &RgbImage, x: f32, y: f32) -> Rgb<u8> {
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
fn rotate_head(
    image: &RgbImage,
    face: &veritrail_face::Face,
    [yaw, pitch]: [f32; 2],
    nose_relief: f32,
) -> RgbImage {
    let [bx, by, bw, bh] = face.bbox;
    let (cx, cy) = (bx + bw / 2.0, by + bh / 2.0);
    let (a, b) = (bw * 0.6, bh * 0.62);
    let nose = face.landmarks[2];
    let sigma = face.eye_distance() * 0.3;
    let depth = |x: f32, y: f32| {
        let (u, v) = ((x - cx) / a, (y - cy) / b);
        let shell = a * (1.0 - u * u - v * v).max(0.0).sqrt();
        let (dx, dy) = (x - nose[0], y - nose[1]);
        shell + nose_relief * a * (-(dx * dx + dy * dy) / (2.0 * sigma * sigma)).exp()
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

/// The whole photo moved like a flat picture to imitate `step`: sheared
/// about the eye line for a turn (the nose moves sideways against the
/// eyes), tilted like a card about the eye line in strong perspective for
/// a tilt (the nose moves towards or away from the eyes against the
/// mouth). Every point moves by one homography.
pub fn warped(image: &RgbImage, face: &veritrail_face::Face, step: Step) -> RgbImage {
    let [l, r, _, ml, mr] = face.landmarks;
    let (cx, cy) = ((l[0] + r[0]) / 2.0, (l[1] + r[1]) / 2.0);
    let down = (ml[1] + mr[1]) / 2.0 - cy;
    let (shear, tilt) = match step {
        Step::TurnLeft => (0.5f32, 0f32),
        Step::TurnRight => (-0.5, 0.0),
        Step::LookUp => (0.0, 45f32.to_radians()),
        Step::LookDown => (0.0, -(45f32.to_radians())),
    };
    let (s, c) = tilt.sin_cos();
    let f = 3.5 * down.max(1.0);
    // Centred at the eyes' midpoint: x' = (f·x + f·shear·y) / w,
    // y' = f·c·y / w, w = s·y + f; sampled back through its inverse.
    let map = veritrail_face::liveness::rigid::Homography([
        f,
        f * shear,
        0.0,
        0.0,
        f * c,
        0.0,
        0.0,
        s,
        f,
    ]);
    let back = map.inverse().expect("invertible");
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let (x, y) = (x as f32 - cx, y as f32 - cy);
        // Beyond the picture's horizon nothing of it shows.
        if (c * f - s * y) < 0.2 * f {
            return Rgb([20, 20, 20]);
        }
        let [u, v] = back.apply([x, y]);
        bilinear(image, u + cx, v + cy)
    })
}

/// Frame `i` as a hand-held phone takes it: the camera shifted by a few
/// pixels (up to 1 % of the width) and the exposure a little different.
pub fn handheld(image: &RgbImage, i: usize) -> RgbImage {
    let shifts = [(0.0, 0.0), (0.8, -0.6), (-0.5, 0.9), (1.0, 0.4)];
    let gains = [1.0f32, 0.97, 1.03, 0.98];
    // The first frame as taken; every later one moved (never back to 0).
    let k = if i == 0 { 0 } else { 1 + (i - 1) % 3 };
    let (dx, dy) = shifts[k];
    let unit = image.width() as f32 / 100.0;
    let gain = gains[k];
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let p = bilinear(image, x as f32 + dx * unit, y as f32 + dy * unit);
        Rgb(p.0.map(|v| (f32::from(v) * gain).min(255.0) as u8))
    })
}

/// The yaw and pitch (radians) of a step.
fn angles(step: Step) -> [f32; 2] {
    let degrees: [f32; 2] = match step {
        Step::TurnLeft => [30.0, 0.0],
        Step::TurnRight => [-30.0, 0.0],
        Step::LookUp => [0.0, -25.0],
        Step::LookDown => [0.0, 25.0],
    };
    degrees.map(f32::to_radians)
}

/// The photo as it would look performing `step`.
pub(crate) fn pose(image: &RgbImage, face: &veritrail_face::Face, step: Step) -> RgbImage {
    rotate_head(image, face, angles(step), 0.45)
}

/// The face of the photo bent over a smooth dome to follow `step` — a 2-D
/// warp with curvature but without a nose standing out — the rest of the
/// picture untouched.
pub fn bent_face(image: &RgbImage, face: &veritrail_face::Face, step: Step) -> RgbImage {
    rotate_head(image, face, angles(step), 0.0)
}
