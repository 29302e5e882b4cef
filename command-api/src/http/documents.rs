//! `POST /document/validate` (CHK-3, seed 003 §8.3): MRZ checks and printed
//! zone coherence, callable on its own (CHK-12).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use time::macros::format_description;
use time::Date;
use utoipa::ToSchema;
use veritrail_application::checks::document::{DocumentValidationView, ValidationInput};
use veritrail_domain::document::PrintedFields;
use veritrail_domain::mrz::Sex;

use super::body::Body;
use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, CLIENTS};
use super::state::AppState;

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

fn date(field: &str, value: &Option<String>) -> Result<Option<Date>, ApiError> {
    let format = format_description!("[year]-[month]-[day]");
    value
        .as_deref()
        .map(|v| Date::parse(v, &format).map_err(|e| ApiError::validation(field, e)))
        .transpose()
}

impl ValidateDocument {
    fn input(self) -> Result<ValidationInput, ApiError> {
        let mrz = match self.mrz {
            MrzText::Text(text) => text,
            MrzText::Lines(lines) => lines.join("\n"),
        };
        let p = self.printed.unwrap_or_default();
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
        Ok(ValidationInput { mrz, printed })
    }
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
    state: web::Data<AppState>,
    body: Body<ValidateDocument>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let input = body.into_inner().input()?;
    Ok(HttpResponse::Ok().json(state.services.checks.validate(ctx, input).await?))
}
