//! The webhook feed: a subscription to the event log (the read models'
//! runner: lease, same-transaction checkpoint, never a skipped event) that
//! keeps `webhook_endpoints` from the endpoints' events and, for every event
//! organisations hear of, writes one outbox message per enabled endpoint
//! subscribed to its type — in the same transaction as its checkpoint, so
//! a message is written exactly once, whatever crashes.

use std::sync::Arc;

use cqrs_es::Aggregate as _;
use serde_json::Value;
use uuid::Uuid;
use veritrail_application::webhooks::INSERT_MESSAGE;
use veritrail_domain::case::{upcasters, CaseEvent, VerificationCase};
use veritrail_domain::Clock;
use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{decode, Projection, ProjectionError, Tx};
use veritrail_event_store::{fetch_all, run, RecordedEvent};

use super::{endpoints, message};

/// The feed's checkpoint name.
pub const NAME: &str = "webhook_feed";

#[derive(Debug, Clone)]
pub struct WebhookFeed {
    clock: Arc<dyn Clock>,
    /// The API's public address, for links in messages.
    public_url: String,
}

/// Reads a stored case event as the write side does.
pub(super) fn decode_case(event: &RecordedEvent) -> Result<CaseEvent, ProjectionError> {
    decode(event, &upcasters())
}

impl WebhookFeed {
    pub fn new(clock: Arc<dyn Clock>, public_url: impl Into<String>) -> Self {
        Self {
            clock,
            public_url: public_url.into(),
        }
    }

    /// The tenant's enabled endpoints that want `kind`.
    async fn subscribers(
        tx: &mut Tx<'_>,
        tenant: &str,
        kind: &str,
    ) -> Result<Vec<String>, ProjectionError> {
        let rows: Vec<(String, String)> = fetch_all!(
            tx,
            sqlx::query_as(
                "SELECT endpoint_id, event_types FROM webhook_endpoints WHERE tenant_id = $1 AND enabled = 1"
            )
            .bind(tenant)
        )?;
        Ok(rows
            .into_iter()
            .filter(|(_, types)| {
                let types: Vec<String> = serde_json::from_str(types).unwrap_or_default();
                types.is_empty() || types.iter().any(|t| t == kind)
            })
            .map(|(id, _)| id)
            .collect())
    }

    /// The case as of `event`: its stream folded with the domain's apply.
    async fn case_at(
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
    ) -> Result<VerificationCase, ProjectionError> {
        let rows: Vec<(i64, String, String, String)> = fetch_all!(
            tx,
            sqlx::query_as(
                "SELECT sequence, event_type, event_version, CAST(payload AS TEXT) FROM events
                  WHERE aggregate_type = 'VerificationCase' AND aggregate_id = $1 AND sequence <= $2
                  ORDER BY sequence"
            )
            .bind(&event.aggregate_id)
            .bind(event.sequence)
        )?;
        let mut case = VerificationCase::default();
        for (sequence, event_type, event_version, payload) in rows {
            let payload = serde_json::from_str(&payload).map_err(|e| ProjectionError::Decode {
                event_type: event_type.clone(),
                version: event_version.clone(),
                reason: e.to_string(),
            })?;
            let stored = RecordedEvent {
                sequence,
                event_type,
                event_version,
                payload,
                ..event.clone()
            };
            case.apply(decode_case(&stored)?);
        }
        Ok(case)
    }

    async fn enqueue(
        &self,
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
        endpoints: &[String],
        kind: &str,
        body: &Value,
    ) -> Result<(), ProjectionError> {
        let tenant = event.tenant_id.as_deref().unwrap_or_default();
        let is_case = event.aggregate_type == "VerificationCase";
        let body = body.to_string();
        let now = millis(self.clock.now());
        for endpoint in endpoints {
            run!(
                tx,
                sqlx::query(INSERT_MESSAGE)
                    .bind(format!("msg_{}", Uuid::now_v7().simple()))
                    .bind(endpoint)
                    .bind(tenant)
                    .bind(kind)
                    .bind(is_case.then_some(event.aggregate_id.as_str()))
                    .bind(is_case.then_some(event.sequence))
                    .bind(event.global.to_string())
                    .bind(&body)
                    .bind(now)
            )?;
        }
        Ok(())
    }
}

impl Projection for WebhookFeed {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static str] {
        &["webhook_endpoints", "webhook_messages"]
    }

    /// Endpoint changes, case events that are a message type, and quota
    /// thresholds (a case event that does not decode is wanted, so that
    /// `apply` reports it).
    fn wants(&self, event: &RecordedEvent) -> bool {
        event.tenant_id.is_some()
            && match event.aggregate_type.as_str() {
                "WebhookEndpoints" => true,
                "VerificationCase" => {
                    decode_case(event).map_or(true, |e| message::case_type(&e).is_some())
                }
                "Tenant" => event.payload.get("QuotaThresholdReached").is_some(),
                _ => false,
            }
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        let Some(tenant) = event.tenant_id.clone() else {
            return Ok(());
        };
        match event.aggregate_type.as_str() {
            "WebhookEndpoints" => {
                let now = millis(self.clock.now());
                endpoints::project(tx, event, now).await
            }
            "VerificationCase" => {
                let decoded = decode_case(event)?;
                let Some(kind) = message::case_type(&decoded) else {
                    return Ok(());
                };
                let endpoints = Self::subscribers(tx, &tenant, kind).await?;
                if endpoints.is_empty() {
                    return Ok(());
                }
                let case = Self::case_at(tx, event).await?;
                let link = format!("{}/verifications/{}", self.public_url, event.aggregate_id);
                let body = message::case_body(kind, event, &decoded, &case, link);
                self.enqueue(tx, event, &endpoints, kind, &body).await
            }
            "Tenant" => {
                let Some(body) = message::quota_body(event) else {
                    return Ok(());
                };
                let kind = "quota.threshold_reached";
                let endpoints = Self::subscribers(tx, &tenant, kind).await?;
                self.enqueue(tx, event, &endpoints, kind, &body).await
            }
            _ => Ok(()),
        }
    }
}
