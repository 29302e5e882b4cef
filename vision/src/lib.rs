//! Vision checks on images. First: reading the MRZ of a document photo with
//! Tesseract and the MRZ traineddata (CHK-2), then repairing and validating
//! it with the domain's ICAO 9303 rules.
//!
//! This crate links Tesseract (C++, through FFI), so unlike the rest of the
//! workspace it cannot forbid unsafe code in its dependencies; it has none of
//! its own.

mod locate;
mod mrz_reader;

pub use locate::{locate_mrz, Band, GrayImage};
pub use mrz_reader::{MrzReader, MrzReading, VisionError};
