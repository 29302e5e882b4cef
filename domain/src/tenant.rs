//! `Tenant`: an organisation using the service and its API clients (AUTH-1,
//! AUTH-3). Every change — a tenant opened, a client registered, a secret
//! rotated, a client revoked — is an event, so access changes are audited
//! like everything else. Secrets never enter the domain: commands carry the
//! slow hash the application computed.

use std::collections::BTreeMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::actor::ActorKind;
use crate::ids::TenantId;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCommand {
    Open {
        tenant: TenantId,
        name: String,
        country: String,
        support_email: String,
        plan: String,
    },
    RegisterClient {
        client_id: String,
        role: ActorKind,
        secret_hash: String,
    },
    /// The new secret works at once; the old one until `previous_valid_until`.
    RotateSecret {
        client_id: String,
        secret_hash: String,
        previous_valid_until: OffsetDateTime,
    },
    RevokeClient {
        client_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantEvent {
    TenantOpened {
        tenant: TenantId,
        name: String,
        country: String,
        support_email: String,
        plan: String,
    },
    ClientRegistered {
        client_id: String,
        role: ActorKind,
        secret_hash: String,
    },
    ClientSecretRotated {
        client_id: String,
        secret_hash: String,
        #[serde(with = "time::serde::rfc3339")]
        previous_valid_until: OffsetDateTime,
    },
    ClientRevoked {
        client_id: String,
    },
}

impl DomainEvent for TenantEvent {
    fn event_type(&self) -> String {
        match self {
            TenantEvent::TenantOpened { .. } => "TenantOpened",
            TenantEvent::ClientRegistered { .. } => "ClientRegistered",
            TenantEvent::ClientSecretRotated { .. } => "ClientSecretRotated",
            TenantEvent::ClientRevoked { .. } => "ClientRevoked",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    #[error("the tenant already exists")]
    AlreadyOpened,
    #[error("no such tenant")]
    NotFound,
    #[error("client {0} already exists")]
    ClientExists(String),
    #[error("no such client: {0}")]
    UnknownClient(String),
    #[error("client {0} is revoked")]
    ClientRevoked(String),
    #[error("an API client cannot have the {0} role")]
    RoleNotForClients(String),
}

/// One secret hash and, once replaced, until when it still works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHash {
    pub hash: String,
    pub valid_until: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub role: ActorKind,
    /// Newest first.
    pub secrets: Vec<SecretHash>,
    pub revoked: bool,
}

impl Client {
    /// Hashes that authenticate at `now` (the current one and, during a
    /// rotation's overlap, the previous one).
    pub fn usable_hashes(&self, now: OffsetDateTime) -> Vec<&str> {
        if self.revoked {
            return Vec::new();
        }
        self.secrets
            .iter()
            .filter(|s| s.valid_until.is_none_or(|until| now < until))
            .map(|s| s.hash.as_str())
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Option<TenantId>,
    pub name: String,
    pub country: String,
    pub support_email: String,
    pub plan: String,
    pub clients: BTreeMap<String, Client>,
}

impl Tenant {
    fn client(&self, client_id: &str) -> Result<&Client, TenantError> {
        let client = self
            .clients
            .get(client_id)
            .ok_or_else(|| TenantError::UnknownClient(client_id.to_owned()))?;
        if client.revoked {
            return Err(TenantError::ClientRevoked(client_id.to_owned()));
        }
        Ok(client)
    }

    pub fn decide(&self, command: TenantCommand) -> Result<Vec<TenantEvent>, TenantError> {
        if self.id.is_none() && !matches!(command, TenantCommand::Open { .. }) {
            return Err(TenantError::NotFound);
        }
        Ok(vec![match command {
            TenantCommand::Open {
                tenant,
                name,
                country,
                support_email,
                plan,
            } => {
                if self.id.is_some() {
                    return Err(TenantError::AlreadyOpened);
                }
                TenantEvent::TenantOpened {
                    tenant,
                    name,
                    country,
                    support_email,
                    plan,
                }
            }
            TenantCommand::RegisterClient {
                client_id,
                role,
                secret_hash,
            } => {
                if matches!(role, ActorKind::Individual | ActorKind::System) {
                    return Err(TenantError::RoleNotForClients(role.as_str().to_owned()));
                }
                if self.clients.contains_key(&client_id) {
                    return Err(TenantError::ClientExists(client_id));
                }
                TenantEvent::ClientRegistered {
                    client_id,
                    role,
                    secret_hash,
                }
            }
            TenantCommand::RotateSecret {
                client_id,
                secret_hash,
                previous_valid_until,
            } => {
                self.client(&client_id)?;
                TenantEvent::ClientSecretRotated {
                    client_id,
                    secret_hash,
                    previous_valid_until,
                }
            }
            TenantCommand::RevokeClient { client_id } => {
                self.client(&client_id)?;
                TenantEvent::ClientRevoked { client_id }
            }
        }])
    }
}

impl Aggregate for Tenant {
    const TYPE: &'static str = "Tenant";
    type Command = TenantCommand;
    type Event = TenantEvent;
    type Error = TenantError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            TenantEvent::TenantOpened {
                tenant,
                name,
                country,
                support_email,
                plan,
            } => {
                self.id = Some(tenant);
                self.name = name;
                self.country = country;
                self.support_email = support_email;
                self.plan = plan;
            }
            TenantEvent::ClientRegistered {
                client_id,
                role,
                secret_hash,
            } => {
                self.clients.insert(
                    client_id,
                    Client {
                        role,
                        secrets: vec![SecretHash {
                            hash: secret_hash,
                            valid_until: None,
                        }],
                        revoked: false,
                    },
                );
            }
            TenantEvent::ClientSecretRotated {
                client_id,
                secret_hash,
                previous_valid_until,
            } => {
                if let Some(client) = self.clients.get_mut(&client_id) {
                    // Only the latest previous secret overlaps; older ones end now.
                    for old in client.secrets.iter_mut() {
                        let until = old.valid_until.unwrap_or(previous_valid_until);
                        old.valid_until = Some(until.min(previous_valid_until));
                    }
                    client.secrets.truncate(1);
                    client.secrets.insert(
                        0,
                        SecretHash {
                            hash: secret_hash,
                            valid_until: None,
                        },
                    );
                }
            }
            TenantEvent::ClientRevoked { client_id } => {
                if let Some(client) = self.clients.get_mut(&client_id) {
                    client.revoked = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn opened() -> Tenant {
        let mut t = Tenant::default();
        for e in t
            .decide(TenantCommand::Open {
                tenant: TenantId::parse("acme").expect("id"),
                name: "Acme".into(),
                country: "FRA".into(),
                support_email: "help@acme.test".into(),
                plan: "standard".into(),
            })
            .expect("open")
        {
            t.apply(e);
        }
        t
    }

    fn run(t: &mut Tenant, c: TenantCommand) -> Result<(), TenantError> {
        for e in t.decide(c)? {
            t.apply(e);
        }
        Ok(())
    }

    #[test]
    fn clients_need_an_opened_tenant_and_a_client_role() {
        let mut none = Tenant::default();
        let register = |role| TenantCommand::RegisterClient {
            client_id: "acme.c1".into(),
            role,
            secret_hash: "h1".into(),
        };
        assert_eq!(
            run(&mut none, register(ActorKind::Organisation)),
            Err(TenantError::NotFound)
        );
        let mut t = opened();
        assert!(matches!(
            run(&mut t, register(ActorKind::Individual)),
            Err(TenantError::RoleNotForClients(_))
        ));
        run(&mut t, register(ActorKind::Organisation)).expect("register");
        assert!(matches!(
            run(&mut t, register(ActorKind::Officer)),
            Err(TenantError::ClientExists(_))
        ));
    }

    #[test]
    fn a_rotation_keeps_the_previous_secret_until_the_overlap_ends_and_revocation_ends_all() {
        let mut t = opened();
        run(
            &mut t,
            TenantCommand::RegisterClient {
                client_id: "acme.c1".into(),
                role: ActorKind::Organisation,
                secret_hash: "h1".into(),
            },
        )
        .expect("register");
        let until = datetime!(2026-11-23 12:00 UTC);
        run(
            &mut t,
            TenantCommand::RotateSecret {
                client_id: "acme.c1".into(),
                secret_hash: "h2".into(),
                previous_valid_until: until,
            },
        )
        .expect("rotate");
        let client = &t.clients["acme.c1"];
        assert_eq!(
            client.usable_hashes(datetime!(2026-11-23 11:59 UTC)),
            vec!["h2", "h1"]
        );
        assert_eq!(client.usable_hashes(until), vec!["h2"]);
        // A second rotation ends the first secret at once.
        run(
            &mut t,
            TenantCommand::RotateSecret {
                client_id: "acme.c1".into(),
                secret_hash: "h3".into(),
                previous_valid_until: datetime!(2026-11-24 00:00 UTC),
            },
        )
        .expect("rotate");
        let client = &t.clients["acme.c1"];
        assert_eq!(
            client.usable_hashes(datetime!(2026-11-23 11:00 UTC)),
            vec!["h3", "h2"]
        );
        run(
            &mut t,
            TenantCommand::RevokeClient {
                client_id: "acme.c1".into(),
            },
        )
        .expect("revoke");
        assert!(t.clients["acme.c1"]
            .usable_hashes(datetime!(2026-11-23 11:00 UTC))
            .is_empty());
        assert!(matches!(
            run(
                &mut t,
                TenantCommand::RevokeClient {
                    client_id: "acme.c1".into()
                }
            ),
            Err(TenantError::ClientRevoked(_))
        ));
    }

    #[test]
    fn scopes_round_trip_and_map_roles() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::of(ActorKind::Officer), Some(Scope::AdminReview));
        assert_eq!(Scope::of(ActorKind::System), None);
    }
}
