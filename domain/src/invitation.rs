//! `Invitation`: the individual's single-purpose access to one case (AUTH-4).
//! Opening a case issues one; the organisation can issue another or revoke
//! one. Only a hash of the token is recorded — the token itself goes to the
//! organisation once, to hand to the individual.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CaseId, TenantId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationCommand {
    Issue {
        case_id: CaseId,
        tenant: TenantId,
        token_hash: String,
        expires_at: OffsetDateTime,
    },
    /// Refused for another tenant's invitation or another case's.
    Revoke { tenant: TenantId, case_id: CaseId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationEvent {
    InvitationIssued {
        case_id: CaseId,
        tenant: TenantId,
        /// Hex SHA-256 of the token's secret part.
        token_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        expires_at: OffsetDateTime,
    },
    InvitationRevoked,
}

impl DomainEvent for InvitationEvent {
    fn event_type(&self) -> String {
        match self {
            InvitationEvent::InvitationIssued { .. } => "InvitationIssued",
            InvitationEvent::InvitationRevoked => "InvitationRevoked",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("no such invitation")]
    NotFound,
    #[error("the invitation was already issued")]
    AlreadyIssued,
    #[error("the invitation is already revoked")]
    AlreadyRevoked,
}

/// The grant an invitation gives while it is usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub case_id: CaseId,
    pub tenant: TenantId,
    pub token_hash: String,
    pub expires_at: OffsetDateTime,
    pub revoked: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub grant: Option<Grant>,
}

impl Invitation {
    /// The grant if the invitation can be used at `now`.
    pub fn usable(&self, now: OffsetDateTime) -> Option<&Grant> {
        self.grant
            .as_ref()
            .filter(|g| !g.revoked && now < g.expires_at)
    }

    pub fn decide(
        &self,
        command: InvitationCommand,
    ) -> Result<Vec<InvitationEvent>, InvitationError> {
        match command {
            InvitationCommand::Issue {
                case_id,
                tenant,
                token_hash,
                expires_at,
            } => {
                if self.grant.is_some() {
                    return Err(InvitationError::AlreadyIssued);
                }
                Ok(vec![InvitationEvent::InvitationIssued {
                    case_id,
                    tenant,
                    token_hash,
                    expires_at,
                }])
            }
            InvitationCommand::Revoke { tenant, case_id } => match &self.grant {
                Some(g) if g.tenant == tenant && g.case_id == case_id => {
                    if g.revoked {
                        Err(InvitationError::AlreadyRevoked)
                    } else {
                        Ok(vec![InvitationEvent::InvitationRevoked])
                    }
                }
                // Another tenant's invitation does not exist for this one.
                _ => Err(InvitationError::NotFound),
            },
        }
    }
}

impl Aggregate for Invitation {
    const TYPE: &'static str = "Invitation";
    type Command = InvitationCommand;
    type Event = InvitationEvent;
    type Error = InvitationError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let decided = self.decide(command);
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            InvitationEvent::InvitationIssued {
                case_id,
                tenant,
                token_hash,
                expires_at,
            } => {
                self.grant = Some(Grant {
                    case_id,
                    tenant,
                    token_hash,
                    expires_at,
                    revoked: false,
                });
            }
            InvitationEvent::InvitationRevoked => {
                if let Some(g) = self.grant.as_mut() {
                    g.revoked = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn issued() -> (Invitation, CaseId, TenantId) {
        let case_id = CaseId::from_uuid(uuid::Uuid::nil());
        let tenant = TenantId::parse("acme").expect("tenant");
        let mut inv = Invitation::default();
        for e in inv
            .decide(InvitationCommand::Issue {
                case_id,
                tenant: tenant.clone(),
                token_hash: "ab".into(),
                expires_at: datetime!(2026-11-30 00:00 UTC),
            })
            .expect("issue")
        {
            inv.apply(e);
        }
        (inv, case_id, tenant)
    }

    #[test]
    fn an_invitation_is_usable_until_it_expires_or_is_revoked() {
        let (mut inv, case_id, tenant) = issued();
        assert!(inv.usable(datetime!(2026-11-29 23:59 UTC)).is_some());
        assert!(inv.usable(datetime!(2026-11-30 00:00 UTC)).is_none());
        let other = TenantId::parse("other").expect("tenant");
        assert_eq!(
            inv.decide(InvitationCommand::Revoke {
                tenant: other,
                case_id
            }),
            Err(InvitationError::NotFound)
        );
        for e in inv
            .decide(InvitationCommand::Revoke {
                tenant: tenant.clone(),
                case_id,
            })
            .expect("revoke")
        {
            inv.apply(e);
        }
        assert!(inv.usable(datetime!(2026-11-23 00:00 UTC)).is_none());
        assert_eq!(
            inv.decide(InvitationCommand::Revoke { tenant, case_id }),
            Err(InvitationError::AlreadyRevoked)
        );
    }
}
