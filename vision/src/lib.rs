//! Vision checks on images. First: reading the MRZ of a document photo with
//! Tesseract and the MRZ traineddata (CHK-2) — locating and levelling the
//! page, reading row by row, repairing and validating with the domain's
//! ICAO 9303 rules — and measuring the photo's quality.
//!
//! This crate links Tesseract (C++, through FFI), so unlike the rest of the
//! workspace it cannot forbid unsafe code in its dependencies; it has none of
//! its own.

mod align;
mod cells;
mod engine;
mod glyphs;
mod gray;
mod lines;
mod locate;
mod mrz_reader;
mod prepare;
mod printed;
pub mod quality;
mod reading;
mod rectify;
mod shapes;

use std::path::PathBuf;

pub use gray::GrayImage;
pub use locate::{locate_mrz, MrzLocation};
pub use mrz_reader::{MrzReader, MrzReading, RowBox, VisionError};
pub use printed::{parse_fields, PrintedReader, PrintedReading, PrintedZone};
pub use quality::{Quality, QualityThresholds};

/// Both document readers: the MRZ first, the printed zone for documents
/// without one (driver licences).
#[derive(Debug, Clone)]
pub struct DocumentReader {
    pub mrz: MrzReader,
    pub printed: PrintedReader,
}

impl DocumentReader {
    pub fn from_dir(dir: &std::path::Path) -> Result<Self, VisionError> {
        Ok(Self {
            mrz: MrzReader::from_dir(dir)?,
            printed: PrintedReader::from_dir(dir)?,
        })
    }
}

/// Where models live: `VERITRAIL_TESSDATA`, else `~/.cache/veritrail/models`.
pub fn model_dir() -> PathBuf {
    std::env::var_os("VERITRAIL_TESSDATA")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/veritrail/models"))
        })
        .unwrap_or_else(|| PathBuf::from("."))
}
