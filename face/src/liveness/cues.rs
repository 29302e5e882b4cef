//! Passive evidence from one frame's face region, without a model:
//! - periodicity: a screen photographed again (moiré between its pixel grid
//!   and the camera's) and a halftone print both leave strong isolated peaks
//!   in the spectrum of the skin, which natural skin and blur do not; a
//!   halftone's dots are a 2-D lattice, so its peaks come in pairs a
//!   quarter turn apart (`lattice`), which a fine print shows even when its
//!   single peak is no higher than skin's;
//! - dynamic range: prints reflect light, they do not emit it, so their
//!   darkest and brightest skin tones sit closer together;
//! - sharpness: recaptures and prints lose fine detail.

use image::GrayImage;

use crate::detect::Face;

/// Side of the square patch the spectrum is taken over.
const PATCH: usize = 64;
/// Frequencies below this (periods above 6.4 pixels) are the face's own
/// shapes and shading, not a pattern.
const MIN_RADIUS: i32 = 10;

/// The face's measurable passive cues.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cues {
    /// Highest spectral peak over the median of the mid and high frequencies.
    pub periodicity: f32,
    /// The same for the peak's partner a quarter turn away: high only for a
    /// 2-D lattice such as a halftone's dots or a screen's pixels.
    pub lattice: f32,
    /// Spread of the face's luminance (2nd to 98th percentile), 0–1.
    pub dynamic_range: f32,
    /// Mean absolute Laplacian of the face, per grey level (0–1 scale).
    pub sharpness: f32,
}

/// The face box (shrunk to the skin between brows and chin), clamped.
fn face_region(face: &Face, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let [x, y, w, h] = face.bbox;
    let (x0, y0) = ((x + w * 0.15).max(0.0), (y + h * 0.2).max(0.0));
    let (x1, y1) = (
        (x + w * 0.85).min(width as f32),
        (y + h * 0.95).min(height as f32),
    );
    let (x0, y0) = (x0 as u32, y0 as u32);
    (
        x0,
        y0,
        (x1 as u32).saturating_sub(x0).max(1),
        (y1 as u32).saturating_sub(y0).max(1),
    )
}

/// A 1-D DFT (the patch is small: 64 points).
fn dft(re: &[f32], im: &[f32], out_re: &mut [f32], out_im: &mut [f32]) {
    let n = re.len();
    for k in 0..n {
        let (mut sr, mut si) = (0.0f32, 0.0f32);
        for t in 0..n {
            let angle = -2.0 * std::f32::consts::PI * (k * t % n) as f32 / n as f32;
            let (s, c) = angle.sin_cos();
            sr += re[t] * c - im[t] * s;
            si += re[t] * s + im[t] * c;
        }
        out_re[k] = sr;
        out_im[k] = si;
    }
}

/// Peak-to-median ratios (the peak, its quarter-turn partner) of the 2-D
/// spectrum of the skin at native resolution, averaged over PATCH×PATCH
/// patches at `centres` (Hann window,
/// mean removed; the lowest frequencies — face shape, lighting — and JPEG's
/// block grid excluded). Averaging keeps a print's or a screen's pattern,
/// the same in every patch, and lowers the chance peaks of skin and noise.
fn periodicity(gray: &GrayImage, centres: &[(u32, u32)]) -> (f32, f32) {
    if gray.width() < PATCH as u32 || gray.height() < PATCH as u32 || centres.is_empty() {
        return (0.0, 0.0);
    }
    let mut mean = vec![0f32; PATCH * PATCH];
    for &(cx, cy) in centres {
        for (m, v) in mean.iter_mut().zip(spectrum(gray, cx, cy)) {
            *m += v / centres.len() as f32;
        }
    }
    peak_ratio(&mean)
}

/// The magnitude spectrum of the PATCH×PATCH patch centred near (cx, cy).
fn spectrum(gray: &GrayImage, cx: u32, cy: u32) -> Vec<f32> {
    let half = (PATCH / 2) as u32;
    let x0 = cx.saturating_sub(half).min(gray.width() - PATCH as u32);
    let y0 = cy.saturating_sub(half).min(gray.height() - PATCH as u32);
    let mut patch = vec![0f32; PATCH * PATCH];
    for y in 0..PATCH {
        for x in 0..PATCH {
            patch[y * PATCH + x] = f32::from(gray.get_pixel(x0 + x as u32, y0 + y as u32)[0]);
        }
    }
    let mean = patch.iter().sum::<f32>() / patch.len() as f32;
    let hann =
        |i: usize| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / (PATCH - 1) as f32).cos();
    for y in 0..PATCH {
        for x in 0..PATCH {
            patch[y * PATCH + x] = (patch[y * PATCH + x] - mean) * hann(x) * hann(y);
        }
    }
    // Rows, then columns.
    let (mut re, mut im) = (vec![0f32; PATCH * PATCH], vec![0f32; PATCH * PATCH]);
    let zeros = vec![0f32; PATCH];
    for y in 0..PATCH {
        let row = &patch[y * PATCH..(y + 1) * PATCH];
        let (r, i) = (
            &mut re[y * PATCH..(y + 1) * PATCH],
            &mut im[y * PATCH..(y + 1) * PATCH],
        );
        let (mut or, mut oi) = (vec![0f32; PATCH], vec![0f32; PATCH]);
        dft(row, &zeros, &mut or, &mut oi);
        r.copy_from_slice(&or);
        i.copy_from_slice(&oi);
    }
    let mut magnitude = vec![0f32; PATCH * PATCH];
    let (mut col_re, mut col_im) = (vec![0f32; PATCH], vec![0f32; PATCH]);
    let (mut or, mut oi) = (vec![0f32; PATCH], vec![0f32; PATCH]);
    for x in 0..PATCH {
        for y in 0..PATCH {
            col_re[y] = re[y * PATCH + x];
            col_im[y] = im[y * PATCH + x];
        }
        dft(&col_re, &col_im, &mut or, &mut oi);
        for y in 0..PATCH {
            magnitude[y * PATCH + x] = (or[y] * or[y] + oi[y] * oi[y]).sqrt();
        }
    }
    magnitude
}

/// A frequency (signed offsets from zero) in the band the peaks are
/// looked for in: above the face's own shapes, off JPEG's 8×8 block grid
/// (every camera frame has peaks where both frequencies are multiples of
/// PATCH/8).
fn in_band(fx: i32, fy: i32) -> bool {
    let block = PATCH as i32 / 8;
    fx * fx + fy * fy >= MIN_RADIUS * MIN_RADIUS && !(fx % block == 0 && fy % block == 0)
}

/// The magnitude at signed frequency (fx, fy).
fn at(magnitude: &[f32], fx: i32, fy: i32) -> f32 {
    let wrap = |f: i32| f.rem_euclid(PATCH as i32) as usize;
    magnitude[wrap(fy) * PATCH + wrap(fx)]
}

/// Over the median of the band: the highest peak, and the strongest
/// frequency a quarter turn from it at the same radius (±1 bin). A halftone
/// is a 2-D lattice of dots, so its peaks come in such orthogonal pairs;
/// a chance peak of skin or noise has no partner.
fn peak_ratio(magnitude: &[f32]) -> (f32, f32) {
    let half = PATCH as i32 / 2;
    let mut band = Vec::with_capacity(PATCH * PATCH);
    let (mut peak, mut at_peak) = (0.0f32, (0, 0));
    for fy in -half + 1..=half {
        for fx in -half + 1..=half {
            if in_band(fx, fy) {
                let m = at(magnitude, fx, fy);
                band.push(m);
                if m > peak {
                    (peak, at_peak) = (m, (fx, fy));
                }
            }
        }
    }
    if band.is_empty() {
        return (0.0, 0.0);
    }
    let (px, py) = at_peak;
    let partner = (-1..=1)
        .flat_map(|dy| (-1..=1).map(move |dx| (-py + dx, px + dy)))
        .filter(|(fx, fy)| in_band(*fx, *fy))
        .map(|(fx, fy)| at(magnitude, fx, fy))
        .fold(0.0f32, f32::max);
    band.sort_by(f32::total_cmp);
    let median = band[band.len() / 2].max(1e-3);
    (peak / median, partner.min(peak) / median)
}

fn percentile(sorted: &[u8], p: f32) -> f32 {
    f32::from(sorted[((sorted.len() - 1) as f32 * p) as usize])
}

/// Measures the cues of `face` in a frame's grey image.
pub fn measure(gray: &GrayImage, face: &Face) -> Cues {
    let (x, y, w, h) = face_region(face, gray.width(), gray.height());
    let mut values: Vec<u8> = Vec::with_capacity((w * h) as usize);
    let mut laplacian = 0.0f64;
    let mut count = 0u64;
    for yy in y..y + h {
        for xx in x..x + w {
            values.push(gray.get_pixel(xx, yy)[0]);
            if xx > 0 && yy > 0 && xx + 1 < gray.width() && yy + 1 < gray.height() {
                let p = |a: u32, b: u32| f64::from(gray.get_pixel(a, b)[0]);
                let l =
                    4.0 * p(xx, yy) - p(xx - 1, yy) - p(xx + 1, yy) - p(xx, yy - 1) - p(xx, yy + 1);
                laplacian += l.abs();
                count += 1;
            }
        }
    }
    values.sort_unstable();
    let dynamic_range = if values.is_empty() {
        0.0
    } else {
        (percentile(&values, 0.98) - percentile(&values, 0.02)) / 255.0
    };
    // Scale-free: per pixel of face width, so small and large faces compare.
    let sharpness = if count == 0 {
        0.0
    } else {
        (laplacian / count as f64) as f32 / 255.0 * (face.bbox[2].max(1.0) / 100.0).sqrt()
    };
    // The middle of the face, both cheeks and the forehead.
    let [bx, by, bw, bh] = face.bbox;
    let centres: Vec<(u32, u32)> = [(0.5, 0.55), (0.3, 0.6), (0.7, 0.6), (0.5, 0.3)]
        .iter()
        .map(|(fx, fy)| {
            (
                (bx + bw * fx).max(0.0) as u32,
                (by + bh * fy).max(0.0) as u32,
            )
        })
        .collect();
    let (periodicity, lattice) = periodicity(gray, &centres);
    Cues {
        periodicity,
        lattice,
        dynamic_range,
        sharpness,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

    fn face_at(side: f32) -> Face {
        Face {
            score: 1.0,
            bbox: [0.0, 0.0, side, side],
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn a_stripe_pattern_is_periodic_and_smooth_noise_is_not() {
        let striped = RgbImage::from_fn(160, 160, |x, _| {
            let v = 128.0 + 60.0 * (x as f32 * 2.0 * std::f32::consts::PI / 5.0).sin();
            image::Rgb([v as u8; 3])
        });
        let mut seed = 1u32;
        let noisy = RgbImage::from_fn(160, 160, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([100 + (seed >> 26) as u8; 3])
        });
        let grey = |image: &RgbImage| image::imageops::grayscale(image);
        let s = measure(&grey(&striped), &face_at(160.0));
        let n = measure(&grey(&noisy), &face_at(160.0));
        assert!(s.periodicity > 3.0 * n.periodicity, "{s:?} vs {n:?}");
        assert!(s.dynamic_range > 0.4);
        assert!(n.dynamic_range < 0.3);
        // One grating has no partner a quarter turn away; a dot screen
        // (two crossed gratings) has.
        assert!(s.lattice < 0.2 * s.periodicity, "{s:?}");
        let dots = RgbImage::from_fn(160, 160, |x, y| {
            let (s, c) = 20f32.to_radians().sin_cos();
            let (u, v) = (x as f32 * c + y as f32 * s, y as f32 * c - x as f32 * s);
            let tau = 2.0 * std::f32::consts::PI / 3.5;
            let v = 128.0 + 50.0 * (tau * u).cos() * (tau * v).cos();
            image::Rgb([v as u8; 3])
        });
        let d = measure(&grey(&dots), &face_at(160.0));
        assert!(
            d.lattice > 0.5 * d.periodicity && d.lattice > 3.0 * n.lattice,
            "{d:?}"
        );
    }
}
