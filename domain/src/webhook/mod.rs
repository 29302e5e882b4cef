//! `WebhookEndpoints`: one tenant's webhook endpoints (PLAT-1), one stream
//! per tenant (`aggregate_id` = tenant id), so listing them is one load and
//! every change — a new URL, a rotated secret, an endpoint the service
//! disabled because the receiver is gone — is on the tenant's audit trail.
//! Secrets are never in the events: only the id of a sealed copy.

mod catalogue;
mod dead_letter;
mod endpoint;
#[cfg(test)]
mod tests;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use catalogue::{known, WebhookEventType, CATALOGUE};
pub use dead_letter::{DeadLetterCommand, DeadLetterError, DeadLetterEvent, WebhookDeadLetter};
pub use endpoint::{rotated, DisableReason, Endpoint, EndpointSecret, EndpointSettings};

use crate::ids::TenantId;

/// Endpoints a tenant may have at once.
pub const MAX_ENDPOINTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookCommand {
    Create {
        tenant: TenantId,
        endpoint_id: String,
        settings: EndpointSettings,
        secret_id: String,
    },
    /// Replaces the endpoint's settings (the caller merged a partial change).
    Update {
        endpoint_id: String,
        settings: EndpointSettings,
    },
    /// A new secret signs from now on; the others keep signing until
    /// `previous_valid_until`, so receivers can roll over.
    RotateSecret {
        endpoint_id: String,
        secret_id: String,
        previous_valid_until: OffsetDateTime,
    },
    Enable {
        endpoint_id: String,
    },
    /// Stops delivery. Disabling a disabled endpoint records nothing.
    Disable {
        endpoint_id: String,
        reason: DisableReason,
        detail: String,
    },
    Delete {
        endpoint_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WebhookEvent {
    WebhookEndpointCreated {
        tenant: TenantId,
        endpoint_id: String,
        settings: EndpointSettings,
        secret_id: String,
    },
    WebhookEndpointUpdated {
        endpoint_id: String,
        settings: EndpointSettings,
    },
    WebhookSecretRotated {
        endpoint_id: String,
        secret_id: String,
        #[serde(with = "time::serde::rfc3339")]
        previous_valid_until: OffsetDateTime,
    },
    WebhookEndpointEnabled {
        endpoint_id: String,
    },
    WebhookEndpointDisabled {
        endpoint_id: String,
        reason: DisableReason,
        detail: String,
    },
    WebhookEndpointDeleted {
        endpoint_id: String,
    },
}

impl WebhookEvent {
    pub fn endpoint_id(&self) -> &str {
        match self {
            Self::WebhookEndpointCreated { endpoint_id, .. }
            | Self::WebhookEndpointUpdated { endpoint_id, .. }
            | Self::WebhookSecretRotated { endpoint_id, .. }
            | Self::WebhookEndpointEnabled { endpoint_id }
            | Self::WebhookEndpointDisabled { endpoint_id, .. }
            | Self::WebhookEndpointDeleted { endpoint_id } => endpoint_id,
        }
    }
}

impl DomainEvent for WebhookEvent {
    fn event_type(&self) -> String {
        match self {
            Self::WebhookEndpointCreated { .. } => "WebhookEndpointCreated",
            Self::WebhookEndpointUpdated { .. } => "WebhookEndpointUpdated",
            Self::WebhookSecretRotated { .. } => "WebhookSecretRotated",
            Self::WebhookEndpointEnabled { .. } => "WebhookEndpointEnabled",
            Self::WebhookEndpointDisabled { .. } => "WebhookEndpointDisabled",
            Self::WebhookEndpointDeleted { .. } => "WebhookEndpointDeleted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("no such webhook endpoint")]
    NotFound,
    #[error("the endpoint already exists")]
    AlreadyExists,
    #[error("a tenant may have at most {MAX_ENDPOINTS} webhook endpoints")]
    TooMany,
    #[error("unknown event type {0:?} (see GET /webhooks/event-types)")]
    UnknownEventType(String),
    #[error("{field} may have at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("no such message on this endpoint")]
    MessageNotFound,
    #[error("the endpoint is disabled: enable it first")]
    Disabled,
    #[error("the endpoint is already enabled")]
    AlreadyEnabled,
}

/// One tenant's endpoints (deleted ones are forgotten).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoints {
    pub endpoints: Vec<Endpoint>,
}

impl WebhookEndpoints {
    pub fn get(&self, endpoint_id: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == endpoint_id)
    }

    fn existing(&self, endpoint_id: &str) -> Result<&Endpoint, WebhookError> {
        self.get(endpoint_id).ok_or(WebhookError::NotFound)
    }

    pub fn decide(&self, command: WebhookCommand) -> Result<Vec<WebhookEvent>, WebhookError> {
        use WebhookCommand as C;
        use WebhookEvent as E;
        Ok(match command {
            C::Create {
                tenant,
                endpoint_id,
                settings,
                secret_id,
            } => {
                if self.get(&endpoint_id).is_some() {
                    return Err(WebhookError::AlreadyExists);
                }
                if self.endpoints.len() >= MAX_ENDPOINTS {
                    return Err(WebhookError::TooMany);
                }
                settings.validate()?;
                vec![E::WebhookEndpointCreated {
                    tenant,
                    endpoint_id,
                    settings,
                    secret_id,
                }]
            }
            C::Update {
                endpoint_id,
                settings,
            } => {
                if self.existing(&endpoint_id)?.settings == settings {
                    return Ok(vec![]);
                }
                settings.validate()?;
                vec![E::WebhookEndpointUpdated {
                    endpoint_id,
                    settings,
                }]
            }
            C::RotateSecret {
                endpoint_id,
                secret_id,
                previous_valid_until,
            } => {
                self.existing(&endpoint_id)?;
                vec![E::WebhookSecretRotated {
                    endpoint_id,
                    secret_id,
                    previous_valid_until,
                }]
            }
            C::Enable { endpoint_id } => {
                if self.existing(&endpoint_id)?.enabled() {
                    return Err(WebhookError::AlreadyEnabled);
                }
                vec![E::WebhookEndpointEnabled { endpoint_id }]
            }
            C::Disable {
                endpoint_id,
                reason,
                detail,
            } => {
                if !self.existing(&endpoint_id)?.enabled() {
                    return Ok(vec![]);
                }
                vec![E::WebhookEndpointDisabled {
                    endpoint_id,
                    reason,
                    detail,
                }]
            }
            C::Delete { endpoint_id } => {
                self.existing(&endpoint_id)?;
                vec![E::WebhookEndpointDeleted { endpoint_id }]
            }
        })
    }
}

impl Aggregate for WebhookEndpoints {
    const TYPE: &'static str = "WebhookEndpoints";
    type Command = WebhookCommand;
    type Event = WebhookEvent;
    type Error = WebhookError;
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
        if let WebhookEvent::WebhookEndpointCreated {
            endpoint_id,
            settings,
            secret_id,
            ..
        } = &event
        {
            self.endpoints
                .push(Endpoint::new(endpoint_id, settings.clone(), secret_id));
            return;
        }
        if let WebhookEvent::WebhookEndpointDeleted { endpoint_id } = &event {
            self.endpoints.retain(|e| e.id != *endpoint_id);
            return;
        }
        let id = event.endpoint_id().to_owned();
        if let Some(endpoint) = self.endpoints.iter_mut().find(|e| e.id == id) {
            endpoint.apply(event);
        }
    }
}
