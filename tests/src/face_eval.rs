//! The face-match evaluation: real photos from PyPI packages
//! (`scripts/lib/face.sh`), each also taken through capture conditions a
//! selfie or an ID document meets (rotation, low resolution, dark and
//! over-exposed light, JPEG, blur, a small grey document portrait). Pairs of
//! the same person are genuine, pairs of different people impostors; the
//! scores give the ROC, the equal error rate and the default threshold.
//! Shared by the CI test and `bench_face`.

use std::io::Cursor;
use std::path::PathBuf;

use image::imageops::FilterType;
use image::{ImageFormat, RgbImage};
use veritrail_face::align::{warp, Similarity};
use veritrail_face::{Embedding, FaceEngine};

/// The photos directory `scripts/test.sh` fills (`VERITRAIL_FACE_PHOTOS`).
pub fn photos_dir() -> PathBuf {
    std::env::var_os("VERITRAIL_FACE_PHOTOS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("VERITRAIL_FACE_PHOTOS is not set: run `bash scripts/test.sh`, which fetches the photos")
        })
}

pub fn load(name: &str) -> RgbImage {
    let path = photos_dir().join(name);
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

/// One photo of a known person.
#[derive(Debug, Clone)]
pub struct Photo {
    pub person: String,
    pub name: String,
    pub image: RgbImage,
}

/// The labelled photos: Obama (four photos), Biden, Eileen Collins
/// (astronaut), Grace Hopper, Tom Hanks, and the six people of a group photo
/// (each cropped out around its detection).
pub fn photos(engine: &FaceEngine) -> Vec<Photo> {
    let mut out = Vec::new();
    for (person, name) in [
        ("obama", "obama.jpg"),
        ("obama", "obama2.jpg"),
        ("obama", "obama3.jpg"),
        ("obama", "obama_partial_face.jpg"),
        ("biden", "biden.jpg"),
        ("collins", "astronaut.png"),
        ("hopper", "grace_hopper.jpg"),
        ("hanks", "Tom_Hanks_54745.png"),
    ] {
        out.push(Photo {
            person: person.into(),
            name: name.into(),
            image: load(name),
        });
    }
    let group = load("t1.jpg");
    let faces = engine
        .detector
        .detect(&group, veritrail_face::MIN_DETECTION_SCORE)
        .expect("detect the group photo");
    for (i, f) in faces.iter().enumerate() {
        let (cx, cy) = (f.bbox[0] + f.bbox[2] / 2.0, f.bbox[1] + f.bbox[3] / 2.0);
        let side = f.bbox[2].max(f.bbox[3]) * 1.8;
        let x = (cx - side / 2.0).max(0.0) as u32;
        let y = (cy - side / 2.0).max(0.0) as u32;
        let w = (side as u32).min(group.width() - x);
        let h = (side as u32).min(group.height() - y);
        out.push(Photo {
            person: format!("group-{i}"),
            name: format!("t1.jpg#{i}"),
            image: image::imageops::crop_imm(&group, x, y, w, h).to_image(),
        });
    }
    out
}

fn rotate(image: &RgbImage, degrees: f32) -> RgbImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let r = degrees.to_radians();
    let (a, b) = (r.cos(), r.sin());
    // Rotation about the centre.
    let t = Similarity {
        a,
        b,
        tx: w / 2.0 - (a * w / 2.0 - b * h / 2.0),
        ty: h / 2.0 - (b * w / 2.0 + a * h / 2.0),
    };
    warp(image, &t, image.width(), image.height())
}

fn map_pixels(image: &RgbImage, f: impl Fn(f32) -> f32) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = f(f32::from(*c) / 255.0)
                .clamp(0.0, 1.0)
                .mul_add(255.0, 0.0)
                .round() as u8;
        }
    }
    out
}

/// The image saved as JPEG at `quality` and read back.
pub fn jpeg(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut Cursor::new(&mut bytes), quality)
        .encode_image(image)
        .expect("encode");
    image::load_from_memory_with_format(&bytes, ImageFormat::Jpeg)
        .expect("decode")
        .to_rgb8()
}

fn scaled(image: &RgbImage, factor: f32) -> RgbImage {
    let w = ((image.width() as f32 * factor) as u32).max(16);
    let h = ((image.height() as f32 * factor) as u32).max(16);
    image::imageops::resize(image, w, h, FilterType::Triangle)
}

/// A small grey portrait like the one printed on an ID page.
fn document_portrait(engine: &FaceEngine, image: &RgbImage) -> Option<RgbImage> {
    let face = engine.find(image, "photo").ok()?.face;
    let (cx, cy) = (
        face.bbox[0] + face.bbox[2] / 2.0,
        face.bbox[1] + face.bbox[3] / 2.0,
    );
    let (w, h) = (face.bbox[2] * 1.6, face.bbox[3] * 1.9);
    let x = (cx - w / 2.0).max(0.0) as u32;
    let y = (cy - h / 2.0).max(0.0) as u32;
    let crop = image::imageops::crop_imm(
        image,
        x,
        y,
        (w as u32).min(image.width() - x),
        (h as u32).min(image.height() - y),
    )
    .to_image();
    let small = image::imageops::resize(&crop, 96, 120, FilterType::Triangle);
    let grey = image::DynamicImage::ImageRgb8(small).grayscale().to_rgb8();
    Some(jpeg(&grey, 50))
}

/// The capture conditions each photo is also taken through.
pub const CONDITIONS: [&str; 9] = [
    "original",
    "rotated +12°",
    "rotated −12°",
    "quarter resolution",
    "dark (gamma 2)",
    "over-exposed (×1.5)",
    "JPEG quality 20",
    "blur σ 2",
    "document portrait",
];

pub fn variant(engine: &FaceEngine, image: &RgbImage, condition: &str) -> Option<RgbImage> {
    Some(match condition {
        "original" => image.clone(),
        "rotated +12°" => rotate(image, 12.0),
        "rotated −12°" => rotate(image, -12.0),
        "quarter resolution" => scaled(image, 0.25),
        "dark (gamma 2)" => map_pixels(image, |v| v.powf(2.0)),
        "over-exposed (×1.5)" => map_pixels(image, |v| v * 1.5),
        "JPEG quality 20" => jpeg(image, 20),
        "blur σ 2" => image::imageops::blur(image, 2.0),
        "document portrait" => document_portrait(engine, image)?,
        _ => return None,
    })
}

/// One enrolled image.
#[derive(Debug, Clone)]
pub struct Sample {
    pub person: String,
    pub label: String,
    pub embedding: Embedding,
}

/// Every photo through every condition; images without a usable face are
/// counted, not enrolled.
pub fn enrol(engine: &FaceEngine) -> (Vec<Sample>, Vec<String>) {
    let mut samples = Vec::new();
    let mut failed = Vec::new();
    for photo in photos(engine) {
        for condition in CONDITIONS {
            let label = format!("{} / {condition}", photo.name);
            let Some(image) = variant(engine, &photo.image, condition) else {
                failed.push(label);
                continue;
            };
            match engine.find(&image, "photo") {
                Ok(found) => {
                    let embedding = engine.embedder.embed(&found.aligned).expect("embed");
                    samples.push(Sample {
                        person: photo.person.clone(),
                        label,
                        embedding,
                    });
                }
                Err(e) => failed.push(format!("{label}: {e}")),
            }
        }
    }
    (samples, failed)
}

/// Cosine scores of every pair: (genuine, impostor).
pub fn pair_scores(samples: &[Sample]) -> (Vec<f32>, Vec<f32>) {
    let (mut genuine, mut impostor) = (Vec::new(), Vec::new());
    for (i, a) in samples.iter().enumerate() {
        for b in &samples[i + 1..] {
            let s = a.embedding.cosine(&b.embedding).clamp(0.0, 1.0);
            if a.person == b.person {
                genuine.push(s);
            } else {
                impostor.push(s);
            }
        }
    }
    (genuine, impostor)
}

/// False match rate and false non-match rate at `threshold` (a pair matches
/// when its similarity is at least the threshold).
pub fn rates(genuine: &[f32], impostor: &[f32], threshold: f32) -> (f64, f64) {
    let fmr =
        impostor.iter().filter(|s| **s >= threshold).count() as f64 / impostor.len().max(1) as f64;
    let fnmr =
        genuine.iter().filter(|s| **s < threshold).count() as f64 / genuine.len().max(1) as f64;
    (fmr, fnmr)
}

/// The equal error rate and the threshold where FMR and FNMR meet (scanned
/// in steps of 0.005).
pub fn equal_error_rate(genuine: &[f32], impostor: &[f32]) -> (f64, f32) {
    let mut best = (f64::MAX, 0.0f32, 1.0f64);
    for step in 0..=200 {
        let t = step as f32 * 0.005;
        let (fmr, fnmr) = rates(genuine, impostor, t);
        let gap = (fmr - fnmr).abs();
        if gap < best.0 {
            best = (gap, t, (fmr + fnmr) / 2.0);
        }
    }
    (best.2, best.1)
}

/// ln C(n, k) + k ln p + (n − k) ln(1 − p): one binomial term, in logs.
fn ln_binomial_term(n: u64, k: u64, p: f64) -> f64 {
    let ln_choose: f64 = (0..k)
        .map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln())
        .sum();
    ln_choose + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
}

/// P(X ≤ k) for X ~ Binomial(n, p).
fn binomial_cdf(n: u64, k: u64, p: f64) -> f64 {
    (0..=k.min(n))
        .map(|i| ln_binomial_term(n, i, p).exp())
        .sum::<f64>()
        .min(1.0)
}

/// The exact (Clopper–Pearson) two-sided 95 % interval of a rate of `k`
/// errors in `n` trials, found by bisection on the binomial tails.
pub fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
    // The p in (0, 1) where `falling(p)`, decreasing in p, crosses 0.025.
    let crossing = |falling: &dyn Fn(f64) -> f64| {
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..100 {
            let mid = (lo + hi) / 2.0;
            if falling(mid) > 0.025 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (lo + hi) / 2.0
    };
    // Lower: P(X ≥ k | p) = 0.025, i.e. P(X ≤ k − 1 | p) = 0.975.
    let lower = if k == 0 {
        0.0
    } else {
        crossing(&|p| 0.025 + binomial_cdf(n, k - 1, p) - 0.975)
    };
    // Upper: P(X ≤ k | p) = 0.025.
    let upper = if k >= n {
        1.0
    } else {
        crossing(&|p| binomial_cdf(n, k, p))
    };
    (lower, upper)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clopper_pearson_matches_known_intervals() {
        // 0 of 100: upper 3.62 %; 2 of 6,768: 0.0036 %–0.107 %; 5 of 10:
        // 18.7 %–81.3 % (tables of the exact interval).
        let (lo, hi) = super::clopper_pearson(0, 100);
        assert!(lo == 0.0 && (hi - 0.0362).abs() < 2e-4, "{lo} {hi}");
        let (lo, hi) = super::clopper_pearson(2, 6768);
        assert!(
            (lo - 3.58e-5).abs() < 2e-6 && (hi - 1.067e-3).abs() < 2e-5,
            "{lo} {hi}"
        );
        let (lo, hi) = super::clopper_pearson(5, 10);
        assert!(
            (lo - 0.187).abs() < 1e-3 && (hi - 0.813).abs() < 1e-3,
            "{lo} {hi}"
        );
    }
}
