//! Giving OCR rows the format's width, failing closed (issue 15): every way
//! to fit the rows is repaired and parsed; a reading is only taken without
//! doubt when exactly one fits every rule, and when no row holding names
//! (which no check digit covers) had its length guessed.
//!
//! OCR miscounts runs of fillers (`<<<<<`) most: a row that is too short and
//! ends in a filler is padded, a row that is too long loses fillers from its
//! trailing run — both change fillers only (tier 0). Anything else — a
//! character dropped inside the row, stray characters in front, padding a row
//! that ended in a letter — is a guess (tier 1), trusted only where check
//! digits verify it.

use time::Date;
use veritrail_domain::mrz::{self, Mrz};

/// One way to give a row the format's width.
#[derive(Debug, Clone)]
struct Alignment {
    text: String,
    /// 0: only fillers changed; 1: a guess.
    tier: u8,
}

/// The chosen lines, their parse, and why they are in doubt (if they are).
#[derive(Debug, Clone)]
pub struct Aligned {
    pub repaired: mrz::Repaired,
    pub mrz: Option<Mrz>,
    pub doubts: Vec<&'static str>,
}

/// A doubt: several readings satisfy every rule.
pub const AMBIGUOUS: &str =
    "the MRZ can be read in more than one way that satisfies every check digit";
/// A doubt: a row with names was fitted by a guess.
pub const NAMES_GUESSED: &str =
    "characters of the name row were lost or added in reading, and names carry no check digit";

/// Verified check digits (and the composite) out of those present.
pub fn check_digit_score(mrz: Option<&Mrz>) -> (usize, usize) {
    mrz.map_or((0, 1), |m| {
        let digits: Vec<bool> = m
            .checks
            .iter()
            .filter(|c| c.name.ends_with("check_digit"))
            .map(|c| c.passed)
            .collect();
        (digits.iter().filter(|p| **p).count(), digits.len().max(1))
    })
}

/// The format's row width, from the number of rows and their lengths.
fn format_width(lines: &[String]) -> usize {
    let longest = lines.iter().map(String::len).max().unwrap_or(0);
    if lines.len() >= 3 {
        30
    } else if longest > 40 {
        44
    } else {
        36
    }
}

/// The row that holds the names: the first of two, the third of three.
fn name_row(rows: usize) -> usize {
    if rows >= 3 {
        2
    } else {
        0
    }
}

fn alignments(line: &str, width: usize) -> Vec<Alignment> {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width {
        let mut text: String = chars.iter().collect();
        text.extend(std::iter::repeat_n('<', width - chars.len()));
        let tier = u8::from(chars.len() < width && chars.last() != Some(&'<'));
        return vec![Alignment { text, tier }];
    }
    let extra = chars.len() - width;
    let trailing = chars.iter().rev().take_while(|c| **c == '<').count();
    let mut out = Vec::new();
    if trailing > extra {
        out.push(Alignment {
            text: chars[..width].iter().collect(),
            tier: 0,
        });
    }
    if extra == 1 {
        // One inserted character, anywhere (a doubled "0O", a speck).
        out.extend((0..chars.len()).map(|skip| {
            Alignment {
                text: chars
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, c)| c)
                    .collect(),
                tier: 1,
            }
        }));
    } else {
        out.extend((0..=extra.min(3)).map(|front| Alignment {
            text: chars[front..front + width].iter().collect(),
            tier: 1,
        }));
    }
    out
}

struct Candidate {
    lines: Vec<String>,
    tier: u8,
    names_guessed: bool,
}

fn candidates(raw_lines: &[String]) -> Vec<Candidate> {
    let width = format_width(raw_lines);
    let names = name_row(raw_lines.len());
    let mut combos = vec![Candidate {
        lines: Vec::new(),
        tier: 0,
        names_guessed: false,
    }];
    for (row, line) in raw_lines.iter().enumerate() {
        let options = alignments(line, width);
        combos = combos
            .into_iter()
            .flat_map(|prefix| {
                options.iter().map(move |o| {
                    let mut lines = prefix.lines.clone();
                    lines.push(o.text.clone());
                    Candidate {
                        lines,
                        tier: prefix.tier + o.tier,
                        names_guessed: prefix.names_guessed || (row == names && o.tier > 0),
                    }
                })
            })
            .collect();
    }
    combos
}

/// Repairs and parses every way to fit the rows. A reading that passes every
/// rule is taken from the fewest guesses; two different ones there are a
/// doubt. Without one, the reading with the most verified check digits wins
/// (ties: fewest repairs, then fewest guesses) — it will not pass anyway.
pub fn best_alignment(raw_lines: &[String], today: Date) -> Aligned {
    let mut sound_found: Vec<(u8, bool, mrz::Repaired, Mrz)> = Vec::new();
    type Key = (usize, std::cmp::Reverse<usize>, std::cmp::Reverse<u8>);
    let mut best: Option<(Key, mrz::Repaired, Option<Mrz>)> = None;
    for candidate in candidates(raw_lines) {
        let repaired = mrz::repair(&candidate.lines.join("\n"));
        let parsed = mrz::parse(&repaired.lines.join("\n"), today).ok();
        let parsed = match parsed {
            // Passes every rule but expiry: digits, syntax, codes, dates.
            Some(m) if m.mrz_valid() && !repaired.ambiguous => {
                if !sound_found
                    .iter()
                    .any(|(_, _, r, _)| r.lines == repaired.lines)
                {
                    sound_found.push((candidate.tier, candidate.names_guessed, repaired, m));
                }
                continue;
            }
            other => other,
        };
        let (passed, _) = check_digit_score(parsed.as_ref());
        let key = (
            passed + usize::from(parsed.is_some()),
            std::cmp::Reverse(repaired.corrections.len()),
            std::cmp::Reverse(candidate.tier),
        );
        if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
            best = Some((key, repaired, parsed));
        }
    }
    let Some(fewest) = sound_found.iter().map(|(tier, ..)| *tier).min() else {
        let (repaired, mrz) = best
            .map(|(_, r, p)| (r, p))
            .unwrap_or_else(|| (mrz::repair(""), None));
        return Aligned {
            repaired,
            mrz,
            doubts: Vec::new(),
        };
    };
    sound_found.retain(|(tier, ..)| *tier == fewest);
    let ambiguous = sound_found.len() > 1;
    let (_, names_guessed, repaired, parsed) = sound_found.swap_remove(0);
    let mut doubts = Vec::new();
    if ambiguous {
        doubts.push(AMBIGUOUS);
    }
    if names_guessed {
        doubts.push(NAMES_GUESSED);
    }
    Aligned {
        repaired,
        mrz: Some(parsed),
        doubts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    // The specimen's Utopia is no country: the tests read Denmark.
    fn rows(rows: &[&str]) -> Vec<String> {
        rows.iter().map(|s| s.to_string()).collect()
    }

    const TODAY: Date = date!(2010 - 01 - 01);

    #[test]
    fn rows_get_their_format_width() {
        let td3 = rows(&[
            "P<DNKERIKSSON<<ANNA<MARIA<<<",
            "L898902C36DNK7408122F1204159ZE184226B<<<<<10",
        ]);
        let aligned = best_alignment(&td3, TODAY);
        assert!(aligned.repaired.lines.iter().all(|l| l.len() == 44));
        let (passed, total) = check_digit_score(aligned.mrz.as_ref());
        assert_eq!(passed, total);
        assert!(aligned.mrz.as_ref().is_some_and(Mrz::mrz_valid));
        assert!(aligned.doubts.is_empty(), "{:?}", aligned.doubts);
        let td1 = rows(&[
            "I<DNKD231458907<<<<<<<<<<<<",
            "7408122F1204159DNK<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<",
        ]);
        let aligned = best_alignment(&td1, TODAY);
        assert!(aligned.repaired.lines.iter().all(|l| l.len() == 30));
    }

    #[test]
    fn a_stray_character_in_front_is_dropped_by_the_check_digits() {
        let td1 = rows(&[
            "I<DNKD231458907<<<<<<<<<<<<<<<",
            "07408122F1204159DNK<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ]);
        let aligned = best_alignment(&td1, TODAY);
        assert_eq!(aligned.repaired.lines[1], "7408122F1204159DNK<<<<<<<<<<<6");
        let (passed, total) = check_digit_score(aligned.mrz.as_ref());
        assert_eq!(passed, total);
        assert!(aligned.doubts.is_empty(), "{:?}", aligned.doubts);
        // An extra filler at the end of a row is only a filler.
        let td1 = rows(&[
            "I<DNKD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159DNK<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        ]);
        let aligned = best_alignment(&td1, TODAY);
        assert_eq!(aligned.repaired.lines[2], "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        assert!(aligned.doubts.is_empty(), "{:?}", aligned.doubts);
    }

    #[test]
    fn a_name_row_whose_length_must_be_guessed_is_in_doubt() {
        // The name row lost its last letters: padding it would invent a name.
        let td1 = rows(&[
            "I<DNKD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159DNK<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MAR",
        ]);
        let aligned = best_alignment(&td1, TODAY);
        assert_eq!(aligned.doubts, [NAMES_GUESSED]);
        // One character too many inside a full name row: which one is a guess.
        let td1 = rows(&[
            "I<DNKD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159DNK<<<<<<<<<<<6",
            "WOLFESCHLEGELSTEINHAUSENB<<ANNA",
        ]);
        let aligned = best_alignment(&td1, TODAY);
        assert!(aligned.doubts.contains(&AMBIGUOUS), "{:?}", aligned.doubts);
    }
}
