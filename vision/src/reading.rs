//! One reading of the rows and why it may be in doubt (issue 15, ADR 0015):
//! a reading is complete when every check digit verifies and nothing is in
//! doubt, and it is only trusted when a second complete reading, made from a
//! differently prepared crop, agrees wherever no check digit settles.

use veritrail_domain::mrz::{self, Mrz};

use crate::align::{check_digit_score, Aligned};

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
