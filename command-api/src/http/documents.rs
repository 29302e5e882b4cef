//! `POST /document/validate` (CHK-3, seed 003 §8.3): MRZ checks and printed
//! zone coherence, callable on its own (CHK-12).

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use veritrail_domain::document::{validate, DocumentCheck, PrintedFields};
use veritrail_domain::mrz::{Mrz, Sex};
use veritrail_domain::tenant::Module;

use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::usage::metered;
use crate::metering::Metering;

/// The MRZ: one string with newlines, or its lines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MrzText {
    Text(String),
    Lines(Vec<String>),
}

/// Printed (visual inspection zone) fields to compare with the MRZ.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrintedInput {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub document_number: Option<String>,
    /// ISO 8601 date.
    pub birth_date: Option<String>,
    /// ISO 8601 date.
    pub expiry_date: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub nationality: Option<String>,
    /// M, F or X.
    pub sex: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateDocument {
    pub mrz: MrzText,
    #[serde(default)]
    pub printed: Option<PrintedInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryView {
    pub alpha3: String,
    pub alpha2: Option<String>,
}

pub(super) fn country(code: &str) -> CountryView {
    let alpha3 = if code == "D" { "DEU" } else { code };
    CountryView {
        alpha3: alpha3.to_owned(),
        alpha2: veritrail_domain::country::by_alpha3(alpha3).map(|c| c.alpha2.to_owned()),
    }
}

/// Normalised fields read from the MRZ.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentFields {
    /// TD1, TD2, TD3, MRV_A or MRV_B.
    pub format: String,
    /// passport, id_card, residence_permit, visa or other.
    pub document_type: String,
    pub document_code: String,
    pub issuing_state: CountryView,
    pub surname: String,
    pub given_names: String,
    pub name_truncated: bool,
    pub document_number: String,
    pub nationality: CountryView,
    /// ISO 8601.
    pub birth_date: Option<String>,
    /// ISO 8601.
    pub expiry_date: Option<String>,
    /// male, female or unspecified.
    pub sex: String,
    pub expired: bool,
    pub optional_data: String,
    pub mrz_lines: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationCheckView {
    pub name: String,
    /// pass or fail.
    pub status: String,
    pub reason: Option<String>,
}

impl From<DocumentCheck> for ValidationCheckView {
    fn from(c: DocumentCheck) -> Self {
        Self {
            name: c.name,
            status: serde_json::to_value(c.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            reason: c.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentValidationView {
    pub document_valid: bool,
    pub checks: Vec<ValidationCheckView>,
    /// Share of checks passed, 0–1.
    pub confidence: f64,
    pub fields: Option<DocumentFields>,
    pub processing_ms: f64,
}

fn date(field: &str, value: &Option<String>) -> Result<Option<Date>, ApiError> {
    let format = format_description!("[year]-[month]-[day]");
    value
        .as_deref()
        .map(|v| Date::parse(v, &format).map_err(|e| ApiError::validation(field, e)))
        .transpose()
}

pub(super) fn enum_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Validate a document's MRZ (check digits, formats, dates, expiry, ICAO
/// codes) and its coherence with the printed fields.
#[utoipa::path(
    post, path = "/document/validate", tag = "documents",
    request_body = ValidateDocument,
    responses(
        (status = 200, body = DocumentValidationView),
        (status = 422, description = "Invalid request", body = ErrorBody),
    )
)]
pub async fn validate_document(
    identity: Identity,
    metering: web::Data<Arc<Metering>>,
    body: web::Json<ValidateDocument>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    metered(&metering, ctx, Module::Validate, check_document(body)).await
}

async fn check_document(body: web::Json<ValidateDocument>) -> Result<HttpResponse, ApiError> {
    let started = std::time::Instant::now();
    let body = body.into_inner();
    let mrz = match body.mrz {
        MrzText::Text(text) => text,
        MrzText::Lines(lines) => lines.join("\n"),
    };
    if mrz.len() > 200 {
        return Err(ApiError::validation(
            "mrz",
            "an MRZ has at most 3 lines of 44 characters",
        ));
    }
    let p = body.printed.unwrap_or_default();
    let sex = match p.sex.as_deref() {
        None => None,
        Some("M") => Some(Sex::Male),
        Some("F") => Some(Sex::Female),
        Some("X") | Some("<") => Some(Sex::Unspecified),
        Some(_) => return Err(ApiError::validation("printed.sex", "M, F or X")),
    };
    let printed = PrintedFields {
        surname: p.surname,
        given_names: p.given_names,
        document_number: p.document_number,
        birth_date: date("printed.birth_date", &p.birth_date)?,
        expiry_date: date("printed.expiry_date", &p.expiry_date)?,
        nationality: p.nationality,
        sex,
    };
    let today = OffsetDateTime::now_utc().date();
    let result = validate(&mrz, &printed, today);
    Ok(HttpResponse::Ok().json(DocumentValidationView {
        document_valid: result.document_valid,
        checks: result
            .checks
            .into_iter()
            .map(ValidationCheckView::from)
            .collect(),
        confidence: result.confidence,
        fields: result.mrz.as_ref().map(DocumentFields::from),
        processing_ms: started.elapsed().as_secs_f64() * 1e3,
    }))
}

impl From<&Mrz> for DocumentFields {
    fn from(m: &Mrz) -> Self {
        Self {
            format: enum_text(&m.format),
            document_type: enum_text(&m.document_type),
            document_code: m.document_code.clone(),
            issuing_state: country(&m.issuing_state),
            surname: m.surname.clone(),
            given_names: m.given_names.clone(),
            name_truncated: m.name_truncated,
            document_number: m.document_number.clone(),
            nationality: country(&m.nationality),
            birth_date: m.birth_date.map(|d| d.to_string()),
            expiry_date: m.expiry_date.map(|d| d.to_string()),
            sex: enum_text(&m.sex),
            expired: m.expired(),
            optional_data: m.optional_data.clone(),
            mrz_lines: m.lines.clone(),
        }
    }
}
