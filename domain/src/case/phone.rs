//! A phone number as the individual declares it: E.164 in form (`+`, the
//! country calling code, 7 to 15 digits in all; spaces, dots, dashes and
//! brackets dropped). Whether it exists in its country's numbering plan is
//! KYA's finding (CHK-6), not a refusal.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::case::submission::SubmissionError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, SubmissionError> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let digits = compact
            .strip_prefix('+')
            .ok_or(SubmissionError::InvalidPhone)?;
        let valid = (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(compact))
        } else {
            Err(SubmissionError::InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = SubmissionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_international_and_compacted() {
        assert_eq!(
            PhoneNumber::parse(" +33 6 12-34.56(78) ").map(|p| p.to_string()),
            Ok("+33612345678".to_owned())
        );
        for bad in [
            "0612345678",
            "+",
            "+0612345678",
            "+33 6 12 AB",
            "+1234",
            "+1234567890123456",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(SubmissionError::InvalidPhone),
                "{bad}"
            );
        }
    }
}
