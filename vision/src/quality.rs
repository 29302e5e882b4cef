//! Photo quality around the MRZ: sharpness, glare, resolution and whether the
//! MRZ is wholly inside the frame, as numbers with pass/fail against
//! configurable thresholds, and a human hint for every failure.

use serde::{Deserialize, Serialize};

use crate::gray::GrayImage;
use crate::lines::TextLine;

/// Pass/fail limits. Defaults are calibrated on the generated evaluation set
/// (docs/accuracy.md): the sharpness of its degraded photos is ≥ 0.68 (p5),
/// a Gaussian blur of σ = 4 px on a clean page measures 0.26.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct QualityThresholds {
    /// Edge sharpness, 0–1 (steepest edges relative to the text contrast).
    pub min_sharpness: f64,
    /// Share of the MRZ band under clipped highlights, 0–1.
    pub max_glare: f64,
    /// MRZ character height in pixels of the uploaded image.
    pub min_char_height_px: f64,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self {
            min_sharpness: 0.35,
            max_glare: 0.05,
            min_char_height_px: 12.0,
        }
    }
}

/// One measured quality.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub passed: bool,
}

/// The photo's quality; `hints` says what to do about every failure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quality {
    pub sharpness: f64,
    pub glare: f64,
    pub char_height_px: f64,
    pub mrz_in_frame: bool,
    pub metrics: Vec<Metric>,
    pub hints: Vec<String>,
}

impl Quality {
    pub fn passed(&self) -> bool {
        self.metrics.iter().all(|m| m.passed)
    }
}

/// Steepest edges relative to contrast: the 97th percentile of the gradient
/// magnitude over the text contrast (p95 − p5), scaled so a crisp edge is 1.
pub fn sharpness(region: &GrayImage) -> f64 {
    let (w, h) = (region.width, region.height);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let mut gradients = Vec::with_capacity((w - 2) * (h - 2));
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let gx = i32::from(region.at(x + 1, y)) - i32::from(region.at(x - 1, y));
            let gy = i32::from(region.at(x, y + 1)) - i32::from(region.at(x, y - 1));
            gradients.push(((gx * gx + gy * gy) as f64).sqrt() / 2.0);
        }
    }
    gradients.sort_by(f64::total_cmp);
    let steep = gradients[(gradients.len() as f64 * 0.97) as usize];
    let contrast = f64::from(region.percentile(0.95)) - f64::from(region.percentile(0.05));
    if contrast < 20.0 {
        return 0.0;
    }
    (steep / contrast / 0.5).clamp(0.0, 1.0)
}

/// Share of the band under glare: the band is cut into square tiles of its
/// height, and a tile is glared when a third of it is clipped (≥ 250), which
/// wipes out the characters there.
pub fn glare(band: &GrayImage) -> f64 {
    let side = band.height.max(1);
    let tiles = band.width.div_ceil(side);
    if tiles == 0 {
        return 0.0;
    }
    let glared = (0..tiles)
        .filter(|t| {
            let tile = band.crop(t * side, 0, (t + 1) * side, band.height);
            let clipped = tile.pixels.iter().filter(|p| **p >= 250).count();
            clipped * 3 >= tile.pixels.len().max(1)
        })
        .count();
    glared as f64 / tiles as f64
}

/// Where the MRZ rows are relative to the photo's edges.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub cut_top: bool,
    pub cut_bottom: bool,
    pub cut_left: bool,
    pub cut_right: bool,
}

impl Frame {
    pub fn inside(&self) -> bool {
        !(self.cut_top || self.cut_bottom || self.cut_left || self.cut_right)
    }

    fn hint(&self) -> Option<String> {
        let sides: Vec<&str> = [
            (self.cut_bottom, "at the bottom"),
            (self.cut_top, "at the top"),
            (self.cut_left, "on the left"),
            (self.cut_right, "on the right"),
        ]
        .iter()
        .filter(|(cut, _)| *cut)
        .map(|(_, side)| *side)
        .collect();
        (!sides.is_empty()).then(|| {
            format!(
                "MRZ cut off {}: retake the photo with the whole document inside the frame",
                sides.join(" and ")
            )
        })
    }
}

/// Measures the MRZ: sharpness over its `text` box, glare over its `band`
/// (the rows' height across the whole page, so a glare spot that hides
/// characters is not missed because no characters were found there).
pub fn assess(
    text: &GrayImage,
    band: &GrayImage,
    rows: &[TextLine],
    scale: f64,
    frame: Frame,
    thresholds: &QualityThresholds,
) -> Quality {
    let sharp = sharpness(text);
    let glare = glare(band);
    let mut heights: Vec<f64> = rows.iter().map(|r| r.char_height).collect();
    heights.sort_by(f64::total_cmp);
    let char_height = heights.get(heights.len() / 2).copied().unwrap_or(0.0) * scale;
    let metrics = vec![
        Metric {
            name: "sharpness",
            value: round3(sharp),
            threshold: thresholds.min_sharpness,
            passed: sharp >= thresholds.min_sharpness,
        },
        Metric {
            name: "glare",
            value: round3(glare),
            threshold: thresholds.max_glare,
            passed: glare <= thresholds.max_glare,
        },
        Metric {
            name: "resolution",
            value: round3(char_height),
            threshold: thresholds.min_char_height_px,
            passed: char_height >= thresholds.min_char_height_px,
        },
        Metric {
            name: "mrz_in_frame",
            value: if frame.inside() { 1.0 } else { 0.0 },
            threshold: 1.0,
            passed: frame.inside(),
        },
    ];
    let mut hints = Vec::new();
    hints.extend(frame.hint());
    if sharp < thresholds.min_sharpness {
        hints.push(
            "the photo is blurred: hold the camera steady and let it focus on the document".into(),
        );
    }
    if glare > thresholds.max_glare {
        hints.push(
            "glare over the MRZ: tilt the document away from the light or turn off the flash"
                .into(),
        );
    }
    if char_height < thresholds.min_char_height_px {
        hints.push(format!(
            "resolution too low: the MRZ characters are {char_height:.0} px high, at least {:.0} are needed; move closer or use a higher resolution",
            thresholds.min_char_height_px
        ));
    }
    Quality {
        sharpness: round3(sharp),
        glare: round3(glare),
        char_height_px: round3(char_height),
        mrz_in_frame: frame.inside(),
        metrics,
        hints,
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(blur: usize) -> GrayImage {
        let mut img = GrayImage::new(40, 20, 230);
        for y in 0..20 {
            for x in 0..40 {
                let ramp = if blur == 0 {
                    if x < 20 {
                        0.0
                    } else {
                        1.0
                    }
                } else {
                    ((x as f64 - 20.0) / blur as f64 + 0.5).clamp(0.0, 1.0)
                };
                img.pixels[y * 40 + x] = (20.0 + 210.0 * ramp) as u8;
            }
        }
        img
    }

    #[test]
    fn crisp_edges_are_sharp_and_soft_ones_are_not() {
        assert!(sharpness(&edge(0)) > 0.9);
        assert!(sharpness(&edge(16)) < 0.2, "{}", sharpness(&edge(16)));
        assert_eq!(sharpness(&GrayImage::new(10, 10, 128)), 0.0);
    }

    #[test]
    fn clipped_pixels_are_glare_and_every_failure_has_a_hint() {
        let mut img = edge(0);
        assert_eq!(glare(&img), 0.0);
        // The left quarter of a 40×20 band: one of two tiles.
        for y in 0..20 {
            for x in 0..12 {
                img.pixels[y * 40 + x] = 255;
            }
        }
        assert_eq!(glare(&img), 0.5);
        let frame = Frame {
            cut_top: false,
            cut_bottom: true,
            cut_left: false,
            cut_right: false,
        };
        let q = assess(&img, &img, &[], 1.0, frame, &QualityThresholds::default());
        assert!(q.glare > 0.2);
        assert!(!q.passed());
        assert!(
            q.hints.iter().any(|h| h.contains("cut off at the bottom")),
            "{:?}",
            q.hints
        );
        assert!(q.hints.iter().any(|h| h.contains("glare")));
        assert!(q.hints.iter().any(|h| h.contains("resolution")));
    }
}
