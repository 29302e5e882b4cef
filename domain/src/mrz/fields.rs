//! Field layouts of TD1, TD2, TD3, MRV-A and MRV-B, and their validation.

use std::fmt;

use serde::Serialize;
use time::{Date, Month};

use super::check_digit::{char_value, check_digit};

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
    #[error("line {line} column {column}: document code {found:?} is not valid")]
    InvalidDocumentCode {
        line: usize,
        column: usize,
        found: String,
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

impl Mrz {
    /// Every check passed.
    pub fn is_valid(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
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

/// A slice of one line with its 1-based position, for errors.
struct Field<'a> {
    text: &'a [u8],
    line: usize,
    column: usize,
}

fn field<'a>(lines: &'a [Vec<u8>], line: usize, start: usize, end: usize) -> Field<'a> {
    Field {
        text: &lines[line][start..end],
        line: line + 1,
        column: start + 1,
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn strip_fillers(bytes: &[u8]) -> String {
    text(bytes).trim_end_matches('<').replace('<', " ")
}

struct Checker {
    checks: Vec<Check>,
}

impl Checker {
    fn push(&mut self, name: &'static str, error: Option<MrzError>) {
        self.checks.push(Check {
            name,
            passed: error.is_none(),
            error,
        });
    }

    /// Checks `digit` against the check digit of `data`.
    fn digit(
        &mut self,
        name: &'static str,
        field_name: &'static str,
        data: &[u8],
        digit: &Field<'_>,
    ) {
        let found = digit.text[0];
        let expected = check_digit(data).unwrap_or(b'?');
        let error = (found != expected).then(|| MrzError::CheckDigit {
            field: field_name,
            line: digit.line,
            column: digit.column,
            expected: char::from(expected),
            found: char::from(found),
        });
        self.push(name, error);
    }

    fn country(&mut self, name: &'static str, field_name: &'static str, f: &Field<'_>) {
        let code = text(f.text).trim_end_matches('<').to_owned();
        let error = (!is_country(&code)).then(|| MrzError::InvalidCountry {
            field: field_name,
            line: f.line,
            column: f.column,
            found: text(f.text),
        });
        self.push(name, error);
    }
}

/// ISO 3166-1 alpha-3, the ICAO special codes, and `D` (Germany).
fn is_country(code: &str) -> bool {
    code == "D"
        || crate::country::by_alpha3(code).is_some()
        || crate::country::is_icao_special(code)
}

fn date_of(f: &Field<'_>, field_name: &'static str) -> Result<(i32, Month, u8), MrzError> {
    let invalid = || MrzError::InvalidDate {
        field: field_name,
        line: f.line,
        column: f.column,
        found: text(f.text),
    };
    if !f.text.iter().all(u8::is_ascii_digit) {
        return Err(invalid());
    }
    let n = |i: usize| i32::from(f.text[i] - b'0') * 10 + i32::from(f.text[i + 1] - b'0');
    let month =
        Month::try_from(u8::try_from(n(2)).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let day = u8::try_from(n(4)).map_err(|_| invalid())?;
    // Validate the day against a leap year, the most permissive.
    Date::from_calendar_date(2000, month, day).map_err(|_| invalid())?;
    Ok((n(0), month, day))
}

/// Birth dates lie in the past: the latest century that is not after `today`.
fn birth_date(yy: i32, month: Month, day: u8, today: Date) -> Option<Date> {
    let recent = Date::from_calendar_date(2000 + yy, month, day).ok();
    match recent {
        Some(d) if d <= today => Some(d),
        _ => Date::from_calendar_date(1900 + yy, month, day).ok(),
    }
}

/// Expiry dates lie at most 50 years ahead.
fn expiry_date(yy: i32, month: Month, day: u8, today: Date) -> Option<Date> {
    let year = if 2000 + yy > today.year() + 50 {
        1900 + yy
    } else {
        2000 + yy
    };
    Date::from_calendar_date(year, month, day).ok()
}

fn detect(lines: &[Vec<u8>]) -> Result<Format, MrzError> {
    let lengths: Vec<usize> = lines.iter().map(Vec::len).collect();
    let visa = lines.first().is_some_and(|l| l.first() == Some(&b'V'));
    match (lines.len(), lengths.first().copied()) {
        (3, Some(30)) => Ok(Format::Td1),
        (2, Some(36)) if visa => Ok(Format::MrvB),
        (2, Some(36)) => Ok(Format::Td2),
        (2, Some(44)) if visa => Ok(Format::MrvA),
        (2, Some(44)) => Ok(Format::Td3),
        (2 | 3, _) => Err(MrzError::UnknownFormat { lengths }),
        (n, _) => Err(MrzError::LineCount { found: n }),
    }
}

fn document_type(code: &[u8]) -> DocumentType {
    match code {
        [b'P', _] => DocumentType::Passport,
        [b'V', _] => DocumentType::Visa,
        [b'I' | b'A' | b'C', b'R'] | [b'R', b'P'] => DocumentType::ResidencePermit,
        [b'I' | b'A' | b'C', _] => DocumentType::IdCard,
        _ => DocumentType::Other,
    }
}

fn names(f: &Field<'_>) -> (String, String, bool) {
    let raw = text(f.text);
    let truncated = !raw.ends_with('<');
    let trimmed = raw.trim_end_matches('<');
    let (primary, secondary) = match trimmed.split_once("<<") {
        Some((p, s)) => (p, s),
        None => (trimmed, ""),
    };
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    (words(primary), words(secondary), truncated)
}

/// Parses an MRZ (lines separated by newlines; surrounding whitespace and
/// empty lines ignored) as of `today`.
pub fn parse(mrz: &str, today: Date) -> Result<Mrz, MrzError> {
    let lines: Vec<Vec<u8>> = mrz
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let format = detect(&lines)?;
    let width = lines[0].len();
    for (i, line) in lines.iter().enumerate() {
        if line.len() != width {
            return Err(MrzError::LineLength {
                line: i + 1,
                expected: width,
                found: line.len(),
            });
        }
        if let Some(col) = line.iter().position(|c| char_value(*c).is_none()) {
            let found = std::str::from_utf8(line)
                .ok()
                .and_then(|s| s.chars().nth(col))
                .unwrap_or('?');
            return Err(MrzError::InvalidCharacter {
                line: i + 1,
                column: col + 1,
                found,
            });
        }
    }
    let code = &lines[0][0..2];
    if !code[0].is_ascii_uppercase() {
        return Err(MrzError::InvalidDocumentCode {
            line: 1,
            column: 1,
            found: text(code),
        });
    }
    match format {
        Format::Td1 => parse_td1(&lines, today),
        _ => parse_two_line(format, &lines, today),
    }
}

/// As [`parse`], failing on the first failed check.
pub fn parse_strict(mrz: &str, today: Date) -> Result<Mrz, MrzError> {
    let parsed = parse(mrz, today)?;
    match parsed.errors().first() {
        Some(error) => Err((*error).clone()),
        None => Ok(parsed),
    }
}

struct Common {
    birth: Option<Date>,
    expiry: Option<Date>,
    sex: Sex,
}

/// Dates, sex and the date rules, shared by every format.
#[allow(clippy::too_many_arguments)]
fn common(
    checker: &mut Checker,
    birth: &Field<'_>,
    birth_cd: &Field<'_>,
    sex: &Field<'_>,
    expiry: &Field<'_>,
    expiry_cd: &Field<'_>,
    today: Date,
) -> Common {
    checker.digit(
        "birth_date_check_digit",
        "date of birth",
        birth.text,
        birth_cd,
    );
    checker.digit(
        "expiry_date_check_digit",
        "date of expiry",
        expiry.text,
        expiry_cd,
    );
    let birth_date = match date_of(birth, "date of birth") {
        Ok((yy, m, d)) => {
            checker.push("birth_date_format", None);
            birth_date(yy, m, d, today)
        }
        Err(e) => {
            checker.push("birth_date_format", Some(e));
            None
        }
    };
    let expiry_date = match date_of(expiry, "date of expiry") {
        Ok((yy, m, d)) => {
            checker.push("expiry_date_format", None);
            expiry_date(yy, m, d, today)
        }
        Err(e) => {
            checker.push("expiry_date_format", Some(e));
            None
        }
    };
    let sex_value = match sex.text[0] {
        b'M' => Some(Sex::Male),
        b'F' => Some(Sex::Female),
        b'<' | b'X' => Some(Sex::Unspecified),
        _ => None,
    };
    checker.push(
        "sex",
        sex_value.is_none().then(|| MrzError::InvalidSex {
            line: sex.line,
            column: sex.column,
            found: char::from(sex.text[0]),
        }),
    );
    if let Some(b) = birth_date {
        checker.push(
            "birth_in_past",
            (b > today).then_some(MrzError::BirthInFuture),
        );
    }
    if let (Some(b), Some(e)) = (birth_date, expiry_date) {
        checker.push(
            "birth_before_expiry",
            (b >= e).then_some(MrzError::BirthAfterExpiry),
        );
    }
    if let Some(e) = expiry_date {
        checker.push(
            "not_expired",
            (e < today).then(|| MrzError::Expired { on: e.to_string() }),
        );
    }
    Common {
        birth: birth_date,
        expiry: expiry_date,
        sex: sex_value.unwrap_or(Sex::Unspecified),
    }
}

fn parse_two_line(format: Format, lines: &[Vec<u8>], today: Date) -> Result<Mrz, MrzError> {
    let width = lines[0].len();
    let mut checker = Checker { checks: Vec::new() };
    let code = field(lines, 0, 0, 2);
    let issuing = field(lines, 0, 2, 5);
    let name = field(lines, 0, 5, width);
    let number = field(lines, 1, 0, 9);
    let number_cd = field(lines, 1, 9, 10);
    let nationality = field(lines, 1, 10, 13);
    let birth = field(lines, 1, 13, 19);
    let birth_cd = field(lines, 1, 19, 20);
    let sex = field(lines, 1, 20, 21);
    let expiry = field(lines, 1, 21, 27);
    let expiry_cd = field(lines, 1, 27, 28);

    // TD2 (not the MRV-B visa) may carry a document number longer than 9
    // characters: '<' in the check-digit position, the rest in optional data
    // followed by the check digit.
    let (optional_end, composite) = match format {
        Format::Td3 => (42, Some(43)),
        Format::Td2 => (35, Some(35)),
        _ => (width, None),
    };
    let optional = field(lines, 1, 28, optional_end);
    let (document_number, optional_data) = if format == Format::Td2 && number_cd.text[0] == b'<' {
        let rest = optional.text;
        let end = rest.iter().position(|c| *c == b'<').unwrap_or(rest.len());
        if end == 0 {
            checker.digit(
                "document_number_check_digit",
                "document number",
                number.text,
                &number_cd,
            );
            (strip_fillers(number.text), strip_fillers(rest))
        } else {
            let mut full = number.text.to_vec();
            full.extend_from_slice(&rest[..end - 1]);
            let cd = Field {
                text: &rest[end - 1..end],
                line: optional.line,
                column: optional.column + end - 1,
            };
            checker.digit("document_number_check_digit", "document number", &full, &cd);
            (
                strip_fillers(&full),
                strip_fillers(rest.get(end + 1..).unwrap_or_default()),
            )
        }
    } else {
        checker.digit(
            "document_number_check_digit",
            "document number",
            number.text,
            &number_cd,
        );
        (strip_fillers(number.text), strip_fillers(optional.text))
    };
    if format == Format::Td3 {
        let optional_cd = field(lines, 1, 42, 43);
        let all_fillers = optional.text.iter().all(|c| *c == b'<');
        if all_fillers && optional_cd.text[0] == b'<' {
            checker.push("optional_data_check_digit", None);
        } else {
            checker.digit(
                "optional_data_check_digit",
                "optional data",
                optional.text,
                &optional_cd,
            );
        }
    }
    checker.country("issuing_state", "issuing state", &issuing);
    checker.country("nationality", "nationality", &nationality);
    let common = common(
        &mut checker,
        &birth,
        &birth_cd,
        &sex,
        &expiry,
        &expiry_cd,
        today,
    );
    if let Some(position) = composite {
        let line = &lines[1];
        let mut data = line[0..10].to_vec();
        data.extend_from_slice(&line[13..20]);
        data.extend_from_slice(&line[21..position]);
        let cd = field(lines, 1, position, position + 1);
        checker.digit("composite_check_digit", "composite", &data, &cd);
    }
    Ok(assemble(Parts {
        format,
        code: &code,
        issuing: &issuing,
        name: &name,
        nationality: &nationality,
        document_number,
        optional_data,
        optional_data_2: None,
        common,
        lines,
        checks: checker.checks,
    }))
}

/// The pieces every layout yields.
struct Parts<'a> {
    format: Format,
    code: &'a Field<'a>,
    issuing: &'a Field<'a>,
    name: &'a Field<'a>,
    nationality: &'a Field<'a>,
    document_number: String,
    optional_data: String,
    optional_data_2: Option<String>,
    common: Common,
    lines: &'a [Vec<u8>],
    checks: Vec<Check>,
}

fn assemble(p: Parts<'_>) -> Mrz {
    let (surname, given_names, name_truncated) = names(p.name);
    Mrz {
        format: p.format,
        document_type: document_type(p.code.text),
        document_code: text(p.code.text),
        issuing_state: text(p.issuing.text).trim_end_matches('<').to_owned(),
        surname,
        given_names,
        name_truncated,
        document_number: p.document_number,
        nationality: text(p.nationality.text).trim_end_matches('<').to_owned(),
        birth_date: p.common.birth,
        sex: p.common.sex,
        expiry_date: p.common.expiry,
        optional_data: p.optional_data,
        optional_data_2: p.optional_data_2,
        lines: p.lines.iter().map(|l| text(l)).collect(),
        checks: p.checks,
    }
}

fn parse_td1(lines: &[Vec<u8>], today: Date) -> Result<Mrz, MrzError> {
    let mut checker = Checker { checks: Vec::new() };
    let code = field(lines, 0, 0, 2);
    let issuing = field(lines, 0, 2, 5);
    let number = field(lines, 0, 5, 14);
    let number_cd = field(lines, 0, 14, 15);
    let optional1 = field(lines, 0, 15, 30);
    let birth = field(lines, 1, 0, 6);
    let birth_cd = field(lines, 1, 6, 7);
    let sex = field(lines, 1, 7, 8);
    let expiry = field(lines, 1, 8, 14);
    let expiry_cd = field(lines, 1, 14, 15);
    let nationality = field(lines, 1, 15, 18);
    let optional2 = field(lines, 1, 18, 29);
    let composite_cd = field(lines, 1, 29, 30);
    let name = field(lines, 2, 0, 30);

    let (document_number, optional_data) =
        if number_cd.text[0] == b'<' && optional1.text.first().is_some_and(|c| *c != b'<') {
            // A long document number continues in optional data 1.
            let rest = optional1.text;
            let end = rest.iter().position(|c| *c == b'<').unwrap_or(rest.len());
            let mut full = number.text.to_vec();
            full.extend_from_slice(&rest[..end.saturating_sub(1)]);
            let cd = Field {
                text: &rest[end.saturating_sub(1)..end.max(1)],
                line: optional1.line,
                column: optional1.column + end.saturating_sub(1),
            };
            checker.digit("document_number_check_digit", "document number", &full, &cd);
            (
                strip_fillers(&full),
                strip_fillers(rest.get(end + 1..).unwrap_or_default()),
            )
        } else {
            checker.digit(
                "document_number_check_digit",
                "document number",
                number.text,
                &number_cd,
            );
            (strip_fillers(number.text), strip_fillers(optional1.text))
        };
    checker.country("issuing_state", "issuing state", &issuing);
    checker.country("nationality", "nationality", &nationality);
    let common = common(
        &mut checker,
        &birth,
        &birth_cd,
        &sex,
        &expiry,
        &expiry_cd,
        today,
    );
    let mut data = lines[0][5..30].to_vec();
    data.extend_from_slice(&lines[1][0..7]);
    data.extend_from_slice(&lines[1][8..15]);
    data.extend_from_slice(&lines[1][18..29]);
    checker.digit("composite_check_digit", "composite", &data, &composite_cd);
    Ok(assemble(Parts {
        format: Format::Td1,
        code: &code,
        issuing: &issuing,
        name: &name,
        nationality: &nationality,
        document_number,
        optional_data,
        optional_data_2: Some(strip_fillers(optional2.text)),
        common,
        lines,
        checks: checker.checks,
    }))
}
