//! Identifier newtypes. Each is parsed once at the edge and cannot hold an
//! invalid value afterwards.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than {max} characters")]
    TooLong { kind: &'static str, max: usize },
    #[error("{kind} contains a character outside {allowed}")]
    InvalidCharacter {
        kind: &'static str,
        allowed: &'static str,
    },
    #[error("{kind} is not a UUID")]
    NotAUuid { kind: &'static str },
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an already generated UUID (ids are generated outside the domain).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| IdError::NotAUuid { kind: $kind })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A verification case (also its stream id in the event store).
    CaseId,
    "case id"
);
uuid_id!(
    /// An uploaded medium (document page, selfie frame).
    MediaId,
    "media id"
);

fn check_slug(
    kind: &'static str,
    value: &str,
    max: usize,
    allowed_chars: fn(char) -> bool,
    allowed: &'static str,
) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value.chars().count() > max {
        return Err(IdError::TooLong { kind, max });
    }
    if !value.chars().all(allowed_chars) {
        return Err(IdError::InvalidCharacter { kind, allowed });
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $max:expr, $pred:expr, $allowed:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, IdError> {
                check_slug($kind, value, $max, $pred, $allowed)?;
                Ok(Self(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn is_slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '+')
}

slug_id!(
    /// A tenant (an organisation using Veritrail): lowercase slug, e.g. `acme-hr`.
    TenantId,
    "tenant id",
    64,
    is_slug_char,
    "a-z, 0-9, '-' and '_'"
);
slug_id!(
    /// The organisation's own identifier of the individual being verified.
    SubjectId,
    "subject id",
    128,
    is_external_id_char,
    "letters, digits and - _ . : @ +"
);
slug_id!(
    /// A business entity (company, contract, policy) a case affects (CASE-7).
    EntityId,
    "entity id",
    128,
    is_external_id_char,
    "letters, digits and - _ . : @ +"
);
slug_id!(
    /// Who acted: an API client id, an officer id, an invitation id or `system`.
    ActorId,
    "actor id",
    128,
    is_external_id_char,
    "letters, digits and - _ . : @ +"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_lowercase_slugs() {
        assert!(TenantId::parse("acme-hr_2").is_ok());
        assert_eq!(
            TenantId::parse(""),
            Err(IdError::Empty { kind: "tenant id" })
        );
        assert!(matches!(
            TenantId::parse("Acme"),
            Err(IdError::InvalidCharacter { .. })
        ));
        assert!(matches!(
            TenantId::parse(&"a".repeat(65)),
            Err(IdError::TooLong { max: 64, .. })
        ));
    }

    #[test]
    fn subject_ids_refuse_whitespace_and_control_characters() {
        assert!(SubjectId::parse("EMP-001@acme").is_ok());
        assert!(SubjectId::parse("EMP 001").is_err());
        assert!(SubjectId::parse("EMP\n001").is_err());
    }

    #[test]
    fn deserialising_an_invalid_id_fails() {
        let parsed: Result<TenantId, _> = serde_json::from_str("\"NOT VALID\"");
        assert!(parsed.is_err());
        let case: CaseId = serde_json::from_str("\"7b0c1f7e-4f7a-4a64-9a3e-1c1b2b3c4d5e\"")
            .expect("a uuid parses");
        assert_eq!(case.to_string(), "7b0c1f7e-4f7a-4a64-9a3e-1c1b2b3c4d5e");
    }
}
