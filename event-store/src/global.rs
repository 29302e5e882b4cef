//! The global, ordered log of every event in the store.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// A position in the global log. Readers resume strictly after it.
///
/// Order is `(transaction, position)`: on PostgreSQL `transaction` is the
/// writing transaction's id and readers only see transactions older than every
/// one still running, so a late commit can never appear behind a checkpoint
/// (ADR 0002). On SQLite writers are serialised and `transaction` is 0.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct GlobalPosition {
    pub transaction: u64,
    pub position: i64,
}

impl GlobalPosition {
    /// Before the first event.
    pub const START: GlobalPosition = GlobalPosition {
        transaction: 0,
        position: 0,
    };
}

impl fmt::Display for GlobalPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.transaction, self.position)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a global position looks like TRANSACTION:POSITION, e.g. 0:0")]
pub struct InvalidPosition;

impl FromStr for GlobalPosition {
    type Err = InvalidPosition;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (tx, pos) = s.split_once(':').ok_or(InvalidPosition)?;
        Ok(Self {
            transaction: tx.parse().map_err(|_| InvalidPosition)?,
            position: pos.parse().map_err(|_| InvalidPosition)?,
        })
    }
}

/// An event as recorded, with its place in the global log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub global: GlobalPosition,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub tenant_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

impl RecordedEvent {
    /// Deserialises the payload as `E`, first upgrading old versions with the
    /// same upcasters the write side uses.
    pub fn decode<E: serde::de::DeserializeOwned>(
        &self,
        upcasters: &[Box<dyn cqrs_es::persist::EventUpcaster>],
    ) -> Result<E, serde_json::Error> {
        // Current versions (almost every event) are read in place, without
        // copying the payload and metadata an upcaster would need.
        if !upcasters
            .iter()
            .any(|u| u.can_upcast(&self.event_type, &self.event_version))
        {
            return E::deserialize(&self.payload);
        }
        let mut serialized = cqrs_es::persist::SerializedEvent::new(
            self.aggregate_id.clone(),
            usize::try_from(self.sequence).unwrap_or_default(),
            self.aggregate_type.clone(),
            self.event_type.clone(),
            self.event_version.clone(),
            self.payload.clone(),
            self.metadata.clone(),
        );
        for upcaster in upcasters {
            if upcaster.can_upcast(&serialized.event_type, &serialized.event_version) {
                serialized = upcaster.upcast(serialized);
            }
        }
        serde_json::from_value(serialized.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_transaction_then_position_and_parse_back() {
        let a = GlobalPosition {
            transaction: 5,
            position: 90,
        };
        let b = GlobalPosition {
            transaction: 6,
            position: 10,
        };
        assert!(a < b);
        assert_eq!(a.to_string().parse::<GlobalPosition>(), Ok(a));
        assert!("12".parse::<GlobalPosition>().is_err());
    }
}
