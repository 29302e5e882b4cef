//! One webhook endpoint: where messages go, which event types, which
//! secrets sign them, and whether it is enabled.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{known, WebhookError, WebhookEvent};

/// Longest URL and description accepted.
const MAX_URL: usize = 2048;
const MAX_DESCRIPTION: usize = 500;

/// What the organisation sets on an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSettings {
    pub url: String,
    pub description: String,
    /// Catalogue names; empty means every event type.
    pub event_types: Vec<String>,
}

impl EndpointSettings {
    /// Refuses unknown event types and oversized text (the URL's syntax and
    /// target are the application's to check: they need the network).
    pub fn validate(&self) -> Result<(), WebhookError> {
        if let Some(unknown) = self.event_types.iter().find(|t| !known(t)) {
            return Err(WebhookError::UnknownEventType(unknown.clone()));
        }
        if self.url.len() > MAX_URL {
            return Err(WebhookError::TooLong {
                field: "url",
                max: MAX_URL,
            });
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            return Err(WebhookError::TooLong {
                field: "description",
                max: MAX_DESCRIPTION,
            });
        }
        Ok(())
    }

    /// Whether messages of `event_type` go to this endpoint.
    pub fn wants(&self, event_type: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == event_type)
    }
}

/// Why an endpoint stopped receiving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisableReason {
    /// The organisation disabled it.
    Manual,
    /// The receiver answered 410 Gone.
    Gone,
    /// Every delivery failed for longer than the configured period.
    Failing,
}

impl DisableReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Gone => "gone",
            Self::Failing => "failing",
        }
    }
}

/// A secret that signs: by id (the sealed copy is kept outside the log);
/// `valid_until` is set once a newer secret replaced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSecret {
    pub secret_id: String,
    pub valid_until: Option<OffsetDateTime>,
}

impl EndpointSecret {
    pub fn signs_at(&self, now: OffsetDateTime) -> bool {
        self.valid_until.is_none_or(|until| now < until)
    }
}

/// The secrets after a rotation: the new one, and the current one until
/// `previous_valid_until`; older ones end.
pub fn rotated(
    secrets: &[EndpointSecret],
    secret_id: String,
    previous_valid_until: OffsetDateTime,
) -> Vec<EndpointSecret> {
    let previous = secrets.last().map(|s| EndpointSecret {
        secret_id: s.secret_id.clone(),
        valid_until: Some(previous_valid_until),
    });
    let current = EndpointSecret {
        secret_id,
        valid_until: None,
    };
    previous.into_iter().chain([current]).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: String,
    pub settings: EndpointSettings,
    /// The current secret last; at most one previous one, until its end.
    pub secrets: Vec<EndpointSecret>,
    pub disabled: Option<(DisableReason, String)>,
}

impl Endpoint {
    pub(super) fn new(id: &str, settings: EndpointSettings, secret_id: &str) -> Self {
        Self {
            id: id.to_owned(),
            settings,
            secrets: vec![EndpointSecret {
                secret_id: secret_id.to_owned(),
                valid_until: None,
            }],
            disabled: None,
        }
    }

    pub fn enabled(&self) -> bool {
        self.disabled.is_none()
    }

    pub(super) fn apply(&mut self, event: WebhookEvent) {
        match event {
            WebhookEvent::WebhookEndpointUpdated { settings, .. } => self.settings = settings,
            WebhookEvent::WebhookSecretRotated {
                secret_id,
                previous_valid_until,
                ..
            } => {
                self.secrets = rotated(&self.secrets, secret_id, previous_valid_until);
            }
            WebhookEvent::WebhookEndpointEnabled { .. } => self.disabled = None,
            WebhookEvent::WebhookEndpointDisabled { reason, detail, .. } => {
                self.disabled = Some((reason, detail));
            }
            WebhookEvent::WebhookEndpointCreated { .. }
            | WebhookEvent::WebhookEndpointDeleted { .. } => {}
        }
    }
}
