//! What an MRZ reading yields: formats, document types, the parsed fields,
//! the checks and their errors.

use std::fmt;

use serde::Serialize;
use time::Date;

/// The MRZ layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Format {
    /// 3 lines × 30: ID cards and residence permits.
    Td1,
    /// 2 lines × 36.
    Td2,
    /// 2 lines × 44: passports.
    Td3,
    /// 2 lines × 44 visa.
    MrvA,
    /// 2 lines × 36 visa.
    MrvB,
}

/// What kind of document the code says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    IdCard,
    ResidencePermit,
    Visa,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    /// `<` or `X`.
    Unspecified,
}

/// Why an MRZ, or one of its fields, is not valid. Lines and columns are
/// 1-based, as printed on the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MrzError {
    #[error("an MRZ has 2 or 3 lines, found {found}")]
    LineCount { found: usize },
    #[error("line {line} has {found} characters; {expected} expected for this format")]
    LineLength {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line lengths {lengths:?} match no MRZ format (TD1 3×30, TD2 2×36, TD3 2×44)")]
    UnknownFormat { lengths: Vec<usize> },
    #[error("line {line} column {column}: {found:?} is not an MRZ character (A–Z, 0–9, <)")]
    InvalidCharacter {
        line: usize,
        column: usize,
        found: char,
    },
    #[error("line {line} column {column}: document code {found:?} is not valid: {reason}")]
    InvalidDocumentCode {
        line: usize,
        column: usize,
        found: String,
        reason: &'static str,
    },
    #[error("line {line} column {column}: the name field is not valid: {reason}")]
    InvalidName {
        line: usize,
        column: usize,
        reason: &'static str,
    },
    #[error(
        "{field} check digit at line {line} column {column} is {found:?}, computed {expected:?}"
    )]
    CheckDigit {
        field: &'static str,
        line: usize,
        column: usize,
        expected: char,
        found: char,
    },
    #[error("{field} at line {line} column {column} is not a date (YYMMDD): {found:?}")]
    InvalidDate {
        field: &'static str,
        line: usize,
        column: usize,
        found: String,
    },
    #[error("{field} at line {line} column {column} is not an ISO 3166-1 or ICAO code: {found:?}")]
    InvalidCountry {
        field: &'static str,
        line: usize,
        column: usize,
        found: String,
    },
    #[error("sex at line {line} column {column} is {found:?}; M, F, X or < expected")]
    InvalidSex {
        line: usize,
        column: usize,
        found: char,
    },
    #[error("the date of birth is after the date of expiry")]
    BirthAfterExpiry,
    #[error("the date of birth is in the future")]
    BirthInFuture,
    #[error("the document expired on {on}")]
    Expired { on: String },
}

/// One validation step and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// e.g. `document_number_check_digit`, `composite_check_digit`, `not_expired`.
    pub name: &'static str,
    pub passed: bool,
    pub error: Option<MrzError>,
}

/// A parsed MRZ with every check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mrz {
    pub format: Format,
    pub document_type: DocumentType,
    /// The two-character code as printed (e.g. `P<`, `ID`, `AR`).
    pub document_code: String,
    /// As printed, fillers removed (e.g. `D` for Germany).
    pub issuing_state: String,
    /// Primary identifier (surname), fillers as spaces.
    pub surname: String,
    /// Secondary identifier (given names), space-separated.
    pub given_names: String,
    /// The name field was full: names may be truncated.
    pub name_truncated: bool,
    pub document_number: String,
    pub nationality: String,
    pub birth_date: Option<Date>,
    pub sex: Sex,
    pub expiry_date: Option<Date>,
    /// Optional data (TD3 personal number; TD1 line 1), fillers removed.
    pub optional_data: String,
    /// TD1 line 2 optional data.
    pub optional_data_2: Option<String>,
    pub lines: Vec<String>,
    pub checks: Vec<Check>,
}

/// The check that says whether the document is current (not expired).
pub const NOT_EXPIRED: &str = "not_expired";

impl Mrz {
    /// Every check passed: the MRZ is intact and the document current.
    pub fn is_valid(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// The MRZ is intact: its structure, syntax, codes, dates and check
    /// digits, whatever the date of expiry.
    pub fn mrz_valid(&self) -> bool {
        self.checks
            .iter()
            .all(|c| c.passed || c.name == NOT_EXPIRED)
    }

    /// The date of expiry was read and has not passed.
    pub fn document_current(&self) -> bool {
        self.expiry_date.is_some() && !self.expired()
    }

    /// The errors of the failed checks, in order.
    pub fn errors(&self) -> Vec<&MrzError> {
        self.checks
            .iter()
            .filter_map(|c| c.error.as_ref())
            .collect()
    }

    /// The document has expired (by the `today` it was parsed with).
    pub fn expired(&self) -> bool {
        self.checks
            .iter()
            .any(|c| matches!(c.error, Some(MrzError::Expired { .. })))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
            Format::MrvA => "MRV-A",
            Format::MrvB => "MRV-B",
        })
    }
}
