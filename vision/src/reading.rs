//! One reading of the rows and why it may be in doubt (issue 15, ADR 0015):
//! a reading is complete when every check digit verifies and nothing is in
//! doubt, and it is only trusted when a second complete reading, made from a
//! differently prepared crop, agrees wherever no check digit settles.

use time::Date;
use veritrail_domain::mrz::{self, Mrz};

use crate::align::{check_digit_score, Aligned};
use crate::shapes::Dispute;

/// Tesseract's row confidence below which a reading is in doubt, whatever
/// its check digits say (calibrated on the evaluation sets, docs/accuracy.md).
const MIN_ROW_CONFIDENCE: f64 = 0.5;
const AMBIGUOUS_REPAIR: &str =
    "a field could be repaired in more than one way that satisfies its check digit";

/// One pass over the rows with one crop preparation.
pub(crate) struct RowsRead {
    pub(crate) raw_lines: Vec<String>,
    pub(crate) row_confidence: Vec<f64>,
    pub(crate) repaired: mrz::Repaired,
    pub(crate) mrz: Option<Mrz>,
    pub(crate) doubts: Vec<String>,
}

/// Parsed, every check digit verified, and nothing in doubt.
pub(crate) fn certain(mrz: Option<&Mrz>, doubts: &[String]) -> bool {
    let (passed, total) = check_digit_score(mrz);
    mrz.is_some() && passed == total && doubts.is_empty()
}

impl RowsRead {
    /// The rows as read and their fitted, repaired parse, with the doubts of
    /// the fit, of the repair and of Tesseract's row confidence.
    pub(crate) fn new(raw_lines: Vec<String>, row_confidence: Vec<f64>, aligned: Aligned) -> Self {
        let mut doubts: Vec<String> = aligned.doubts.iter().map(|d| (*d).to_owned()).collect();
        if aligned.repaired.ambiguous {
            doubts.push(AMBIGUOUS_REPAIR.to_owned());
        }
        if let Some((row, c)) = row_confidence
            .iter()
            .enumerate()
            .find(|(_, c)| **c < MIN_ROW_CONFIDENCE)
        {
            doubts.push(format!(
                "row {} was read with confidence {c:.2}, below {MIN_ROW_CONFIDENCE}",
                row + 1
            ));
        }
        Self {
            raw_lines,
            row_confidence,
            repaired: aligned.repaired,
            mrz: aligned.mrz,
            doubts,
        }
    }

    /// Verified check digits, then no doubt, then whether it parsed at all:
    /// higher is better.
    pub(crate) fn score(&self) -> (usize, bool, bool) {
        (
            check_digit_score(self.mrz.as_ref()).0,
            self.doubts.is_empty(),
            self.mrz.is_some(),
        )
    }

    /// Adds a doubt for each character whose shape fits another character
    /// better (`disputes`, per row, indexed in the row as read) where the
    /// other character would satisfy every rule too: no check digit, code
    /// or syntax rule could tell the two readings apart.
    pub(crate) fn dispute_shapes(&mut self, disputes: &[Vec<Dispute>], today: Date) {
        let lines = &self.repaired.lines;
        for (row, row_disputes) in disputes.iter().enumerate() {
            let (Some(raw), Some(line)) = (self.raw_lines.get(row), lines.get(row)) else {
                continue;
            };
            let offset = offset(raw, line);
            for d in row_disputes {
                let column = d.index as i64 + offset;
                let Ok(column) = usize::try_from(column) else {
                    continue;
                };
                // Only a character kept as read: a repaired one was settled.
                if line.as_bytes().get(column) != Some(&(d.read as u8)) {
                    continue;
                }
                let mut other = lines.clone();
                other[row].replace_range(column..=column, &d.shape.to_string());
                let passes = mrz::parse(&other.join("\n"), today).is_ok_and(|m| m.mrz_valid());
                if passes {
                    self.doubts.push(format!(
                        "row {} column {} was read as {:?} but its shape is closer to {:?}, \
                         and no check digit tells the two apart",
                        row + 1,
                        column + 1,
                        d.read,
                        d.shape
                    ));
                }
            }
        }
    }

    /// Parsed with every check digit verified and no doubt: no need to
    /// read again.
    pub(crate) fn complete(&self) -> bool {
        certain(self.mrz.as_ref(), &self.doubts)
    }
}

pub(crate) const UNCONFIRMED: &str =
    "only one way of preparing the photo gave a reading whose check digits verify";

/// Why `other` does not confirm `best`: the rows of two readings must agree
/// on every character no check digit settles (names, codes, nationality,
/// sex, and changes by a multiple of 10 that the 7-3-1 digit cannot see).
pub(crate) fn disagreement(best: &RowsRead, other: &RowsRead) -> Option<String> {
    let format = best.mrz.as_ref()?.format;
    let (a, b) = (&best.repaired.lines, &other.repaired.lines);
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.len() != y.len()) {
        return Some("a second reading of the photo did not find the same rows".to_owned());
    }
    let (row, column) = *mrz::unsettled(format, a, b).first()?;
    let char_at = |lines: &[String]| lines[row].chars().nth(column).unwrap_or('?');
    Some(format!(
        "two readings differ at row {} column {} ({:?} or {:?}), which no check digit settles",
        row + 1,
        column + 1,
        char_at(a),
        char_at(b)
    ))
}

/// How far `line` (the row fitted to its width) is shifted from `raw` (the
/// row as read): the shift, within four characters, that lines up the most
/// equal characters.
fn offset(raw: &str, line: &str) -> i64 {
    let (raw, line) = (raw.as_bytes(), line.as_bytes());
    (-4..=4i64)
        .max_by_key(|o| {
            let equal = raw
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    usize::try_from(*i as i64 + o).is_ok_and(|j| line.get(j) == Some(c))
                })
                .count();
            (equal, std::cmp::Reverse(o.abs()))
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::best_alignment;
    use time::macros::date;

    const TODAY: Date = date!(2010 - 01 - 01);

    /// ICAO's specimen with a W in the document number: W (32) and M (22)
    /// give the same check digit.
    fn read(second_row: &str) -> RowsRead {
        let raw = vec![
            "P<DNKERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned(),
            second_row.to_owned(),
        ];
        let aligned = best_alignment(&raw, TODAY);
        RowsRead::new(raw, vec![0.9, 0.9], aligned)
    }

    fn dispute(index: usize, read: char, shape: char) -> Dispute {
        Dispute { index, read, shape }
    }

    fn assert_first_doubt_at(rows: &RowsRead, place: &str) {
        assert!(rows.doubts[0].contains(place), "{:?}", rows.doubts);
    }

    #[test]
    fn a_shape_that_no_rule_can_settle_is_a_doubt() {
        let mut rows = read("M898902C36DNK7408122F1204159ZE184226B<<<<<10");
        assert!(rows.complete(), "{:?}", rows.doubts);
        rows.dispute_shapes(&[vec![], vec![dispute(0, 'M', 'W')]], TODAY);
        assert!(!rows.complete());
        assert_first_doubt_at(&rows, "row 2 column 1");
    }

    #[test]
    fn a_shape_a_check_digit_rules_out_is_no_doubt() {
        let mut rows = read("M898902C36DNK7408122F1204159ZE184226B<<<<<10");
        // N (23) would break the number's check digit.
        rows.dispute_shapes(&[vec![], vec![dispute(0, 'M', 'N')]], TODAY);
        // A digit in the surname breaks the name grammar.
        rows.dispute_shapes(&[vec![dispute(5, 'E', '6')], vec![]], TODAY);
        assert!(rows.complete(), "{:?}", rows.doubts);
        // A letter for a letter in the names: nothing tells them apart.
        rows.dispute_shapes(&[vec![dispute(5, 'E', 'F')], vec![]], TODAY);
        assert_first_doubt_at(&rows, "row 1 column 6");
    }

    #[test]
    fn a_row_read_with_stray_characters_in_front_is_lined_up() {
        assert_eq!(offset("XXP<DNKERIKSSON", "P<DNKERIKSSON<<<"), -2);
        assert_eq!(offset("DNKERIKSSON", "P<DNKERIKSSON"), 2);
        assert_eq!(offset("P<DNK", "P<DNK<<"), 0);
    }
}
