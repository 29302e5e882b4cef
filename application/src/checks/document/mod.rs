//! The document check (CHK-2, CHK-3): the MRZ of a document photo read,
//! repaired and validated (front, then back), the printed zone read when
//! there is no MRZ (driver licences), the photo's quality measured, and the
//! document's portrait cropped for the face match.

mod fields;
mod printed;
mod report;
mod validate;
mod verdict;

use std::sync::Arc;

use base64::Engine as _;
use time::OffsetDateTime;
use veritrail_face::FaceEngine;
use veritrail_vision::{DocumentReader, MrzReading, PrintedReading, VisionError};

pub use fields::{country, enum_text, CountryView, DocumentFields, ValidationCheckView};
pub use printed::PrintedFieldsView;
pub use report::{
    CorrectionView, DetectedView, ImagesView, MetricView, MrzView, OcrView, QualityView,
    ValidationView,
};
pub(crate) use validate::run as validate;
pub use validate::{DocumentValidationView, ValidationInput};
pub use verdict::mrz_passes;

use super::elapsed_ms;
use super::error::{CheckError, EvidenceProblem};
use printed::printed_view;
use report::{mrz_view, no_document_view};

/// The kinds of document a caller may announce.
pub const DOCUMENT_HINTS: [&str; 6] = [
    "auto",
    "passport",
    "id_card",
    "residence_permit",
    "visa",
    "driver_license",
];

/// A document to read: vetted image bytes and the caller's hints.
#[derive(Debug, Clone, Default)]
pub struct DocumentEvidence {
    pub front: Vec<u8>,
    pub back: Option<Vec<u8>>,
    /// One of [`DOCUMENT_HINTS`].
    pub document_hint: Option<String>,
    /// `auto` or an ISO 3166-1 alpha-3 code.
    pub country_hint: Option<String>,
}

impl DocumentEvidence {
    /// Evidence with these hints, checked, and no images yet (callers check
    /// the hints before vetting the images).
    pub fn hinted(
        document_hint: Option<String>,
        country_hint: Option<String>,
    ) -> Result<Self, CheckError> {
        let evidence = Self {
            document_hint,
            country_hint,
            ..Self::default()
        };
        evidence.hints()?;
        Ok(evidence)
    }

    /// The hints, checked; `None` for no country hint.
    fn hints(&self) -> Result<(bool, Option<String>), CheckError> {
        if let Some(hint) = self.document_hint.as_deref() {
            if !DOCUMENT_HINTS.contains(&hint) {
                let expected = format!("one of {}", DOCUMENT_HINTS.join(", "));
                return Err(CheckError::invalid("document_hint", expected));
            }
        }
        let country = match self.country_hint.as_deref() {
            None | Some("auto") => None,
            Some(code) if veritrail_domain::country::by_alpha3(code).is_some() => {
                Some(code.to_owned())
            }
            Some(_) => {
                let expected = "auto or an ISO 3166-1 alpha-3 code";
                return Err(CheckError::invalid("country_hint", expected));
            }
        };
        let licence = self.document_hint.as_deref() == Some("driver_license");
        Ok((licence, country))
    }
}

/// What a photo yielded.
enum Outcome {
    Mrz(Box<MrzReading>, &'static str),
    Printed(PrintedReading),
    Nothing,
}

fn vision_error(side: &str, error: VisionError) -> CheckError {
    match error {
        VisionError::Image(refusal) => CheckError::evidence(
            &format!("image_{side}_base64"),
            EvidenceProblem::Refused(refusal),
        ),
        e => CheckError::Engine {
            check: "document",
            detail: e.to_string(),
        },
    }
}

/// The MRZ on the front, else on the back; else (or for a licence) the
/// front's printed zone when it names enough fields.
fn read_sides(
    reader: &DocumentReader,
    front: &[u8],
    back: Option<&[u8]>,
    licence: bool,
    today: time::Date,
) -> Result<Outcome, CheckError> {
    if !licence {
        for (side, image) in [("front", Some(front)), ("back", back)] {
            let Some(image) = image else { continue };
            match reader.mrz.read(image, today) {
                Ok(reading) => return Ok(Outcome::Mrz(Box::new(reading), side)),
                Err(VisionError::NoMrz) => {}
                Err(e) => return Err(vision_error(side, e)),
            }
        }
    }
    let printed = reader
        .printed
        .read(front, today)
        .map_err(|e| vision_error("front", e))?;
    Ok(if printed.fields.found() >= 3 {
        Outcome::Printed(printed)
    } else {
        Outcome::Nothing
    })
}

/// The document's portrait (its largest face, with a margin) as base64 PNG.
fn portrait(faces: &FaceEngine, bytes: &[u8]) -> Option<String> {
    let image = veritrail_face::decode_photo(bytes).ok()?;
    let found = faces.find(&image, "document").ok()?;
    let [x, y, w, h] = found.face.bbox;
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (cw, ch) = (w * 1.5, h * 1.7);
    let left = (cx - cw / 2.0).max(0.0) as u32;
    let top = (cy - ch / 2.0).max(0.0) as u32;
    let width = (cw as u32).min(image.width().saturating_sub(left)).max(1);
    let height = (ch as u32).min(image.height().saturating_sub(top)).max(1);
    let crop = image::imageops::crop_imm(&image, left, top, width, height).to_image();
    let mut png = Vec::new();
    crop.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(png))
}

/// Reads `evidence` on the compute pool (unmetered: the caller meters).
pub(crate) async fn read(
    reader: &Arc<DocumentReader>,
    faces: &Arc<FaceEngine>,
    compute: &crate::compute::ComputePool,
    evidence: DocumentEvidence,
) -> Result<OcrView, CheckError> {
    let started = std::time::Instant::now();
    let (licence, country_hint) = evidence.hints()?;
    let DocumentEvidence { front, back, .. } = evidence;
    let (reader, faces) = (reader.clone(), faces.clone());
    let today = OffsetDateTime::now_utc().date();
    let (outcome, portrait) = compute
        .run(move || {
            let outcome = read_sides(&reader, &front, back.as_deref(), licence, today)?;
            // The portrait is usually on the MRZ side (passports), else on the
            // other one (ID cards carry the MRZ on the back).
            let sides = match &outcome {
                Outcome::Mrz(_, "back") => [back.as_deref(), Some(&front[..])],
                _ => [Some(&front[..]), back.as_deref()],
            };
            let portrait = sides
                .into_iter()
                .flatten()
                .find_map(|side| portrait(&faces, side));
            Ok::<_, CheckError>((outcome, portrait))
        })
        .await??;
    let mut view = match outcome {
        Outcome::Mrz(reading, side) => mrz_view(*reading, side, country_hint.as_deref(), today),
        Outcome::Printed(reading) => printed_view(&reading, country_hint.as_deref(), today),
        Outcome::Nothing => no_document_view(),
    };
    view.images.face_crop_base64 = portrait;
    view.processing_ms = elapsed_ms(started);
    Ok(view)
}
