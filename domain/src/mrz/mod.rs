//! Machine-readable zones (ICAO Doc 9303) as pure code: parsing, check
//! digits, field formats, names, dates — and rendering, for round trips.
//!
//! Formats: TD1 (3 × 30, ID cards), TD2 (2 × 36), TD3 (2 × 44, passports),
//! MRV-A (2 × 44) and MRV-B (2 × 36) visas.
//!
//! [`parse`] refuses what is not an MRZ at all (line count and lengths,
//! characters, unreadable dates) with an error naming the line and column,
//! and reports every check (document code and name syntax, check digits,
//! composite, formats, dates, expiry) in [`Mrz::checks`];
//! [`Mrz::mrz_valid`] says the MRZ is intact, [`Mrz::document_current`]
//! that it has not expired; [`parse_strict`] also fails on the first failed check.

mod check_digit;
mod fields;
mod guarded;
mod model;
mod render;
mod repair;
mod syntax;

pub use check_digit::{char_value, check_digit};
pub use fields::{parse, parse_strict};
pub use guarded::{guarded, unsettled, visible_change};
pub use model::{Check, DocumentType, Format, Mrz, MrzError, Sex, NOT_EXPIRED};
pub use render::{render, MrzInput};
pub use repair::{repair, Correction, Repaired};

#[cfg(test)]
mod tests;
