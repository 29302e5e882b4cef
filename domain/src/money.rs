//! Money: a decimal amount in an ISO 4217 currency. Never a float.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be the ISO 4217 code of a currency in circulation, e.g. EUR")]
    InvalidCurrency,
    #[error("amount must be plain decimal digits with an optional fraction, e.g. 1234.50")]
    InvalidAmount,
    #[error("amount must not be negative")]
    Negative,
    #[error("amount has more than {max} decimal places")]
    TooPrecise { max: u32 },
}

/// An ISO 4217 alphabetic currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// The ISO 4217 codes of currencies in circulation (and their fund codes).
/// Precious metals, test codes and `XXX` ("no currency") are not money.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        crate::text::three_capitals(code)
            .filter(|_| ISO_4217.contains(&code))
            .map(Self)
            .ok_or(MoneyError::InvalidCurrency)
    }

    pub fn as_str(&self) -> &str {
        // The three bytes are ASCII uppercase letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

/// Events keep what was accepted when they were recorded: reading one back
/// checks only the shape, so a code accepted before the list was enforced
/// still replays.
impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        crate::text::three_capitals(&value)
            .map(Self)
            .ok_or(MoneyError::InvalidCurrency)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// A non-negative amount with at most 4 decimal places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawMoney")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

#[derive(Deserialize)]
struct RawMoney {
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<RawMoney> for Money {
    type Error = MoneyError;
    fn try_from(raw: RawMoney) -> Result<Self, Self::Error> {
        Money::new(raw.amount, raw.currency)
    }
}

impl Money {
    pub const MAX_SCALE: u32 = 4;

    /// Parses an amount strictly: digits, optionally `.` and up to four more
    /// digits. No sign, exponent, separators or spaces — what a person writes
    /// on a form, so `12.5e3` or `1_000` are refused rather than reinterpreted.
    pub fn parse_amount(text: &str) -> Result<Decimal, MoneyError> {
        let (whole, fraction) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(whole, 15) || fraction.is_some_and(|f| !digits(f, Self::MAX_SCALE as usize)) {
            return Err(
                if fraction.is_some_and(|f| f.len() > Self::MAX_SCALE as usize) {
                    MoneyError::TooPrecise {
                        max: Self::MAX_SCALE,
                    }
                } else {
                    MoneyError::InvalidAmount
                },
            );
        }
        text.parse::<Decimal>()
            .map_err(|_| MoneyError::InvalidAmount)
    }

    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        if amount.normalize().scale() > Self::MAX_SCALE {
            return Err(MoneyError::TooPrecise {
                max: Self::MAX_SCALE,
            });
        }
        Ok(Self { amount, currency })
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn only_currencies_in_circulation_are_money() {
        for code in ["EUR", "USD", "AUD", "XOF", "JPY"] {
            assert!(Currency::parse(code).is_ok(), "{code}");
        }
        for code in ["XYZ", "XXX", "XAU", "XTS", "eur", "EURO", ""] {
            assert_eq!(
                Currency::parse(code),
                Err(MoneyError::InvalidCurrency),
                "{code}"
            );
        }
    }

    #[test]
    fn money_keeps_exact_decimals_through_json() {
        let eur = Currency::parse("EUR").expect("valid");
        let m = Money::new(Decimal::from_str("1234.10").expect("decimal"), eur).expect("valid");
        let json = serde_json::to_string(&m).expect("serialises");
        assert_eq!(json, r#"{"amount":"1234.10","currency":"EUR"}"#);
        let back: Money = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, m);
    }

    #[test]
    fn negative_or_overly_precise_amounts_are_refused() {
        let eur = Currency::parse("EUR").expect("valid");
        assert_eq!(
            Money::new(Decimal::from_str("-1").expect("decimal"), eur),
            Err(MoneyError::Negative)
        );
        assert_eq!(
            Money::new(Decimal::from_str("0.00001").expect("decimal"), eur),
            Err(MoneyError::TooPrecise { max: 4 })
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-5","currency":"EUR"}"#).is_err());
    }

    #[test]
    fn amounts_are_parsed_strictly() {
        assert_eq!(
            Money::parse_amount("1234.50"),
            Ok(Decimal::from_str("1234.50").expect("decimal"))
        );
        assert_eq!(Money::parse_amount("7"), Ok(Decimal::from(7)));
        for bad in ["12.5e3", "1_000", ".5", "+3", "-3", "1,000", "", "1.", " 1"] {
            assert_eq!(
                Money::parse_amount(bad),
                Err(MoneyError::InvalidAmount),
                "{bad}"
            );
        }
        assert_eq!(
            Money::parse_amount("1.23456"),
            Err(MoneyError::TooPrecise { max: 4 })
        );
    }

    #[test]
    fn currencies_are_three_uppercase_letters() {
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
        assert_eq!(Currency::parse("GBP").expect("valid").as_str(), "GBP");
    }
}
