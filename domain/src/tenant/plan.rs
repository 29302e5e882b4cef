//! Plans: how much a tenant may use (AUTH-5, PLAT-7). A plan names default
//! limits; an operator may override any of them for one tenant. The limits
//! in force are written into the tenant's events, so history says what
//! applied even after the catalogue changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A billable module (seed 003's `module` enum), metered per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Liveness,
    Ocr,
    Validate,
    FaceMatch,
    Workflow,
}

impl Module {
    pub const ALL: [Module; 5] = [
        Module::Liveness,
        Module::Ocr,
        Module::Validate,
        Module::FaceMatch,
        Module::Workflow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Liveness => "liveness",
            Module::Ocr => "ocr",
            Module::Validate => "validate",
            Module::FaceMatch => "face_match",
            Module::Workflow => "workflow",
        }
    }

    pub fn parse(text: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

/// The limits in force for a tenant. `None` means unlimited; a module
/// missing from `monthly_quotas` is unlimited too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Requests per minute, per API client (a burst of this many, then one
    /// every `60 / n` seconds).
    pub requests_per_minute: Option<u32>,
    /// Requests per UTC day, per API client.
    pub requests_per_day: Option<u32>,
    /// Calls per calendar month (UTC), per tenant and module.
    pub monthly_quotas: BTreeMap<Module, u64>,
}

/// The plans an operator can choose from.
pub const PLANS: [&str; 4] = ["sandbox", "pro", "enterprise", "internal"];

/// The plan a tenant gets when none is named.
pub const DEFAULT_PLAN: &str = "pro";

fn quotas(per_module: u64) -> BTreeMap<Module, u64> {
    Module::ALL.into_iter().map(|m| (m, per_module)).collect()
}

impl Limits {
    /// The default limits of a plan (seed 003: 60 requests/min and 50 000 a
    /// day by default, quotas such as 5 000 liveness checks a month).
    pub fn of_plan(plan: &str) -> Option<Limits> {
        let (per_minute, per_day, per_module) = match plan {
            "sandbox" => (Some(10), Some(1_000), Some(100)),
            "pro" => (Some(60), Some(50_000), Some(5_000)),
            "enterprise" => (Some(600), Some(1_000_000), Some(500_000)),
            // The platform's own operators.
            "internal" => (None, None, None),
            _ => return None,
        };
        Some(Limits {
            requests_per_minute: per_minute,
            requests_per_day: per_day,
            monthly_quotas: per_module.map(quotas).unwrap_or_default(),
        })
    }

    pub fn quota(&self, module: Module) -> Option<u64> {
        self.monthly_quotas.get(&module).copied()
    }
}

/// A calendar month (UTC), the period quotas count over: `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u8,
}

impl Period {
    pub fn of(at: OffsetDateTime) -> Period {
        let date = at.to_offset(time::UtcOffset::UTC).date();
        Period {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let period = Period {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
        };
        (1..=12).contains(&period.month).then_some(period)
    }

    /// When the next period starts (midnight UTC on the 1st).
    pub fn next_start(self) -> OffsetDateTime {
        let (year, month) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        let month = time::Month::try_from(month).unwrap_or(time::Month::January);
        Date::from_calendar_date(year, month, 1)
            .map(|d| d.midnight().assume_utc())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The alert levels of a monthly quota, in percent.
pub const QUOTA_ALERTS: [u8; 2] = [80, 100];

/// The smallest use at or above `percent` % of `quota` (at least 1): the
/// call that finds this many reached records the alert.
pub fn alert_level(quota: u64, percent: u8) -> u64 {
    (quota * u64::from(percent)).div_ceil(100).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn plans_name_their_limits_and_unknown_plans_have_none() {
        let pro = Limits::of_plan(DEFAULT_PLAN).expect("pro");
        assert_eq!(pro.requests_per_minute, Some(60));
        assert_eq!(pro.requests_per_day, Some(50_000));
        assert_eq!(pro.quota(Module::Liveness), Some(5_000));
        let internal = Limits::of_plan("internal").expect("internal");
        assert_eq!(internal.requests_per_minute, None);
        assert_eq!(internal.quota(Module::Ocr), None);
        assert!(Limits::of_plan("gold").is_none());
        for plan in PLANS {
            assert!(Limits::of_plan(plan).is_some(), "{plan}");
        }
    }

    #[test]
    fn periods_are_utc_months() {
        let p = Period::of(datetime!(2026-12-31 23:30 -02:00));
        assert_eq!(p.to_string(), "2027-01");
        assert_eq!(
            Period::parse("2026-11"),
            Some(Period {
                year: 2026,
                month: 11
            })
        );
        assert_eq!(Period::parse("2026-13"), None);
        assert_eq!(Period::parse("26-1"), None);
        assert_eq!(
            Period {
                year: 2026,
                month: 12
            }
            .next_start(),
            datetime!(2027-01-01 00:00 UTC)
        );
    }

    #[test]
    fn alert_levels_round_up_to_whole_calls() {
        // A quota of 10: 80 % is the 8th call, 100 % the 10th.
        assert_eq!(alert_level(10, 80), 8);
        assert_eq!(alert_level(10, 100), 10);
        // A quota of 3: 80 % rounds up to the 3rd call, together with 100 %.
        assert_eq!(alert_level(3, 80), 3);
        assert_eq!(alert_level(1, 80), 1);
        assert_eq!(alert_level(5_000, 80), 4_000);
    }
}
