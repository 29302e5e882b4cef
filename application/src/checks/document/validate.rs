//! Validating an MRZ given as text (CHK-3): check digits, formats, dates,
//! expiry, ICAO codes, and its coherence with the printed fields.

use serde::Serialize;
use time::OffsetDateTime;
use veritrail_domain::document::{validate, PrintedFields};

use super::fields::{DocumentFields, ValidationCheckView};
use crate::checks::{elapsed_ms, CheckError};

/// What to validate: the MRZ text (lines separated by newlines) and the
/// printed fields to compare it with.
#[derive(Debug, Clone, Default)]
pub struct ValidationInput {
    pub mrz: String,
    pub printed: PrintedFields,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentValidationView {
    /// The MRZ is intact: structure, syntax, codes, dates, check digits.
    pub mrz_valid: bool,
    /// The document has not expired.
    pub document_current: bool,
    /// `mrz_valid`, `document_current` and every printed-zone comparison.
    pub document_valid: bool,
    pub checks: Vec<ValidationCheckView>,
    /// Share of checks passed, 0–1.
    pub confidence: f64,
    pub fields: Option<DocumentFields>,
    pub processing_ms: f64,
}
/// Validates `input` as of today.
pub(crate) fn run(input: ValidationInput) -> Result<DocumentValidationView, CheckError> {
    let started = std::time::Instant::now();
    if input.mrz.len() > 200 {
        return Err(CheckError::invalid(
            "mrz",
            "an MRZ has at most 3 lines of 44 characters",
        ));
    }
    let today = OffsetDateTime::now_utc().date();
    let result = validate(&input.mrz, &input.printed, today);
    Ok(DocumentValidationView {
        mrz_valid: result.mrz_valid,
        document_current: result.document_current,
        document_valid: result.document_valid,
        checks: result
            .checks
            .into_iter()
            .map(ValidationCheckView::from)
            .collect(),
        confidence: result.confidence,
        fields: result.mrz.as_ref().map(DocumentFields::from),
        processing_ms: elapsed_ms(started),
    })
}
