//! What the individual submits (CASE-2): personal data and evidence.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::case::phone::PhoneNumber;
use crate::ids::MediaId;
use crate::money::Money;
use crate::text::PersonName;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionError {
    #[error("country must be an ISO 3166-1 alpha-3 code or an ICAO special code, e.g. FRA")]
    InvalidCountry,
    #[error("email address is not valid")]
    InvalidEmail,
    #[error("phone must be in international form: + and the country code, then the number (7 to 15 digits)")]
    InvalidPhone,
}

/// An ISO 3166-1 alpha-3 country code (or ICAO special code) such as `FRA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    /// A country, or an ICAO code for stateless persons, refugees or the
    /// United Nations; `XXX` ("unspecified") is not a nationality: omit it.
    pub fn parse(code: &str) -> Result<Self, SubmissionError> {
        let known = code != "XXX"
            && (crate::country::by_alpha3(code).is_some() || crate::country::is_icao_special(code));
        crate::text::three_capitals(code)
            .filter(|_| known)
            .map(Self)
            .ok_or(SubmissionError::InvalidCountry)
    }

    /// As recorded in an event (accepted when it was recorded).
    fn stored(code: &str) -> Result<Self, SubmissionError> {
        crate::text::three_capitals(code)
            .map(Self)
            .ok_or(SubmissionError::InvalidCountry)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl TryFrom<String> for CountryCode {
    type Error = SubmissionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::stored(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A syntactically valid email address (local@domain.tld), lowercased domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(value: &str) -> Result<Self, SubmissionError> {
        let value = value.trim();
        let (local, domain) = value.split_once('@').ok_or(SubmissionError::InvalidEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = domain.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !(local_ok && domain_ok) {
            return Err(SubmissionError::InvalidEmail);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = SubmissionError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

/// A liveness challenge answered in a submission: its id and the steps it
/// asked for (`turn_left`, …), in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnsweredChallenge {
    pub challenge_id: String,
    pub steps: Vec<String>,
}

impl Submission {
    /// How many `liveness_frame` uploads the submission names.
    pub fn liveness_frames(&self) -> usize {
        self.evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::LivenessFrame)
            .count()
    }

    /// The frames an answered challenge needs (one facing the camera, then
    /// one per step); 0 without a challenge.
    pub fn frames_expected(&self) -> usize {
        self.liveness_challenge
            .as_ref()
            .map_or(0, |c| c.steps.len() + 1)
    }
}

/// The kind of an uploaded piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EvidenceKind {
    Passport,
    IdCard,
    ResidencePermit,
    Visa,
    DriverLicence,
    Selfie,
    /// A frame of an active liveness challenge, in capture order: facing
    /// the camera, then one per step.
    LivenessFrame,
    Certificate,
    Other,
}

impl EvidenceKind {
    /// A photo of an identity document (what the document check reads).
    pub fn is_identity_document(self) -> bool {
        matches!(
            self,
            EvidenceKind::Passport
                | EvidenceKind::IdCard
                | EvidenceKind::ResidencePermit
                | EvidenceKind::Visa
                | EvidenceKind::DriverLicence
        )
    }
}

/// A reference to uploaded evidence; the bytes live in the media store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub media_id: MediaId,
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Personal data and evidence submitted by the individual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub given_names: PersonName,
    pub family_name: PersonName,
    /// Stored as `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    pub date_of_birth: Date,
    pub nationality: Option<CountryCode>,
    pub email: Option<EmailAddress>,
    /// E.164 (KYA judges it against its country's numbering plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    pub evidence: Vec<Evidence>,
    pub declared_income: Option<Money>,
    pub requested_amount: Option<Money>,
    /// The active liveness challenge the `liveness_frame` evidence answers,
    /// taken (nonce and expiry checked) when the submission was accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_challenge: Option<AnsweredChallenge>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_domains_lowercased() {
        assert_eq!(
            EmailAddress::parse("Jane.Doe@Example.COM")
                .expect("valid")
                .as_str(),
            "Jane.Doe@example.com"
        );
        for bad in ["", "no-at", "a@b", "@example.com", "a@-x.com", "a b@x.com"] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(SubmissionError::InvalidEmail),
                "{bad}"
            );
        }
    }

    #[test]
    fn dates_of_birth_are_stored_as_iso_dates() {
        #[derive(Serialize, Deserialize)]
        struct Wrapper {
            #[serde(with = "iso_date")]
            d: Date,
        }
        let json = serde_json::to_string(&Wrapper {
            d: time::macros::date!(1988 - 02 - 29),
        })
        .expect("serialises");
        assert_eq!(json, r#"{"d":"1988-02-29"}"#);
    }

    #[test]
    fn countries_are_alpha3() {
        assert!(CountryCode::parse("FRA").is_ok());
        assert!(CountryCode::parse("FR").is_err());
        assert!(CountryCode::parse("fra").is_err());
        assert!(CountryCode::parse("QQQ").is_err(), "not a country");
        assert!(CountryCode::parse("XXA").is_ok(), "ICAO: stateless");
        assert!(
            CountryCode::parse("GBD").is_ok(),
            "ICAO: British dependent territories"
        );
    }
}
