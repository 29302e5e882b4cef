//! KYA, the basic profile check (CHK-6): is the email plausible, the phone a
//! real E.164 number, do the phone's country, the document's nationality and
//! the declared one agree, and is the declared name the one in the MRZ
//! (transliteration-aware and fuzzy, with its similarity). Pure rules: a
//! network lookup (the email domain's MX) is an input, and when it was not
//! made the item says "not checked" instead of failing.

mod email;
mod names;
mod phone;

use serde::{Deserialize, Serialize};

use crate::case::{CountryCode, EmailAddress, Score};

pub use names::name_similarity;
pub use phone::{parse_phone, Phone};

/// What one KYA item concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    Pass,
    Fail,
    /// Nothing to check it against, or a lookup that was not made.
    NotChecked,
}

/// One item of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KyaItem {
    /// `email`, `email_domain`, `phone`, `country_coherence`, `name_coherence`.
    pub name: &'static str,
    pub finding: Finding,
    /// 0–100 for the items that were checked.
    pub score: Option<u8>,
    pub reason: String,
}

/// The whole report and its score (the mean of the checked items).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KyaReport {
    pub items: Vec<KyaItem>,
    pub score: Score,
}

/// What KYA looks at.
#[derive(Debug, Clone, Default)]
pub struct KyaInput<'a> {
    pub email: Option<&'a EmailAddress>,
    /// Whether the email's domain has mail servers, if that was looked up.
    pub email_domain_has_mx: Option<bool>,
    /// As the individual typed it; E.164 (`+` and country code) expected.
    pub phone: Option<&'a str>,
    pub declared_nationality: Option<CountryCode>,
    /// ISO 3166-1 alpha-3 from the document's MRZ.
    pub document_nationality: Option<&'a str>,
    pub declared_given_names: &'a str,
    pub declared_family_name: &'a str,
    /// The MRZ's names (`None` when no document was read).
    pub document_given_names: Option<&'a str>,
    pub document_family_name: Option<&'a str>,
}

pub(crate) fn item(name: &'static str, finding: Finding, reason: impl Into<String>) -> KyaItem {
    let score = match finding {
        Finding::Pass => Some(100),
        Finding::Fail => Some(0),
        Finding::NotChecked => None,
    };
    KyaItem {
        name,
        finding,
        score,
        reason: reason.into(),
    }
}

/// Runs every KYA item.
pub fn assess(input: &KyaInput<'_>) -> KyaReport {
    let phone = input.phone.map(parse_phone);
    let mut items = email::items(input.email, input.email_domain_has_mx);
    items.push(match &phone {
        None => item("phone", Finding::NotChecked, "no phone number was given"),
        Some(Ok(p)) => item(
            "phone",
            Finding::Pass,
            format!("{} is a valid number of {}", p.e164, p.country),
        ),
        Some(Err(why)) => item("phone", Finding::Fail, why.clone()),
    });
    let phone_country = phone.and_then(Result::ok).map(|p| p.country);
    items.push(countries(input, phone_country.as_deref()));
    items.push(names::coherence(input));
    let checked: Vec<u32> = items
        .iter()
        .filter_map(|i| i.score.map(u32::from))
        .collect();
    let mean = match checked.len() as u32 {
        0 => 0,
        n => (checked.iter().sum::<u32>() + n / 2) / n,
    };
    KyaReport {
        items,
        score: Score::clamped(u8::try_from(mean).unwrap_or(100)),
    }
}

/// The phone's country, the document's nationality and the declared one.
fn countries(input: &KyaInput<'_>, phone: Option<&str>) -> KyaItem {
    let declared = input.declared_nationality.map(|c| c.to_string());
    let known: Vec<(&str, &str)> = [
        ("declared nationality", declared.as_deref()),
        ("document nationality", input.document_nationality),
        ("phone country", phone),
    ]
    .into_iter()
    .filter_map(|(what, code)| code.map(|c| (what, c)))
    .collect();
    if known.len() < 2 {
        return item(
            "country_coherence",
            Finding::NotChecked,
            "fewer than two of the declared nationality, the document's and the phone's country are known",
        );
    }
    let listed = known
        .iter()
        .map(|(what, code)| format!("{what} {code}"))
        .collect::<Vec<_>>()
        .join(", ");
    if known.iter().all(|(_, code)| *code == known[0].1) {
        item(
            "country_coherence",
            Finding::Pass,
            format!("all agree: {listed}"),
        )
    } else {
        item(
            "country_coherence",
            Finding::Fail,
            format!("they differ: {listed}"),
        )
    }
}

#[cfg(test)]
mod tests;
