//! Repairing OCR output of an MRZ (CHK-2): the classic confusions O/0, I/1,
//! Z/2, S/5, G/6, B/8 are undone using each position's field type — digits
//! where the layout wants digits, letters where it wants letters — and, in
//! alphanumeric fields (document number, optional data), the candidate that
//! satisfies the field's check digit (and the composite) with the fewest
//! changes. A repair that is not unique, or that needs more than two changes,
//! is not made and the reading is marked ambiguous: two numbers that both
//! verify are never decided between (issue 15, fail closed).

use serde::Serialize;

use super::check_digit::check_digit;

/// One character changed by [`repair`] (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub line: usize,
    pub column: usize,
    pub from: char,
    pub to: char,
}

/// Repaired MRZ text and what was changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repaired {
    pub lines: Vec<String>,
    pub corrections: Vec<Correction>,
    /// A field had several repairs that satisfy its check digit (and the
    /// composite): none was made.
    pub ambiguous: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Letters or fillers (codes, countries, names).
    Alpha,
    /// Digits (dates, check digits); a filler stays a filler.
    Numeric,
    /// Letters and digits: repaired only against a check digit.
    Alnum,
    Other,
}

const TO_DIGIT: [(u8, u8); 9] = [
    (b'O', b'0'),
    (b'Q', b'0'),
    (b'D', b'0'),
    (b'I', b'1'),
    (b'L', b'1'),
    (b'Z', b'2'),
    (b'S', b'5'),
    (b'G', b'6'),
    (b'B', b'8'),
];
const TO_LETTER: [(u8, u8); 6] = [
    (b'0', b'O'),
    (b'1', b'I'),
    (b'2', b'Z'),
    (b'5', b'S'),
    (b'6', b'G'),
    (b'8', b'B'),
];

/// More confusions than this in one field are not believed: another
/// misreading explains the check digit as well.
const MAX_SWAPS: u32 = 2;

fn twin(c: u8) -> Option<u8> {
    TO_DIGIT
        .iter()
        .find(|(l, _)| *l == c)
        .map(|(_, d)| *d)
        .or_else(|| TO_LETTER.iter().find(|(d, _)| *d == c).map(|(_, l)| *l))
}

/// An alphanumeric field and its check digit: (line, start, end, check-digit column).
type AlnumField = (usize, usize, usize, usize);
/// Where the composite check digit is: (line, column).
type Composite = Option<(usize, usize)>;
type Layout = (Vec<Vec<Kind>>, Vec<AlnumField>, Composite);

/// Each position's kind, the alphanumeric fields and the composite.
fn layout(lengths: &[usize]) -> Option<Layout> {
    use Kind::*;
    let fill = |v: &mut Vec<Kind>, range: std::ops::Range<usize>, k: Kind| {
        for i in range {
            v[i] = k;
        }
    };
    match lengths {
        [30, 30, 30] => {
            let mut l1 = vec![Other; 30];
            fill(&mut l1, 0..1, Alpha);
            fill(&mut l1, 2..5, Alpha);
            fill(&mut l1, 5..14, Alnum);
            fill(&mut l1, 14..15, Numeric);
            fill(&mut l1, 15..30, Alnum);
            let mut l2 = vec![Numeric; 30];
            l2[7] = Other;
            fill(&mut l2, 15..18, Alpha);
            fill(&mut l2, 18..29, Alnum);
            let l3 = vec![Alpha; 30];
            Some((vec![l1, l2, l3], vec![(0, 5, 14, 14)], Some((1, 29))))
        }
        [w, w2] if w == w2 && (*w == 36 || *w == 44) => {
            let w = *w;
            let mut l1 = vec![Alpha; w];
            l1[1] = Other;
            let mut l2 = vec![Numeric; w];
            fill(&mut l2, 0..9, Alnum);
            fill(&mut l2, 10..13, Alpha);
            l2[20] = Other;
            fill(&mut l2, 28..w, Alnum);
            let mut fields = vec![(1, 0, 9, 9)];
            // TD3 and TD2 (a visa has neither; the caller drops them).
            let composite = if w == 44 {
                l2[42] = Numeric;
                l2[43] = Numeric;
                fields.push((1, 28, 42, 42));
                Some((1, 43))
            } else {
                l2[35] = Numeric;
                Some((1, 35))
            };
            Some((vec![l1, l2], fields, composite))
        }
        _ => None,
    }
}

fn composite_ok(lines: &[Vec<u8>], composite: Option<(usize, usize)>) -> bool {
    let Some((line, col)) = composite else {
        return true;
    };
    let data: Vec<u8> = if lines.len() == 3 {
        let mut d = lines[0][5..30].to_vec();
        d.extend_from_slice(&lines[1][0..7]);
        d.extend_from_slice(&lines[1][8..15]);
        d.extend_from_slice(&lines[1][18..29]);
        d
    } else {
        let mut d = lines[1][0..10].to_vec();
        d.extend_from_slice(&lines[1][13..20]);
        d.extend_from_slice(&lines[1][21..col]);
        d
    };
    check_digit(&data) == Some(lines[line][col])
}

/// Normalises OCR output (uppercase, no spaces, `«` as `<`) and repairs it.
/// Lines whose lengths match no MRZ format are returned normalised only.
pub fn repair(raw: &str) -> Repaired {
    let mut lines: Vec<Vec<u8>> = raw
        .lines()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| {
                    if c == '«' {
                        '<'
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect::<String>()
                .into_bytes()
        })
        .filter(|l| !l.is_empty())
        .collect();
    let mut corrections = Vec::new();
    let mut ambiguous_repair = false;
    let lengths: Vec<usize> = lines.iter().map(Vec::len).collect();
    let Some((kinds, alnum_fields, mut composite)) = layout(&lengths) else {
        return Repaired {
            lines: lines
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
            corrections,
            ambiguous: false,
        };
    };
    let visa = lines[0].first() == Some(&b'V');
    let mut alnum_fields = alnum_fields;
    if visa && lines.len() == 2 {
        composite = None;
        alnum_fields.truncate(1);
    }
    // Letters where digits belong, digits where letters belong.
    for (li, line) in lines.iter_mut().enumerate() {
        for (ci, c) in line.iter_mut().enumerate() {
            let table: &[(u8, u8)] = match kinds[li][ci] {
                Kind::Numeric => &TO_DIGIT,
                Kind::Alpha => &TO_LETTER,
                _ => continue,
            };
            if let Some((_, to)) = table.iter().find(|(from, _)| from == c) {
                corrections.push(Correction {
                    line: li + 1,
                    column: ci + 1,
                    from: char::from(*c),
                    to: char::from(*to),
                });
                *c = *to;
            }
        }
    }
    // Alphanumeric fields: the fewest swaps that satisfy the check digit.
    for (li, start, end, cd_col) in alnum_fields {
        let field = lines[li][start..end].to_vec();
        let cd = lines[li][cd_col];
        let all_fillers = field.iter().all(|c| *c == b'<');
        if check_digit(&field) == Some(cd) || (all_fillers && cd == b'<') {
            continue;
        }
        let ambiguous: Vec<usize> = (0..field.len())
            .filter(|i| twin(field[*i]).is_some())
            .collect();
        if ambiguous.len() > 12 {
            continue;
        }
        let mut verifying: Vec<(u32, Vec<u8>)> = Vec::new();
        for mask in 1u32..(1 << ambiguous.len()) {
            let mut candidate = field.clone();
            for (bit, i) in ambiguous.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    candidate[*i] = twin(candidate[*i]).unwrap_or(candidate[*i]);
                }
            }
            if check_digit(&candidate) == Some(cd) {
                verifying.push((mask.count_ones(), candidate));
            }
        }
        let Some(fewest) = verifying.iter().map(|(n, _)| *n).min() else {
            continue;
        };
        let mut minimal: Vec<Vec<u8>> = verifying
            .into_iter()
            .filter(|(n, _)| *n == fewest)
            .map(|(_, c)| c)
            .collect();
        if minimal.len() > 1 {
            // Let the composite decide between equally small repairs.
            minimal.retain(|candidate| {
                let mut trial = lines.clone();
                trial[li][start..end].copy_from_slice(candidate);
                composite_ok(&trial, composite)
            });
        }
        if minimal.len() > 1 || fewest > MAX_SWAPS {
            ambiguous_repair = true;
            continue;
        }
        if let [only] = minimal.as_slice() {
            for (i, (old, new)) in field.iter().zip(only.iter()).enumerate() {
                if old != new {
                    corrections.push(Correction {
                        line: li + 1,
                        column: start + i + 1,
                        from: char::from(*old),
                        to: char::from(*new),
                    });
                }
            }
            lines[li][start..end].copy_from_slice(only);
        }
    }
    Repaired {
        lines: lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect(),
        corrections,
        ambiguous: ambiguous_repair,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TD3: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];

    #[test]
    fn confusions_in_typed_fields_are_undone() {
        let ocr = "P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<\nL898902C36UT074O8I22F12O4I59ZE184226B<<<<<I0";
        let repaired = repair(ocr);
        assert_eq!(repaired.lines, TD3);
        assert_eq!(repaired.corrections.len(), 9);
        assert!(repaired.corrections.contains(&Correction {
            line: 2,
            column: 16,
            from: 'O',
            to: '0'
        }));
    }

    #[test]
    fn a_document_number_is_repaired_by_its_check_digit() {
        // L898902C3 with 0 read as O: only one single swap satisfies the check digit.
        let ocr = format!(
            "{}\n{}",
            TD3[0],
            TD3[1].replacen("L898902C3", "L8989O2C3", 1)
        );
        let repaired = repair(&ocr);
        assert_eq!(repaired.lines, TD3);
        assert_eq!(
            repaired.corrections,
            [Correction {
                line: 2,
                column: 6,
                from: 'O',
                to: '0'
            }]
        );
    }

    #[test]
    fn whitespace_case_and_guillemets_are_normalised_and_clean_input_is_untouched() {
        let ocr = format!(
            "  p<utoeriksson<<anna<maria«««««««««««««««««««\n{}",
            TD3[1].replace('<', " < ")
        );
        let repaired = repair(&ocr);
        assert_eq!(repaired.lines, TD3);
        assert!(repair(&TD3.join("\n")).corrections.is_empty());
    }

    #[test]
    fn two_numbers_that_both_verify_are_not_decided_between() {
        // A visa has no composite: only the number's own check digit.
        let read = "ZB5O1IOQ2";
        let variants = |field: &str| -> Vec<String> {
            let bytes = field.as_bytes();
            (0u32..1 << bytes.len())
                .map(|mask| {
                    (0..bytes.len())
                        .map(|i| {
                            let c = bytes[i];
                            char::from(if mask & (1 << i) != 0 {
                                twin(c).unwrap_or(c)
                            } else {
                                c
                            })
                        })
                        .collect()
                })
                .collect()
        };
        let own = check_digit(read.as_bytes()).unwrap_or(b'?');
        // A digit for which two repairs of the same size verify.
        let cd = (b'0'..=b'9')
            .filter(|d| *d != own)
            .find(|d| {
                let sizes: Vec<u32> = (0u32..1 << read.len())
                    .zip(variants(read))
                    .filter(|(_, v)| check_digit(v.as_bytes()) == Some(*d))
                    .map(|(mask, _)| mask.count_ones())
                    .collect();
                let fewest = sizes.iter().min().copied().unwrap_or(99);
                fewest <= MAX_SWAPS && sizes.iter().filter(|n| **n == fewest).count() > 1
            })
            .expect("a digit two repairs verify");
        let line1 = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        let line2 = format!("{read}{}UTO7408122F1204159<<<<<<<<<<<<<<<<", char::from(cd));
        let repaired = repair(&format!("{line1}\n{line2}"));
        assert!(repaired.ambiguous);
        assert_eq!(&repaired.lines[1][..9], read, "no number was picked");
        assert!(!repair(&TD3.join("\n")).ambiguous);
    }
}
