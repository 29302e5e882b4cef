//! The fields of a document as every document check reports them.

use serde::Serialize;
use veritrail_domain::document::DocumentCheck;
use veritrail_domain::mrz::Mrz;

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountryView {
    pub alpha3: String,
    pub alpha2: Option<String>,
}

pub fn country(code: &str) -> CountryView {
    let alpha3 = if code == "D" { "DEU" } else { code };
    CountryView {
        alpha3: alpha3.to_owned(),
        alpha2: veritrail_domain::country::by_alpha3(alpha3).map(|c| c.alpha2.to_owned()),
    }
}

/// Normalised fields read from the MRZ.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

pub fn enum_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
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
