//! Field layouts of TD1, TD2, TD3, MRV-A and MRV-B, and their validation.

use time::{Date, Month};

use super::check_digit::{char_value, check_digit};
use super::model::{Check, DocumentType, Format, Mrz, MrzError, Sex};
use super::syntax;

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

    /// The syntax the check digits do not cover: the document code for
    /// `format` and the name field's grammar.
    fn syntax(&mut self, format: Format, code: &Field<'_>, name: &Field<'_>) {
        let code_error =
            syntax::document_code(format, code.text).map(|reason| MrzError::InvalidDocumentCode {
                line: code.line,
                column: code.column,
                found: text(code.text),
                reason,
            });
        self.push("document_code", code_error);
        let name_error = syntax::name_error(name.text, name.line, name.column);
        self.push("name_syntax", name_error);
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
            super::model::NOT_EXPIRED,
            (e < today).then(|| MrzError::Expired { on: e.to_string() }),
        );
    }
    Common {
        birth: birth_date,
        expiry: expiry_date,
        sex: sex_value.unwrap_or(Sex::Unspecified),
    }
}

/// The document number and the remaining optional data (TD1, TD2). A number
/// longer than 9 characters has `<` in the check-digit position and continues
/// in the optional data, followed by its check digit and a filler.
fn document_number(
    checker: &mut Checker,
    number: &Field<'_>,
    number_cd: &Field<'_>,
    optional: &Field<'_>,
) -> (String, String) {
    let rest = optional.text;
    let long = number_cd.text[0] == b'<' && rest.first().is_some_and(|c| *c != b'<');
    if !long {
        checker.digit(
            "document_number_check_digit",
            "document number",
            number.text,
            number_cd,
        );
        return (strip_fillers(number.text), strip_fillers(rest));
    }
    let end = rest.iter().position(|c| *c == b'<').unwrap_or(rest.len());
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
    checker.syntax(format, &code, &name);

    let (optional_end, composite) = match format {
        Format::Td3 => (42, Some(43)),
        Format::Td2 => (35, Some(35)),
        _ => (width, None),
    };
    let optional = field(lines, 1, 28, optional_end);
    // TD2 (not the MRV-B visa) may carry a long document number.
    let (document_number, optional_data) = if format == Format::Td2 {
        document_number(&mut checker, &number, &number_cd, &optional)
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
    checker.syntax(Format::Td1, &code, &name);

    let (document_number, optional_data) =
        document_number(&mut checker, &number, &number_cd, &optional1);
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
