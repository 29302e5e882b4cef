//! ISO 3166-1 countries and the business regions dashboards group them by.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::country_table::COUNTRIES;

/// Dashboard regions (seed 004): the Americas; Europe, the Middle East and
/// Africa; Asia-Pacific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Region {
    Americas,
    Emea,
    Apac,
    /// Uninhabited territories and unknown codes.
    Other,
}

impl Region {
    pub fn as_str(&self) -> &'static str {
        match self {
            Region::Americas => "AMERICAS",
            Region::Emea => "EMEA",
            Region::Apac => "APAC",
            Region::Other => "OTHER",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// ICAO Doc 9303 codes that are not ISO 3166-1 countries: British nationals
/// (GBD, GBN, GBO, GBP, GBS), EU and UN documents, Kosovo (RKS), stateless
/// persons and refugees (XXA, XXB, XXC), unspecified (XXX) and other
/// organisations.
pub const ICAO_SPECIAL_CODES: [&str; 24] = [
    "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS", "UNA", "UNK", "UNO", "XBA", "XCC", "XCE",
    "XCO", "XDC", "XEC", "XES", "XIM", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX",
];

/// Is `code` one of the ICAO special codes?
pub fn is_icao_special(code: &str) -> bool {
    ICAO_SPECIAL_CODES.contains(&code)
}

/// An ISO 3166-1 country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub alpha3: &'static str,
    pub alpha2: &'static str,
    pub name: &'static str,
    pub region: Region,
}

/// Looks up an alpha-3 code (e.g. `AUS`).
pub fn by_alpha3(code: &str) -> Option<Country> {
    COUNTRIES
        .binary_search_by(|(a3, ..)| (*a3).cmp(code))
        .ok()
        .map(|i| {
            let (alpha3, alpha2, name, region) = COUNTRIES[i];
            Country {
                alpha3,
                alpha2,
                name,
                region,
            }
        })
}

/// Looks up an alpha-2 code (e.g. `AU`).
pub fn by_alpha2(code: &str) -> Option<Country> {
    COUNTRIES
        .iter()
        .find(|(_, a2, ..)| *a2 == code)
        .and_then(|(a3, ..)| by_alpha3(a3))
}

/// The region of an alpha-3 code; `Other` when unknown.
pub fn region_of(alpha3: &str) -> Region {
    by_alpha3(alpha3).map_or(Region::Other, |c| c.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_complete_and_consistent() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (a3, a2, ..) in COUNTRIES {
            assert_eq!(by_alpha3(a3).map(|c| c.alpha2), Some(*a2));
            assert_eq!(by_alpha2(a2).map(|c| c.alpha3), Some(*a3));
        }
    }

    #[test]
    fn regions_follow_the_seed_grouping() {
        assert_eq!(region_of("USA"), Region::Americas);
        assert_eq!(region_of("BRA"), Region::Americas);
        assert_eq!(region_of("FRA"), Region::Emea);
        assert_eq!(region_of("NGA"), Region::Emea);
        assert_eq!(region_of("ARE"), Region::Emea);
        assert_eq!(region_of("AUS"), Region::Apac);
        assert_eq!(region_of("CHN"), Region::Apac);
        assert_eq!(region_of("ATA"), Region::Other);
        assert_eq!(region_of("XXX"), Region::Other);
        assert_eq!(by_alpha3("DEU").map(|c| c.name), Some("Germany"));
    }
}
