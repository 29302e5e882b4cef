//! Who issued a command: every event records its actor (AUD-1, CASE-8).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::ActorId;

/// The kinds of actor the system knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActorKind {
    /// An organisation's integration (API client).
    Organisation,
    /// The individual being verified, through their invitation.
    Individual,
    /// A verification officer.
    Officer,
    /// A platform operator (back office).
    Operator,
    /// Veritrail itself: processors, timers.
    System,
}

impl ActorKind {
    pub const ALL: [ActorKind; 5] = [
        ActorKind::Organisation,
        ActorKind::Individual,
        ActorKind::Officer,
        ActorKind::Operator,
        ActorKind::System,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ActorKind::Organisation => "organisation",
            ActorKind::Individual => "individual",
            ActorKind::Officer => "officer",
            ActorKind::Operator => "operator",
            ActorKind::System => "system",
        }
    }
}

impl FromStr for ActorKind {
    type Err = UnknownActorKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActorKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownActorKind(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown actor kind {0:?}")]
pub struct UnknownActorKind(pub String);

/// An actor: what kind and which one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: ActorId,
}

impl Actor {
    pub fn new(kind: ActorKind, id: ActorId) -> Self {
        Self { kind, id }
    }

    /// Veritrail acting on its own (processors, timers).
    pub fn system() -> Self {
        Self {
            kind: ActorKind::System,
            id: ActorId::parse("system").unwrap_or_else(|_| unreachable!("'system' is a valid id")),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.id)
    }
}
