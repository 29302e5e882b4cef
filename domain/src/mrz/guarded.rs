//! Which MRZ positions a check digit guards. Names, codes, nationality and
//! sex are guarded by none; and the 7-3-1 digit cannot see a character
//! replaced by one whose value differs by a multiple of 10 (`M`/`W`, `G`/`Q`,
//! `0`/`A`, `<`/`K` …). Two readings of one MRZ that differ anywhere else
//! than at a guarded position by a visible amount are not the same reading.

use super::check_digit::char_value;
use super::model::Format;

/// Whether a check digit (or the composite) covers `column` (0-based) of
/// `row` (0-based) in `format`.
pub fn guarded(format: Format, row: usize, column: usize) -> bool {
    match (format, row) {
        (Format::Td1, 0) => column >= 5,
        (Format::Td1, 1) => !matches!(column, 7 | 15..=17),
        (Format::Td1, _) => false,
        (_, 0) => false,
        (Format::Td3 | Format::Td2, _) => !matches!(column, 10..=12 | 20),
        // Visas: the number and the dates; no composite over the rest.
        (Format::MrvA | Format::MrvB, _) => matches!(column, 0..=9 | 13..=19 | 21..=27),
    }
}

/// Whether a check digit would notice `a` read as `b`.
pub fn visible_change(a: u8, b: u8) -> bool {
    match (char_value(a), char_value(b)) {
        (Some(x), Some(y)) => (i64::from(x) - i64::from(y)) % 10 != 0,
        _ => true,
    }
}

/// Positions (row, column; 0-based) where two readings of the same format
/// differ in a way no check digit can settle.
pub fn unsettled(format: Format, a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (row, (x, y)) in a.iter().zip(b).enumerate() {
        for (column, (p, q)) in x.bytes().zip(y.bytes()).enumerate() {
            if p != q && !(guarded(format, row, column) && visible_change(p, q)) {
                out.push((row, column));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ten_apart_letters_are_unguarded() {
        let a = vec![
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_owned(),
        ];
        let mut names = a.clone();
        names[0] = names[0].replace("ANNA", "ANMA");
        assert_eq!(unsettled(Format::Td3, &a, &names), [(0, 17)]);
        // M (22) and W (32): the check digit cannot tell them apart.
        let mut ten = a.clone();
        ten[1] = ten[1].replacen("C3", "W3", 1);
        let mut twelve = ten.clone();
        twelve[1] = twelve[1].replacen("W3", "M3", 1);
        assert_eq!(unsettled(Format::Td3, &ten, &twelve), [(1, 7)]);
        // 8 read as 3 in the number: its check digit will fail.
        let mut seen = a.clone();
        seen[1] = seen[1].replacen("L8989", "L8939", 1);
        assert!(unsettled(Format::Td3, &a, &seen).is_empty());
        assert!(guarded(Format::Td1, 0, 5) && !guarded(Format::Td1, 2, 3));
        assert!(!guarded(Format::MrvA, 1, 30));
    }
}
