//! Bounded, trimmed free-text values: reasons, comments, hints and names.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{kind} is required and must not be blank")]
    Blank { kind: &'static str },
    #[error("{kind} is longer than {max} characters")]
    TooLong { kind: &'static str, max: usize },
    #[error("{kind} contains control characters")]
    ControlCharacters { kind: &'static str },
}

/// Parses free text: trimmed, non-blank, at most `max` characters, no control
/// characters except newlines and tabs when `multiline`.
pub trait BoundedText: Sized {
    const KIND: &'static str;
    const MAX: usize;
    const MULTILINE: bool;

    fn wrap(value: String) -> Self;

    fn parse(value: &str) -> Result<Self, TextError> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(TextError::Blank { kind: Self::KIND });
        }
        if trimmed.chars().count() > Self::MAX {
            return Err(TextError::TooLong {
                kind: Self::KIND,
                max: Self::MAX,
            });
        }
        let allowed = |c: char| !c.is_control() || (Self::MULTILINE && matches!(c, '\n' | '\t'));
        if !trimmed.chars().all(allowed) {
            return Err(TextError::ControlCharacters { kind: Self::KIND });
        }
        Ok(Self::wrap(trimmed.to_owned()))
    }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:expr, $multiline:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl BoundedText for $name {
            const KIND: &'static str = $kind;
            const MAX: usize = $max;
            const MULTILINE: bool = $multiline;

            fn wrap(value: String) -> Self {
                Self(value)
            }
        }

        impl $name {
            pub fn parse(value: &str) -> Result<Self, TextError> {
                <Self as BoundedText>::parse(value)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// Why something was refused, failed or cancelled (mandatory where asked).
    Reason,
    "reason",
    1000,
    true
);
text_type!(
    /// A verification officer's or organisation's comment.
    Comment,
    "comment",
    2000,
    true
);
text_type!(
    /// A human hint telling the individual what to do ("MRZ cut off at the bottom").
    Hint,
    "hint",
    500,
    false
);
text_type!(
    /// A person's name as written (any script).
    PersonName,
    "name",
    200,
    false
);

/// A code of exactly three ASCII capital letters (ISO country and currency
/// codes), as its bytes.
pub(crate) fn three_capitals(code: &str) -> Option<[u8; 3]> {
    match code.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Some([a, b, c]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_blank_reason_is_refused() {
        assert_eq!(
            Reason::parse("   "),
            Err(TextError::Blank { kind: "reason" })
        );
    }

    #[test]
    fn text_is_trimmed() {
        assert_eq!(
            Reason::parse("  expired registration ")
                .expect("valid")
                .as_str(),
            "expired registration"
        );
    }

    #[test]
    fn hints_are_single_line() {
        assert!(Hint::parse("retake\nphoto").is_err());
        assert!(Comment::parse("line one\nline two").is_ok());
    }

    proptest! {
        #[test]
        fn any_non_blank_printable_text_within_bounds_round_trips(s in "[a-zA-Z0-9 .,'-]{1,200}") {
            prop_assume!(!s.trim().is_empty());
            let name = PersonName::parse(&s).expect("printable text parses");
            let json = serde_json::to_string(&name).expect("serialises");
            let back: PersonName = serde_json::from_str(&json).expect("deserialises");
            prop_assert_eq!(back, name);
        }
    }
}
