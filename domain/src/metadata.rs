//! The envelope metadata every event carries: tenant, actor, time, and the
//! correlation/causation ids that tie a request to everything it caused.
//!
//! cqrs-es stores metadata as a string map; this type is its typed form.

use std::collections::HashMap;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::actor::{Actor, ActorKind};
use crate::ids::{ActorId, TenantId};

pub const TENANT_ID: &str = "tenant_id";
pub const ACTOR_KIND: &str = "actor_kind";
pub const ACTOR_ID: &str = "actor_id";
pub const OCCURRED_AT: &str = "occurred_at";
pub const CORRELATION_ID: &str = "correlation_id";
pub const CAUSATION_ID: &str = "causation_id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMetadata {
    pub tenant: TenantId,
    pub actor: Actor,
    pub occurred_at: OffsetDateTime,
    /// Shared by every command and event caused by one original request.
    pub correlation_id: Uuid,
    /// The request or event that directly caused this one.
    pub causation_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("metadata field {0} is missing")]
    Missing(&'static str),
    #[error("metadata field {0} is invalid")]
    Invalid(&'static str),
}

impl EventMetadata {
    pub fn to_map(&self) -> HashMap<String, String> {
        HashMap::from([
            (TENANT_ID.to_owned(), self.tenant.to_string()),
            (ACTOR_KIND.to_owned(), self.actor.kind.as_str().to_owned()),
            (ACTOR_ID.to_owned(), self.actor.id.to_string()),
            (
                OCCURRED_AT.to_owned(),
                self.occurred_at
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| self.occurred_at.unix_timestamp().to_string()),
            ),
            (CORRELATION_ID.to_owned(), self.correlation_id.to_string()),
            (CAUSATION_ID.to_owned(), self.causation_id.to_string()),
        ])
    }

    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, MetadataError> {
        let get = |key: &'static str| map.get(key).ok_or(MetadataError::Missing(key));
        let tenant =
            TenantId::parse(get(TENANT_ID)?).map_err(|_| MetadataError::Invalid(TENANT_ID))?;
        let kind: ActorKind = get(ACTOR_KIND)?
            .parse()
            .map_err(|_| MetadataError::Invalid(ACTOR_KIND))?;
        let id = ActorId::parse(get(ACTOR_ID)?).map_err(|_| MetadataError::Invalid(ACTOR_ID))?;
        let occurred_at = OffsetDateTime::parse(get(OCCURRED_AT)?, &Rfc3339)
            .map_err(|_| MetadataError::Invalid(OCCURRED_AT))?;
        let uuid = |key: &'static str| -> Result<Uuid, MetadataError> {
            Uuid::parse_str(get(key)?).map_err(|_| MetadataError::Invalid(key))
        };
        Ok(Self {
            tenant,
            actor: Actor::new(kind, id),
            occurred_at,
            correlation_id: uuid(CORRELATION_ID)?,
            causation_id: uuid(CAUSATION_ID)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn metadata_round_trips_through_the_string_map() {
        let meta = EventMetadata {
            tenant: TenantId::parse("acme").expect("valid"),
            actor: Actor::new(ActorKind::Officer, ActorId::parse("vo-7").expect("valid")),
            occurred_at: datetime!(2026-11-22 10:15:30.25 UTC),
            correlation_id: Uuid::from_u128(1),
            causation_id: Uuid::from_u128(2),
        };
        assert_eq!(EventMetadata::from_map(&meta.to_map()), Ok(meta));
    }

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            EventMetadata::from_map(&HashMap::new()),
            Err(MetadataError::Missing(TENANT_ID))
        );
    }
}
