//! The document check's report: its shapes and how a reading (MRZ or
//! printed zone) becomes one.

use std::collections::BTreeMap;

use serde::Serialize;
use veritrail_domain::document::{validate, PrintedFields};
use veritrail_domain::mrz::{Format, Mrz};
use veritrail_vision::MrzReading;

use super::fields::{country, enum_text, CountryView, DocumentFields, ValidationCheckView};
use super::printed::PrintedFieldsView;
use super::verdict::{doubt_hint, status, validity_hint};
use crate::checks::UsageNote;
use veritrail_domain::tenant::Module;

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetectedView {
    /// passport, id_card, residence_permit, visa, other or unknown.
    #[serde(rename = "type")]
    pub kind: String,
    /// TD1, TD2, TD3, MRV_A or MRV_B.
    pub format: Option<String>,
    pub country: Option<CountryView>,
    /// 0–1: OCR confidence × share of check digits verified.
    pub confidence: f64,
    /// front or back.
    pub side: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricView {
    pub name: String,
    pub value: f64,
    pub threshold: f64,
    pub passed: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityView {
    /// 0–1, edge steepness relative to contrast.
    pub sharpness: f64,
    /// 0–1, share of clipped pixels over the MRZ.
    pub glare: f64,
    /// MRZ character height in pixels.
    pub char_height_px: f64,
    pub mrz_in_frame: bool,
    pub metrics: Vec<MetricView>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CorrectionView {
    pub line: usize,
    pub column: usize,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrzView {
    /// As Tesseract read them.
    pub raw_lines: Vec<String>,
    /// Shaped to the format and repaired.
    pub lines: Vec<String>,
    pub corrections: Vec<CorrectionView>,
    /// Page rotation corrected before reading, degrees.
    pub skew_degrees: f64,
    /// Tesseract's confidence per row, 0–1.
    pub row_confidence: Vec<f64>,
    /// Why the reading is not certain although its check digits may verify
    /// (a guessed row length, several readings that fit, an ambiguous
    /// repair, a row read with low confidence); empty when certain. A
    /// reading in doubt is never `pass`.
    pub doubts: Vec<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationView {
    /// The MRZ is intact (structure, syntax, codes, dates, check digits);
    /// null when the document has no MRZ.
    pub mrz_valid: Option<bool>,
    /// The document has not expired; null when its expiry was not read.
    pub document_current: Option<bool>,
    /// Every check passed (for an MRZ: `mrz_valid` and `document_current`).
    pub document_valid: bool,
    pub checks: Vec<ValidationCheckView>,
    pub confidence: f64,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImagesView {
    /// The document's portrait (its largest face with a margin) as base64
    /// PNG; null when no face was found.
    pub face_crop_base64: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OcrView {
    /// pass, or requires_action with `hints` saying what to do.
    pub status: String,
    pub detected: DetectedView,
    /// Fields from the MRZ.
    pub fields: Option<DocumentFields>,
    /// Fields from the printed zone, for documents without an MRZ (driver
    /// licences).
    pub printed_fields: Option<PrintedFieldsView>,
    /// 0–1 per field: its row's OCR confidence, halved when its check digit
    /// fails, lowered for every repaired character in its row.
    pub field_confidence: BTreeMap<String, f64>,
    pub mrz: Option<MrzView>,
    pub validation: Option<ValidationView>,
    pub quality: Option<QualityView>,
    pub images: ImagesView,
    pub hints: Vec<String>,
    pub processing_ms: f64,
    pub usage: UsageNote,
}

/// The rows holding each field, by format.
fn field_rows(format: Format) -> &'static [(&'static str, usize, Option<&'static str>)] {
    match format {
        Format::Td1 => &[
            ("document_number", 0, Some("document_number_check_digit")),
            ("issuing_state", 0, None),
            ("birth_date", 1, Some("birth_date_check_digit")),
            ("sex", 1, None),
            ("expiry_date", 1, Some("expiry_date_check_digit")),
            ("nationality", 1, None),
            ("surname", 2, None),
            ("given_names", 2, None),
        ],
        _ => &[
            ("issuing_state", 0, None),
            ("surname", 0, None),
            ("given_names", 0, None),
            ("document_number", 1, Some("document_number_check_digit")),
            ("nationality", 1, None),
            ("birth_date", 1, Some("birth_date_check_digit")),
            ("sex", 1, None),
            ("expiry_date", 1, Some("expiry_date_check_digit")),
        ],
    }
}

fn field_confidence(reading: &MrzReading, mrz: &Mrz) -> BTreeMap<String, f64> {
    field_rows(mrz.format)
        .iter()
        .map(|(name, row, check)| {
            let base = reading.row_confidence.get(*row).copied().unwrap_or(0.0);
            let failed = check.is_some_and(|c| mrz.checks.iter().any(|k| k.name == c && !k.passed));
            let repairs = reading
                .corrections
                .iter()
                .filter(|c| c.line == row + 1)
                .count();
            let value = base * if failed { 0.5 } else { 1.0 } * 0.97f64.powi(repairs as i32);
            ((*name).to_owned(), (value * 1000.0).round() / 1000.0)
        })
        .collect()
}

fn quality_view(reading: &MrzReading) -> QualityView {
    let q = &reading.quality;
    QualityView {
        sharpness: q.sharpness,
        glare: q.glare,
        char_height_px: q.char_height_px,
        mrz_in_frame: q.mrz_in_frame,
        metrics: q
            .metrics
            .iter()
            .map(|m| MetricView {
                name: m.name.to_owned(),
                value: m.value,
                threshold: m.threshold,
                passed: m.passed,
            })
            .collect(),
    }
}

const NO_MRZ_HINT: &str = "no machine-readable zone found: photograph the whole data page (passport) or the side of the card with the two or three lines of <<< characters, flat, in good light";

/// Neither an MRZ nor a readable printed zone.
pub(super) fn no_document_view() -> OcrView {
    OcrView {
        status: "requires_action".into(),
        detected: DetectedView {
            kind: "unknown".into(),
            format: None,
            country: None,
            confidence: 0.0,
            side: None,
        },
        fields: None,
        printed_fields: None,
        field_confidence: BTreeMap::new(),
        mrz: None,
        validation: None,
        quality: None,
        images: ImagesView {
            face_crop_base64: None,
        },
        hints: vec![NO_MRZ_HINT.to_owned()],
        processing_ms: 0.0,
        usage: UsageNote::billed(Module::Ocr),
    }
}

/// An MRZ reading from the `side` photo, validated as of `today`.
pub(super) fn mrz_view(
    reading: MrzReading,
    side: &'static str,
    country_hint: Option<&str>,
    today: time::Date,
) -> OcrView {
    let mut hints = reading.quality.hints.clone();
    let validation = validate(&reading.lines.join("\n"), &PrintedFields::default(), today);
    let mut checks: Vec<ValidationCheckView> = validation
        .checks
        .into_iter()
        .map(ValidationCheckView::from)
        .collect();
    let (passed, total) = reading.check_digits();
    if let (Some(hint), Some(m)) = (country_hint, reading.mrz.as_ref()) {
        let matches = country(&m.issuing_state).alpha3 == hint;
        checks.push(ValidationCheckView {
            name: "country_hint".into(),
            status: if matches { "pass" } else { "fail" }.into(),
            reason: (!matches).then(|| format!("issued by {}, not {hint}", m.issuing_state)),
        });
    }
    if reading.mrz.is_none() {
        hints.push(
            "the MRZ could not be read: retake the photo straight on, sharp and without glare"
                .into(),
        );
    } else if passed < total {
        hints.push(format!(
            "{} of {total} check digits do not verify: retake the photo, or check the document is genuine",
            total - passed
        ));
    }
    if let Some(m) = reading.mrz.as_ref().filter(|_| passed == total) {
        hints.extend(doubt_hint(&reading));
        hints.extend(validity_hint(m));
    }
    let status = status(
        reading.certain(),
        reading.quality.passed(),
        validation.document_valid,
    );
    let detected = DetectedView {
        kind: reading
            .mrz
            .as_ref()
            .map_or("unknown".into(), |m| enum_text(&m.document_type)),
        format: reading.mrz.as_ref().map(|m| enum_text(&m.format)),
        country: reading.mrz.as_ref().map(|m| country(&m.issuing_state)),
        confidence: ((reading.confidence * passed as f64 / total as f64) * 1000.0).round() / 1000.0,
        side: Some(side.to_owned()),
    };
    OcrView {
        status: status.into(),
        detected,
        fields: reading.mrz.as_ref().map(DocumentFields::from),
        printed_fields: None,
        field_confidence: reading
            .mrz
            .as_ref()
            .map(|m| field_confidence(&reading, m))
            .unwrap_or_default(),
        mrz: Some(MrzView {
            raw_lines: reading.raw_lines.clone(),
            lines: reading.lines.clone(),
            corrections: reading
                .corrections
                .iter()
                .map(|c| CorrectionView {
                    line: c.line,
                    column: c.column,
                    from: c.from.to_string(),
                    to: c.to.to_string(),
                })
                .collect(),
            skew_degrees: reading.skew_degrees,
            row_confidence: reading.row_confidence.clone(),
            doubts: reading.doubts.clone(),
        }),
        validation: Some(ValidationView {
            mrz_valid: Some(validation.mrz_valid),
            document_current: validation
                .mrz
                .as_ref()
                .filter(|m| m.expiry_date.is_some())
                .map(|_| validation.document_current),
            document_valid: validation.document_valid,
            checks,
            confidence: validation.confidence,
        }),
        quality: Some(quality_view(&reading)),
        images: ImagesView {
            face_crop_base64: None,
        },
        hints,
        processing_ms: 0.0,
        usage: UsageNote::billed(Module::Ocr),
    }
}
