//! `Tenant`: an organisation using the service and its API clients (AUTH-1,
//! AUTH-3). Every change — a tenant opened, a client registered, a secret
//! rotated, a client revoked — is an event, so access changes are audited
//! like everything else. Secrets never enter the domain: commands carry the
//! slow hash the application computed.

mod plan;
mod scope;

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::actor::ActorKind;
use crate::ids::TenantId;
use crate::workflow::{WorkflowError, WorkflowPolicy};

pub use plan::{alert_level, Limits, Module, Period, DEFAULT_PLAN, PLANS, QUOTA_ALERTS};
pub use scope::Scope;

#[derive(Debug, Clone, PartialEq)]
pub enum TenantCommand {
    Open {
        tenant: TenantId,
        name: String,
        country: String,
        support_email: String,
        plan: String,
        limits: Limits,
    },
    RegisterClient {
        client_id: String,
        role: ActorKind,
        secret_hash: String,
        secret_ref: Option<String>,
    },
    /// The new secret works at once; the old one until `previous_valid_until`.
    RotateSecret {
        client_id: String,
        secret_hash: String,
        secret_ref: Option<String>,
        previous_valid_until: OffsetDateTime,
    },
    RevokeClient {
        client_id: String,
    },
    SetPlan {
        plan: String,
        limits: Limits,
    },
    /// The tenant's own settings of the checks (CHK-4, CHK-5).
    ConfigureChecks {
        face_match_threshold: Option<f64>,
    },
    /// The tenant's verification workflow (issue 16); its version is the
    /// previous one's plus one, whatever the command says.
    ConfigureWorkflow {
        policy: WorkflowPolicy,
    },
    /// Records that usage of `module` reached `percent` of its quota in
    /// `period`; a level already recorded for that period records nothing.
    RecordQuotaAlert {
        module: Module,
        period: String,
        percent: u8,
        used: u64,
        quota: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TenantEvent {
    TenantOpened {
        tenant: TenantId,
        name: String,
        country: String,
        support_email: String,
        plan: String,
        /// The plan's limits when opened (absent in events written before
        /// plans had limits: the plan's defaults apply).
        #[serde(default)]
        limits: Option<Limits>,
    },
    ClientRegistered {
        client_id: String,
        role: ActorKind,
        secret_hash: String,
        /// Where the sealed copy used to check HMAC signatures is kept.
        #[serde(default)]
        secret_ref: Option<String>,
    },
    ClientSecretRotated {
        client_id: String,
        secret_hash: String,
        #[serde(default)]
        secret_ref: Option<String>,
        #[serde(with = "time::serde::rfc3339")]
        previous_valid_until: OffsetDateTime,
    },
    ClientRevoked {
        client_id: String,
    },
    PlanChanged {
        plan: String,
        limits: Limits,
    },
    /// The tenant's check settings; `None` = the service default.
    ChecksConfigured {
        face_match_threshold: Option<f64>,
    },
    /// A new version of the tenant's workflow.
    WorkflowConfigured {
        policy: WorkflowPolicy,
    },
    /// Usage of a module reached 80 % or 100 % of its monthly quota.
    QuotaThresholdReached {
        module: Module,
        period: String,
        percent: u8,
        used: u64,
        quota: u64,
    },
}

impl DomainEvent for TenantEvent {
    fn event_type(&self) -> String {
        match self {
            TenantEvent::TenantOpened { .. } => "TenantOpened",
            TenantEvent::ClientRegistered { .. } => "ClientRegistered",
            TenantEvent::ClientSecretRotated { .. } => "ClientSecretRotated",
            TenantEvent::ClientRevoked { .. } => "ClientRevoked",
            TenantEvent::PlanChanged { .. } => "PlanChanged",
            TenantEvent::ChecksConfigured { .. } => "ChecksConfigured",
            TenantEvent::WorkflowConfigured { .. } => "WorkflowConfigured",
            TenantEvent::QuotaThresholdReached { .. } => "QuotaThresholdReached",
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
    #[error("no such plan: {0}")]
    UnknownPlan(String),
    #[error("the face match threshold must be between 0 and 1")]
    InvalidThreshold,
    #[error(transparent)]
    InvalidWorkflow(#[from] WorkflowError),
    /// Revoking it would leave no operator able to administer the platform.
    #[error(
        "client {0} is the last active operator client: register another operator client first"
    )]
    LastOperatorClient(String),
}

/// One secret hash and, once replaced, until when it still works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretHash {
    pub hash: String,
    /// The sealed copy for HMAC request signing, if any.
    pub secret_ref: Option<String>,
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
    /// The secrets that work at `now`: the current one and, during a
    /// rotation's overlap, the previous one; none once revoked.
    fn usable(&self, now: OffsetDateTime) -> impl Iterator<Item = &SecretHash> {
        self.secrets
            .iter()
            .filter(move |s| !self.revoked && s.valid_until.is_none_or(|until| now < until))
    }

    /// Hashes that authenticate at `now` (token endpoint).
    pub fn usable_hashes(&self, now: OffsetDateTime) -> Vec<&str> {
        self.usable(now).map(|s| s.hash.as_str()).collect()
    }

    /// The sealed-secret references usable at `now` (HMAC signatures).
    pub fn usable_secret_refs(&self, now: OffsetDateTime) -> Vec<&str> {
        self.usable(now)
            .filter_map(|s| s.secret_ref.as_deref())
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Option<TenantId>,
    pub name: String,
    pub country: String,
    pub support_email: String,
    pub plan: String,
    pub limits: Option<Limits>,
    /// Similarity a face match needs; `None` = the service default.
    pub face_match_threshold: Option<f64>,
    /// The tenant's workflow; `None` = the service default (version 0).
    #[serde(default)]
    pub workflow: Option<WorkflowPolicy>,
    pub clients: BTreeMap<String, Client>,
    /// Quota alerts already recorded: (module, period, percent).
    pub alerts: BTreeSet<(Module, String, u8)>,
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

    /// The limits in force: the recorded ones, else the plan's defaults.
    pub fn limits(&self) -> Option<Limits> {
        self.limits.clone().or_else(|| Limits::of_plan(&self.plan))
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
                limits,
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
                    limits: Some(limits),
                }
            }
            TenantCommand::SetPlan { plan, limits } => TenantEvent::PlanChanged { plan, limits },
            TenantCommand::ConfigureChecks {
                face_match_threshold,
            } => {
                if face_match_threshold.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
                    return Err(TenantError::InvalidThreshold);
                }
                TenantEvent::ChecksConfigured {
                    face_match_threshold,
                }
            }
            TenantCommand::ConfigureWorkflow { mut policy } => {
                policy.validate()?;
                policy.version = self.workflow.as_ref().map_or(0, |w| w.version) + 1;
                TenantEvent::WorkflowConfigured { policy }
            }
            TenantCommand::RecordQuotaAlert {
                module,
                period,
                percent,
                used,
                quota,
            } => {
                if self.alerts.contains(&(module, period.clone(), percent)) {
                    return Ok(Vec::new());
                }
                TenantEvent::QuotaThresholdReached {
                    module,
                    period,
                    percent,
                    used,
                    quota,
                }
            }
            TenantCommand::RegisterClient {
                client_id,
                role,
                secret_hash,
                secret_ref,
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
                    secret_ref,
                }
            }
            TenantCommand::RotateSecret {
                client_id,
                secret_hash,
                secret_ref,
                previous_valid_until,
            } => {
                self.client(&client_id)?;
                TenantEvent::ClientSecretRotated {
                    client_id,
                    secret_hash,
                    secret_ref,
                    previous_valid_until,
                }
            }
            TenantCommand::RevokeClient { client_id } => {
                let client = self.client(&client_id)?;
                let other_operators = self
                    .clients
                    .iter()
                    .filter(|(id, c)| **id != client_id && !c.revoked)
                    .any(|(_, c)| c.role == ActorKind::Operator);
                if client.role == ActorKind::Operator && !other_operators {
                    return Err(TenantError::LastOperatorClient(client_id));
                }
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
        let decided = self.decide(command);
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            TenantEvent::TenantOpened {
                tenant,
                name,
                country,
                support_email,
                plan,
                limits,
            } => {
                self.id = Some(tenant);
                self.name = name;
                self.country = country;
                self.support_email = support_email;
                self.plan = plan;
                self.limits = limits;
            }
            TenantEvent::PlanChanged { plan, limits } => {
                self.plan = plan;
                self.limits = Some(limits);
            }
            TenantEvent::ChecksConfigured {
                face_match_threshold,
            } => {
                self.face_match_threshold = face_match_threshold;
            }
            TenantEvent::WorkflowConfigured { policy } => self.workflow = Some(policy),
            TenantEvent::QuotaThresholdReached {
                module,
                period,
                percent,
                ..
            } => {
                self.alerts.insert((module, period, percent));
            }
            TenantEvent::ClientRegistered {
                client_id,
                role,
                secret_hash,
                secret_ref,
            } => {
                self.clients.insert(
                    client_id,
                    Client {
                        role,
                        secrets: vec![SecretHash {
                            hash: secret_hash,
                            secret_ref,
                            valid_until: None,
                        }],
                        revoked: false,
                    },
                );
            }
            TenantEvent::ClientSecretRotated {
                client_id,
                secret_hash,
                secret_ref,
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
                            secret_ref,
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
mod tests;
