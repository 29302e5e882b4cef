//! `document_valid`, `checks[]`, `confidence` (seed 003 §8.3).

use serde::Serialize;
use time::Date;

use super::transliterate::to_mrz_name;
use crate::mrz::{self, Mrz, MrzError, Sex};

/// Printed-zone fields to compare with the MRZ (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintedFields {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub document_number: Option<String>,
    pub birth_date: Option<Date>,
    pub expiry_date: Option<Date>,
    /// Alpha-3.
    pub nationality: Option<String>,
    pub sex: Option<Sex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
}

/// One named check with its outcome and, when it failed, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentCheck {
    pub name: String,
    pub status: CheckStatus,
    pub reason: Option<String>,
}

/// The verdict on a document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentValidation {
    /// The MRZ is intact: structure, syntax, codes, dates, check digits.
    pub mrz_valid: bool,
    /// The document has not expired.
    pub document_current: bool,
    /// `mrz_valid`, `document_current` and every printed-zone comparison
    /// passed: every check of `checks`.
    pub document_valid: bool,
    pub checks: Vec<DocumentCheck>,
    /// Share of checks passed (1.0 when all pass; 0 when the MRZ is unreadable).
    pub confidence: f64,
    /// The parsed MRZ, when it had the shape of one.
    pub mrz: Option<Mrz>,
}

fn check(name: &str, failure: Option<String>) -> DocumentCheck {
    DocumentCheck {
        name: name.to_owned(),
        status: if failure.is_none() {
            CheckStatus::Pass
        } else {
            CheckStatus::Fail
        },
        reason: failure,
    }
}

/// Compares a printed name with the MRZ's, allowing the MRZ to be truncated.
fn names_agree(printed: &str, mrz_name: &str, truncated: bool) -> bool {
    let printed = to_mrz_name(printed);
    if truncated {
        printed.starts_with(mrz_name)
            || printed
                .replace(' ', "")
                .starts_with(&mrz_name.replace(' ', ""))
    } else {
        printed == mrz_name
    }
}

/// Validates `mrz_text` (and its coherence with `printed`) as of `today`.
pub fn validate(mrz_text: &str, printed: &PrintedFields, today: Date) -> DocumentValidation {
    let parsed = match mrz::parse(mrz_text, today) {
        Ok(parsed) => parsed,
        Err(error) => {
            return DocumentValidation {
                mrz_valid: false,
                document_current: false,
                document_valid: false,
                checks: vec![check("mrz_structure", Some(error.to_string()))],
                confidence: 0.0,
                mrz: None,
            }
        }
    };
    let mut checks = vec![check("mrz_structure", None)];
    for c in &parsed.checks {
        let name = match c.name {
            n if n.ends_with("check_digit") => {
                format!("mrz_checksum_{}", n.trim_end_matches("_check_digit"))
            }
            n => n.to_owned(),
        };
        checks.push(check(&name, c.error.as_ref().map(MrzError::to_string)));
    }
    let mut coherence = |name: &str, agrees: bool, printed: String, mrz: String| {
        checks.push(check(
            name,
            (!agrees).then(|| format!("printed {printed:?} but the MRZ says {mrz:?}")),
        ));
    };
    if let Some(surname) = &printed.surname {
        let agrees = names_agree(surname, &parsed.surname, parsed.name_truncated);
        coherence(
            "printed_surname_matches_mrz",
            agrees,
            surname.clone(),
            parsed.surname.clone(),
        );
    }
    if let Some(given) = &printed.given_names {
        let agrees = names_agree(given, &parsed.given_names, parsed.name_truncated);
        coherence(
            "printed_given_names_match_mrz",
            agrees,
            given.clone(),
            parsed.given_names.clone(),
        );
    }
    if let Some(number) = &printed.document_number {
        let normalised: String = number
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        coherence(
            "printed_document_number_matches_mrz",
            normalised == parsed.document_number,
            number.clone(),
            parsed.document_number.clone(),
        );
    }
    if let Some(birth) = printed.birth_date {
        coherence(
            "printed_birth_date_matches_mrz",
            Some(birth) == parsed.birth_date,
            birth.to_string(),
            parsed.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        );
    }
    if let Some(expiry) = printed.expiry_date {
        coherence(
            "printed_expiry_date_matches_mrz",
            Some(expiry) == parsed.expiry_date,
            expiry.to_string(),
            parsed
                .expiry_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
    }
    if let Some(nationality) = &printed.nationality {
        let mrz_nationality = if parsed.nationality == "D" {
            "DEU".to_owned()
        } else {
            parsed.nationality.clone()
        };
        coherence(
            "printed_nationality_matches_mrz",
            nationality.to_uppercase() == mrz_nationality,
            nationality.clone(),
            parsed.nationality.clone(),
        );
    }
    if let Some(sex) = printed.sex {
        coherence(
            "printed_sex_matches_mrz",
            sex == parsed.sex,
            format!("{sex:?}"),
            format!("{:?}", parsed.sex),
        );
    }
    let passed = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Pass)
        .count();
    let confidence = (passed as f64 / checks.len() as f64 * 100.0).round() / 100.0;
    DocumentValidation {
        mrz_valid: parsed.mrz_valid(),
        document_current: parsed.document_current(),
        document_valid: passed == checks.len(),
        checks,
        confidence,
        mrz: Some(parsed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::{render, Format, MrzInput};
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn passport() -> String {
        render(&MrzInput {
            format: Format::Td3,
            document_code: "P<".into(),
            issuing_state: "DNK".into(),
            surname: "KIERKEGAARD".into(),
            given_names: "SOEREN AABYE".into(),
            document_number: "AB1234567".into(),
            nationality: "DNK".into(),
            birth_date: date!(1987 - 05 - 05),
            sex: Sex::Male,
            expiry_date: date!(2030 - 01 - 31),
            optional_data: String::new(),
            optional_data_2: String::new(),
        })
        .join("\n")
    }

    #[test]
    fn a_valid_passport_with_a_coherent_printed_zone_passes_every_check() {
        let printed = PrintedFields {
            surname: Some("Kierkegaard".into()),
            given_names: Some("Søren Aabye".into()),
            document_number: Some("AB 1234567".into()),
            birth_date: Some(date!(1987 - 05 - 05)),
            expiry_date: Some(date!(2030 - 01 - 31)),
            nationality: Some("DNK".into()),
            sex: Some(Sex::Male),
        };
        let result = validate(&passport(), &printed, TODAY);
        assert!(result.document_valid, "{:?}", result.checks);
        assert!(result.mrz_valid && result.document_current);
        assert_eq!(result.confidence, 1.0);
        assert!(result
            .checks
            .iter()
            .any(|c| c.name == "mrz_checksum_composite"));
    }

    #[test]
    fn a_printed_zone_that_disagrees_is_named_with_both_values() {
        let printed = PrintedFields {
            birth_date: Some(date!(1987 - 05 - 06)),
            ..PrintedFields::default()
        };
        let result = validate(&passport(), &printed, TODAY);
        assert!(!result.document_valid);
        let failed: Vec<_> = result
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Fail)
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].name, "printed_birth_date_matches_mrz");
        assert!(failed[0]
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("1987-05-05"));
        assert!(result.confidence < 1.0 && result.confidence > 0.8);
    }

    #[test]
    fn an_expired_document_has_an_intact_mrz_but_is_not_current() {
        let expired = validate(
            &passport(),
            &PrintedFields::default(),
            date!(2031 - 02 - 01),
        );
        assert!(expired.mrz_valid && !expired.document_current && !expired.document_valid);
        let misread = passport().replacen("<<SOEREN<AABYE<<", "<<SOEREN<AABYE<<KL", 1);
        let misread: String = misread
            .lines()
            .map(|l| l.chars().take(44).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n");
        let result = validate(&misread, &PrintedFields::default(), TODAY);
        assert!(
            !result.mrz_valid && result.document_current,
            "{:?}",
            result.checks
        );
        assert!(result
            .checks
            .iter()
            .any(|c| c.name == "name_syntax" && c.status == CheckStatus::Fail));
    }

    #[test]
    fn a_tampered_mrz_fails_its_checksum_and_an_unreadable_one_its_structure() {
        let tampered = passport().replacen("AB1234567", "AB1234568", 1);
        let result = validate(&tampered, &PrintedFields::default(), TODAY);
        assert!(!result.document_valid);
        assert!(result
            .checks
            .iter()
            .any(|c| c.name == "mrz_checksum_document_number" && c.status == CheckStatus::Fail));
        let garbage = validate("hello", &PrintedFields::default(), TODAY);
        assert_eq!(garbage.checks[0].name, "mrz_structure");
        assert_eq!(garbage.confidence, 0.0);
        assert!(garbage.mrz.is_none());
    }
}
