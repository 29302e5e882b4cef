//! Scopes: what an access token may be used for.

use serde::{Deserialize, Serialize};

use crate::actor::ActorKind;

/// What a token may be used for (seed 000 plus the operator's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "org.verify")]
    OrgVerify,
    #[serde(rename = "user.submit")]
    UserSubmit,
    #[serde(rename = "admin.review")]
    AdminReview,
    #[serde(rename = "platform.operate")]
    PlatformOperate,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::OrgVerify,
        Scope::UserSubmit,
        Scope::AdminReview,
        Scope::PlatformOperate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::OrgVerify => "org.verify",
            Scope::UserSubmit => "user.submit",
            Scope::AdminReview => "admin.review",
            Scope::PlatformOperate => "platform.operate",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The scope an actor of `kind` needs to act as that kind.
    pub fn of(kind: ActorKind) -> Option<Scope> {
        match kind {
            ActorKind::Organisation => Some(Scope::OrgVerify),
            ActorKind::Individual => Some(Scope::UserSubmit),
            ActorKind::Officer => Some(Scope::AdminReview),
            ActorKind::Operator => Some(Scope::PlatformOperate),
            ActorKind::System => None,
        }
    }
}
