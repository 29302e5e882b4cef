//! Printed-zone reading for documents without an MRZ (driver licences):
//! the page levelled as for the MRZ, read whole by Tesseract's English model,
//! and the fields taken from the numbered layout both the EU licence
//! (Directive 2006/126/EC) and the AAMVA card design use — 1 surname,
//! 2 given names, 3 birth date (and place), 4a issued, 4b expiry, 4d/5
//! licence number — or from the common US labels (DL, DOB, EXP, LN, FN).

use std::path::Path;

use tesseract::PageSegMode;
use time::{Date, Month};

use crate::engine::EnginePool;
use crate::gray::GrayImage;
use crate::locate::level;
use crate::VisionError;

/// Debian's English model (package `tesseract-ocr-eng`).
pub const SYSTEM_ENG: &str = "/usr/share/tesseract-ocr/5/tessdata/eng.traineddata";

/// Fields read from a printed zone; `None` when not found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PrintedZone {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub birth_date: Option<Date>,
    pub issue_date: Option<Date>,
    pub expiry_date: Option<Date>,
    pub document_number: Option<String>,
    /// Licence categories (field 9), e.g. `AM/B/BE`.
    pub categories: Option<String>,
}

impl PrintedZone {
    /// How many of the identifying fields were found.
    pub fn found(&self) -> usize {
        [
            self.surname.is_some(),
            self.given_names.is_some(),
            self.birth_date.is_some(),
            self.expiry_date.is_some(),
            self.document_number.is_some(),
        ]
        .iter()
        .filter(|f| **f)
        .count()
    }
}

/// What was read.
#[derive(Debug, Clone)]
pub struct PrintedReading {
    pub text_lines: Vec<String>,
    pub fields: PrintedZone,
    /// Tesseract's mean confidence, 0–1.
    pub confidence: f64,
    pub skew_degrees: f64,
}

/// Reads printed zones with Tesseract's English model.
#[derive(Debug, Clone)]
pub struct PrintedReader {
    engines: EnginePool,
}

impl PrintedReader {
    pub fn from_path(path: &Path) -> Result<Self, VisionError> {
        let data = std::fs::read(path).map_err(|_| VisionError::ModelMissing {
            path: path.to_owned(),
        })?;
        Ok(Self {
            engines: EnginePool::new(data, "eng", None),
        })
    }

    /// `eng.traineddata` from `dir` if it is there, else Debian's.
    pub fn from_dir(dir: &Path) -> Result<Self, VisionError> {
        let local = dir.join("eng.traineddata");
        Self::from_path(if local.exists() {
            &local
        } else {
            Path::new(SYSTEM_ENG)
        })
    }

    /// Decodes an image (PNG, JPEG or WebP) and reads its printed zone.
    pub fn read(&self, image: &[u8], today: Date) -> Result<PrintedReading, VisionError> {
        let gray = GrayImage::decode(image)?;
        self.read_gray(&gray, today)
    }

    pub fn read_gray(&self, gray: &GrayImage, today: Date) -> Result<PrintedReading, VisionError> {
        let levelled = level(gray);
        let read = self
            .engines
            .recognise(&levelled.page, PageSegMode::PsmAuto)?;
        let text_lines: Vec<String> = read
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(PrintedReading {
            fields: parse_fields(&text_lines, today),
            text_lines,
            confidence: f64::from(read.confidence.clamp(0.0, 100.0)) / 100.0,
            skew_degrees: (levelled.skew_degrees * 100.0).round() / 100.0,
        })
    }
}

/// Field markers, longest first so `4a` wins over `4`.
const MARKERS: [&str; 9] = ["4a", "4b", "4c", "4d", "1", "2", "3", "5", "9"];

/// Splits a line into `(marker, value)` pieces: "4a. 19.01.2013 4c. Berlin"
/// gives `("4a", "19.01.2013")`, `("4c", "Berlin")`.
fn numbered(line: &str) -> Vec<(&'static str, String)> {
    let bytes = line.as_bytes();
    let mut starts: Vec<(usize, usize, &'static str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_word = i == 0 || bytes[i - 1] == b' ';
        if at_word {
            if let Some(m) = MARKERS.iter().find(|m| {
                line[i..].starts_with(**m)
                    && matches!(bytes.get(i + m.len()), Some(b'.') | Some(b','))
                    && matches!(bytes.get(i + m.len() + 1), Some(b' ') | None)
            }) {
                starts.push((i, i + m.len() + 1, m));
                i += m.len() + 1;
                continue;
            }
        }
        i += 1;
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, (_, value_start, marker))| {
            let end = starts.get(k + 1).map_or(line.len(), |next| next.0);
            (*marker, line[*value_start..end].trim().to_owned())
        })
        .collect()
}

/// The first date in `text`: `DD.MM.YYYY`, `DD/MM/YYYY`, `DD-MM-YYYY`, or
/// with `us` set `MM/DD/YYYY`.
fn first_date(text: &str, us: bool) -> Option<Date> {
    let chars: Vec<char> = text.chars().collect();
    for start in 0..chars.len() {
        let window: String = chars[start..].iter().take(10).collect();
        let b = window.as_bytes();
        if b.len() < 10 || !matches!(b[2], b'.' | b'/' | b'-') || b[5] != b[2] {
            continue;
        }
        let digits = |r: std::ops::Range<usize>| window.get(r).and_then(|s| s.parse::<u16>().ok());
        let (Some(a), Some(m), Some(y)) = (digits(0..2), digits(3..5), digits(6..10)) else {
            continue;
        };
        let (day, month) = if us { (m, a) } else { (a, m) };
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok());
        if let (Some(month), Ok(day)) = (month, u8::try_from(day)) {
            if let Ok(date) = Date::from_calendar_date(i32::from(y), month, day) {
                return Some(date);
            }
        }
    }
    None
}

fn clean_name(value: &str) -> Option<String> {
    let name: String = value
        .chars()
        .filter(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\''))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (name.chars().filter(|c| c.is_alphabetic()).count() >= 2).then_some(name)
}

fn clean_number(value: &str) -> Option<String> {
    let number: String = value
        .split_whitespace()
        .next()?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    (number.len() >= 5).then_some(number)
}

/// Fields from OCR'd lines. US labels read dates month first.
pub fn parse_fields(lines: &[String], today: Date) -> PrintedZone {
    let mut zone = PrintedZone::default();
    let us = lines.iter().any(|l| {
        let upper = l.to_uppercase();
        upper.contains("DOB") || upper.split_whitespace().any(|w| w == "DL" || w == "EXP")
    });
    for line in lines {
        for (marker, value) in numbered(line) {
            match marker {
                "1" => zone.surname = zone.surname.take().or_else(|| clean_name(&value)),
                "2" => zone.given_names = zone.given_names.take().or_else(|| clean_name(&value)),
                "3" => zone.birth_date = zone.birth_date.or_else(|| first_date(&value, us)),
                "4a" => zone.issue_date = zone.issue_date.or_else(|| first_date(&value, us)),
                "4b" => zone.expiry_date = zone.expiry_date.or_else(|| first_date(&value, us)),
                "4d" | "5" => {
                    zone.document_number =
                        zone.document_number.take().or_else(|| clean_number(&value))
                }
                "9" => {
                    zone.categories = zone
                        .categories
                        .take()
                        .or_else(|| Some(value.split_whitespace().collect::<Vec<_>>().join(" ")))
                }
                _ => {}
            }
        }
        // US labels: "DL 123456789", "DOB 01/02/1980", "EXP 01/02/2030", "LN SMITH", "FN JOHN".
        let mut words = line.split_whitespace();
        while let Some(word) = words.next() {
            let rest = || words.clone().collect::<Vec<_>>().join(" ");
            match word.trim_end_matches([':', '.']).to_uppercase().as_str() {
                "DL" | "DLN" | "LIC#" => {
                    zone.document_number = zone
                        .document_number
                        .take()
                        .or_else(|| clean_number(&rest()))
                }
                "DOB" => zone.birth_date = zone.birth_date.or_else(|| first_date(&rest(), us)),
                "EXP" => zone.expiry_date = zone.expiry_date.or_else(|| first_date(&rest(), us)),
                "ISS" => zone.issue_date = zone.issue_date.or_else(|| first_date(&rest(), us)),
                "LN" => zone.surname = zone.surname.take().or_else(|| clean_name(&rest())),
                "FN" => zone.given_names = zone.given_names.take().or_else(|| clean_name(&rest())),
                _ => {}
            }
        }
    }
    // A "birth date" after today is a misread.
    if zone.birth_date.is_some_and(|d| d > today) {
        zone.birth_date = None;
    }
    zone
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn the_eu_numbered_layout_is_parsed() {
        let zone = parse_fields(
            &lines(
                "DRIVING LICENCE\n1. MUSTERMANN\n2. ERIKA\n3. 12.08.1964 BERLIN\n4a. 19.01.2013 4c. Stadt Berlin\n4b. 18.01.2028\n5. B072RRE2I55\n9. AM/B/L",
            ),
            date!(2026 - 11 - 22),
        );
        assert_eq!(zone.surname.as_deref(), Some("MUSTERMANN"));
        assert_eq!(zone.given_names.as_deref(), Some("ERIKA"));
        assert_eq!(zone.birth_date, Some(date!(1964 - 08 - 12)));
        assert_eq!(zone.issue_date, Some(date!(2013 - 01 - 19)));
        assert_eq!(zone.expiry_date, Some(date!(2028 - 01 - 18)));
        assert_eq!(zone.document_number.as_deref(), Some("B072RRE2I55"));
        assert_eq!(zone.categories.as_deref(), Some("AM/B/L"));
        assert_eq!(zone.found(), 5);
    }

    #[test]
    fn us_labels_read_dates_month_first() {
        let zone = parse_fields(
            &lines("DL D1234567\nEXP 03/04/2030\nLN SMITH\nFN JOHN ALBERT\nDOB 11/30/1985"),
            date!(2026 - 11 - 22),
        );
        assert_eq!(zone.document_number.as_deref(), Some("D1234567"));
        assert_eq!(zone.expiry_date, Some(date!(2030 - 03 - 04)));
        assert_eq!(zone.birth_date, Some(date!(1985 - 11 - 30)));
        assert_eq!(zone.surname.as_deref(), Some("SMITH"));
        assert_eq!(zone.given_names.as_deref(), Some("JOHN ALBERT"));
    }

    #[test]
    fn text_without_fields_finds_nothing() {
        let zone = parse_fields(&lines("hello world\n12 apples"), date!(2026 - 11 - 22));
        assert_eq!(zone.found(), 0);
    }
}
