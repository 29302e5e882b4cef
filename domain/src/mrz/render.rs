//! Rendering an MRZ from fields (check digits computed), for round trips and
//! synthetic documents.

use time::Date;

use super::check_digit::check_digit;
use super::model::{Format, Sex};

/// The fields to render. Names are words of `A–Z`; numbers `A–Z 0–9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MrzInput {
    pub format: Format,
    /// Two characters, e.g. `P<`, `ID`, `V<`.
    pub document_code: String,
    pub issuing_state: String,
    pub surname: String,
    pub given_names: String,
    /// Up to 9 characters.
    pub document_number: String,
    pub nationality: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub expiry_date: Date,
    pub optional_data: String,
    /// TD1 only.
    pub optional_data_2: String,
}

fn pad(s: &str, width: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().take(width).collect();
    v.resize(width, b'<');
    v
}

fn yymmdd(d: Date) -> Vec<u8> {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        u8::from(d.month()),
        d.day()
    )
    .into_bytes()
}

fn name_field(surname: &str, given: &str, width: usize) -> Vec<u8> {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join("<");
    let mut name = words(surname);
    let given = words(given);
    if !given.is_empty() {
        name.push_str("<<");
        name.push_str(&given);
    }
    pad(&name, width)
}

fn sex(s: Sex) -> u8 {
    match s {
        Sex::Male => b'M',
        Sex::Female => b'F',
        Sex::Unspecified => b'<',
    }
}

fn with_digit(mut v: Vec<u8>) -> Vec<u8> {
    let d = check_digit(&v).unwrap_or(b'0');
    v.push(d);
    v
}

/// Renders the MRZ lines.
pub fn render(input: &MrzInput) -> Vec<String> {
    let code = pad(&input.document_code, 2);
    let state = pad(&input.issuing_state, 3);
    let nationality = pad(&input.nationality, 3);
    let number = with_digit(pad(&input.document_number, 9));
    let birth = with_digit(yymmdd(input.birth_date));
    let expiry = with_digit(yymmdd(input.expiry_date));
    let to_string = |v: Vec<u8>| String::from_utf8(v).unwrap_or_default();
    match input.format {
        Format::Td1 => {
            let mut l1 = [code, state, number, pad(&input.optional_data, 15)].concat();
            let mut l2 = [
                birth,
                vec![sex(input.sex)],
                expiry,
                nationality,
                pad(&input.optional_data_2, 11),
            ]
            .concat();
            let mut composite = l1[5..30].to_vec();
            composite.extend_from_slice(&l2[0..7]);
            composite.extend_from_slice(&l2[8..15]);
            composite.extend_from_slice(&l2[18..29]);
            l2.push(check_digit(&composite).unwrap_or(b'0'));
            l1.truncate(30);
            vec![
                to_string(l1),
                to_string(l2),
                to_string(name_field(&input.surname, &input.given_names, 30)),
            ]
        }
        format => {
            let width = if matches!(format, Format::Td3 | Format::MrvA) {
                44
            } else {
                36
            };
            let l1 = [
                code,
                state,
                name_field(&input.surname, &input.given_names, width - 5),
            ]
            .concat();
            let mut l2 = [number, nationality, birth, vec![sex(input.sex)], expiry].concat();
            match format {
                Format::Td3 => {
                    l2.extend(with_digit(pad(&input.optional_data, 14)));
                    let mut composite = l2[0..10].to_vec();
                    composite.extend_from_slice(&l2[13..20]);
                    composite.extend_from_slice(&l2[21..43]);
                    l2.push(check_digit(&composite).unwrap_or(b'0'));
                }
                Format::Td2 => {
                    l2.extend(pad(&input.optional_data, 7));
                    let mut composite = l2[0..10].to_vec();
                    composite.extend_from_slice(&l2[13..20]);
                    composite.extend_from_slice(&l2[21..35]);
                    l2.push(check_digit(&composite).unwrap_or(b'0'));
                }
                _ => l2.extend(pad(&input.optional_data, width - 28)),
            }
            vec![to_string(l1), to_string(l2)]
        }
    }
}
