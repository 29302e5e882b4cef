//! What the webhook endpoints API answers: endpoints, the event-type
//! catalogue and the delivery log (issue 18, PLAT-1).

use serde::Serialize;
use utoipa::ToSchema;
use veritrail_application::webhooks::{AttemptRow, MessageRow};
use veritrail_domain::webhook::{Endpoint, WebhookEventType};

use super::views::{ms_rfc3339, rfc3339};

#[derive(Debug, Serialize, ToSchema)]
pub struct SecretView {
    pub secret_id: String,
    /// When it stops signing; null for the current secret.
    pub valid_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Empty = every event type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// manual, gone (the receiver answered 410) or failing (every delivery
    /// failed for too long).
    pub disabled_reason: Option<String>,
    pub disabled_detail: Option<String>,
    /// The secrets in force (ids only).
    pub secrets: Vec<SecretView>,
    /// The new secret (`whsec_…`): only when the endpoint is created or its
    /// secret rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl EndpointView {
    pub fn of(endpoint: &Endpoint, secret: Option<String>) -> Self {
        let (reason, detail) = match &endpoint.disabled {
            Some((reason, detail)) => (Some(reason.as_str().to_owned()), Some(detail.clone())),
            None => (None, None),
        };
        Self {
            id: endpoint.id.clone(),
            url: endpoint.settings.url.clone(),
            description: endpoint.settings.description.clone(),
            event_types: endpoint.settings.event_types.clone(),
            enabled: endpoint.enabled(),
            disabled_reason: reason,
            disabled_detail: detail,
            secrets: endpoint
                .secrets
                .iter()
                .map(|s| SecretView {
                    secret_id: s.secret_id.clone(),
                    valid_until: s.valid_until.map(rfc3339),
                })
                .collect(),
            secret,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub endpoints: Vec<EndpointView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeView {
    pub name: String,
    pub description: String,
}

impl EventTypeView {
    pub fn of(t: &WebhookEventType) -> Self {
        Self {
            name: t.name.to_owned(),
            description: t.description.to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeList {
    pub event_types: Vec<EventTypeView>,
}

/// One message of the delivery log.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// Also the `webhook-id` header: the same on every attempt.
    pub id: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub case_version: Option<i64>,
    /// pending, delivered or failed.
    pub state: String,
    /// Attempts in this round (a redelivery starts a new one) and overall.
    pub attempts: i64,
    pub total_attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl MessageView {
    pub fn of(row: &MessageRow) -> Self {
        Self {
            id: row.message_id.clone(),
            event_type: row.event_type.clone(),
            case_id: row.case_id.clone(),
            case_version: row.case_version,
            state: row.state.clone(),
            attempts: row.round_attempts,
            total_attempts: row.total_attempts,
            next_attempt_at: (row.state == "pending").then(|| ms_rfc3339(row.next_attempt_ms)),
            last_status: row.last_status,
            last_error: row.last_error.clone(),
            created_at: ms_rfc3339(row.created_at_ms),
            delivered_at: row.delivered_at_ms.map(ms_rfc3339),
            payload: serde_json::from_str(&row.body).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub attempt: i64,
    pub at: String,
    /// The receiver's HTTP status; null when none came (refused, timed out).
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// The first KiB of the receiver's answer.
    pub response_excerpt: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDetail {
    pub message: MessageView,
    pub attempts: Vec<AttemptView>,
}

impl MessageDetail {
    pub fn of(row: &MessageRow, attempts: &[AttemptRow]) -> Self {
        Self {
            message: MessageView::of(row),
            attempts: attempts
                .iter()
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    at: ms_rfc3339(a.at_ms),
                    status: a.status,
                    latency_ms: a.latency_ms,
                    error: a.error.clone(),
                    response_excerpt: a.response_excerpt.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Redelivered {
    /// Messages queued for a new round of attempts.
    pub queued: u64,
}
