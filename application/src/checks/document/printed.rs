//! The report of a document without an MRZ (driver licences): the fields
//! read from its printed zone and the checks they allow.

use std::collections::BTreeMap;

use serde::Serialize;
use veritrail_vision::PrintedReading;

use super::fields::{country, ValidationCheckView};
use super::report::{DetectedView, ImagesView, OcrView, ValidationView};
use crate::checks::UsageNote;
use veritrail_domain::tenant::Module;

/// Fields of a printed zone (driver licences).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrintedFieldsView {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    /// ISO 8601.
    pub birth_date: Option<String>,
    /// ISO 8601.
    pub issue_date: Option<String>,
    /// ISO 8601.
    pub expiry_date: Option<String>,
    pub document_number: Option<String>,
    pub categories: Option<String>,
    /// The recognised text, line by line.
    pub text_lines: Vec<String>,
}

pub(super) fn printed_view(
    reading: &PrintedReading,
    country_hint: Option<&str>,
    today: time::Date,
) -> OcrView {
    let f = &reading.fields;
    let missing: Vec<&str> = [
        ("surname", f.surname.is_none()),
        ("given names", f.given_names.is_none()),
        ("date of birth", f.birth_date.is_none()),
        ("date of expiry", f.expiry_date.is_none()),
        ("licence number", f.document_number.is_none()),
    ]
    .iter()
    .filter(|(_, m)| *m)
    .map(|(n, _)| *n)
    .collect();
    let check = |name: &str, failure: Option<String>| ValidationCheckView {
        name: name.to_owned(),
        status: if failure.is_none() { "pass" } else { "fail" }.to_owned(),
        reason: failure,
    };
    let checks = vec![
        check(
            "printed_fields_found",
            (!missing.is_empty()).then(|| format!("not read: {}", missing.join(", "))),
        ),
        check(
            "not_expired",
            f.expiry_date
                .filter(|e| *e < today)
                .map(|e| format!("the document expired on {e}")),
        ),
        check(
            "birth_before_expiry",
            match (f.birth_date, f.expiry_date) {
                (Some(b), Some(e)) if b >= e => {
                    Some("the date of birth is not before the expiry".into())
                }
                _ => None,
            },
        ),
    ];
    let passed = checks.iter().filter(|c| c.status == "pass").count();
    let valid = passed == checks.len();
    let mut hints = Vec::new();
    if !missing.is_empty() {
        hints.push(format!(
            "could not read the {}: retake the photo of the licence front, flat, sharp and without glare",
            missing.join(", ")
        ));
    }
    let confidence = reading.confidence * f.found() as f64 / 5.0;
    OcrView {
        status: if valid { "pass" } else { "requires_action" }.into(),
        detected: DetectedView {
            kind: "driver_license".into(),
            format: None,
            country: country_hint.map(country),
            confidence: (confidence * 1000.0).round() / 1000.0,
            side: Some("front".into()),
        },
        fields: None,
        printed_fields: Some(PrintedFieldsView {
            surname: f.surname.clone(),
            given_names: f.given_names.clone(),
            birth_date: f.birth_date.map(|d| d.to_string()),
            issue_date: f.issue_date.map(|d| d.to_string()),
            expiry_date: f.expiry_date.map(|d| d.to_string()),
            document_number: f.document_number.clone(),
            categories: f.categories.clone(),
            text_lines: reading.text_lines.clone(),
        }),
        field_confidence: BTreeMap::new(),
        mrz: None,
        validation: Some(ValidationView {
            mrz_valid: None,
            document_current: f.expiry_date.map(|e| e >= today),
            document_valid: valid,
            checks,
            confidence: passed as f64 / 3.0,
        }),
        quality: None,
        images: ImagesView {
            face_crop_base64: None,
        },
        hints,
        processing_ms: 0.0,
        usage: UsageNote::billed(Module::Ocr),
    }
}
