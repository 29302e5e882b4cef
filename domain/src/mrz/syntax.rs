//! ICAO 9303 syntax beyond check digits: the document code each format
//! allows, and the name field's grammar — letters only, the primary
//! identifier first, single `<` between a component's words, `<<` once
//! between the identifiers, and nothing but fillers after the secondary
//! identifier. An OCR misreading of a `<` as a letter (a "third identifier")
//! or of a letter as a digit breaks this grammar while every check digit
//! still verifies: the names are not covered by any.

use super::model::{Format, MrzError};

/// Why the two-character document code does not fit `format`, if it does not.
pub(super) fn document_code(format: Format, code: &[u8]) -> Option<&'static str> {
    let (first, second) = (code[0], code[1]);
    let first_ok = match format {
        Format::Td3 => first == b'P',
        Format::Td1 | Format::Td2 => matches!(first, b'A' | b'C' | b'I'),
        Format::MrvA | Format::MrvB => first == b'V',
    };
    if !first_ok {
        return Some(match format {
            Format::Td3 => "a passport's code starts with P",
            Format::Td1 | Format::Td2 => "an identity card's code starts with A, C or I",
            Format::MrvA | Format::MrvB => "a visa's code starts with V",
        });
    }
    if !(second.is_ascii_uppercase() || second == b'<') {
        return Some("the code's second character is a letter or <");
    }
    if matches!(format, Format::Td1 | Format::Td2) && second == b'V' {
        return Some("an identity card's code cannot end in V");
    }
    None
}

/// The first grammar error of a name field, as (0-based offset, reason).
pub(super) fn name_field(field: &[u8]) -> Option<(usize, &'static str)> {
    if let Some(i) = field
        .iter()
        .position(|c| !(c.is_ascii_uppercase() || *c == b'<'))
    {
        return Some((i, "names have letters only"));
    }
    if field.first() == Some(&b'<') {
        return Some((0, "the primary identifier (surname) is missing"));
    }
    let end = field.iter().rposition(|c| *c != b'<').map_or(0, |i| i + 1);
    let names = &field[..end];
    let Some(split) = names.windows(2).position(|w| w == b"<<") else {
        return None; // a primary identifier only, maybe truncated
    };
    let secondary = &names[split + 2..];
    if secondary.first() == Some(&b'<') {
        return Some((split + 2, "fillers before the given names"));
    }
    if let Some(extra) = secondary.windows(2).position(|w| w == b"<<") {
        return Some((
            split + 2 + extra,
            "characters after the given names' fillers (a third identifier)",
        ));
    }
    None
}

/// The name-syntax error of the field at `line`, `column` (1-based).
pub(super) fn name_error(field: &[u8], line: usize, column: usize) -> Option<MrzError> {
    name_field(field).map(|(offset, reason)| MrzError::InvalidName {
        line,
        column: column + offset,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_icao_grammar() {
        for good in [
            &b"ERIKSSON<<ANNA<MARIA<<<<<<<<<"[..],
            b"SMITH<<<<<<<<",
            b"DE<LA<CRUZ<<JOSE<<<<<",
            b"TRUNCATEDSURNAME<<GIVENNAMESGOINGON",
        ] {
            assert_eq!(name_field(good), None, "{}", String::from_utf8_lossy(good));
        }
        for (bad, at) in [
            (&b"ERIK5SON<<ANNA<<<<"[..], 4),
            (b"<ERIKSSON<<ANNA<<<<", 0),
            (b"<<<<<<<<<<<<<<<<<<<", 0),
            (b"ERIKSSON<<<ANNA<<<<", 10),
            (b"ERIKSSON<<ANNA<<KLK<", 14),
        ] {
            let found = name_field(bad).map(|(offset, _)| offset);
            assert_eq!(found, Some(at), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn document_codes_fit_their_format() {
        assert_eq!(document_code(Format::Td3, b"P<"), None);
        assert_eq!(document_code(Format::Td3, b"PD"), None);
        assert_eq!(document_code(Format::Td1, b"ID"), None);
        assert_eq!(document_code(Format::Td1, b"AR"), None);
        assert_eq!(document_code(Format::Td2, b"C<"), None);
        assert_eq!(document_code(Format::MrvA, b"V<"), None);
        for (format, code) in [
            (Format::Td3, &b"N<"[..]),
            (Format::Td3, b"T<"),
            (Format::Td1, b"S<"),
            (Format::Td1, b"G<"),
            (Format::Td1, b"IV"),
            (Format::Td2, b"P<"),
            (Format::Td3, b"P1"),
        ] {
            assert!(document_code(format, code).is_some(), "{format} {code:?}");
        }
    }
}
