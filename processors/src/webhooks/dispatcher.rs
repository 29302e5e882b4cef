//! The webhook dispatcher of one instance: claims due messages under a
//! lease, signs and sends them, logs every attempt, and then marks the
//! message delivered, schedules the next attempt (growing delays with
//! jitter), or gives it up as a dead letter. A 410 Gone disables the
//! endpoint; an endpoint failing for longer than configured is disabled.
//! Every time comes from the injected clock, so tests move time instead of
//! sleeping; a message whose dispatcher died is taken over after its lease.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use rand::Rng as _;
use veritrail_application::webhooks::{signing, Attempt, EndpointRow, MessageRow, WebhookService};
use veritrail_application::ServiceError;
use veritrail_domain::webhook::DisableReason;
use veritrail_domain::TenantId;
use veritrail_event_store::sql::millis;

use super::endpoints::parse_secrets;
use super::sender::{Outgoing, Sender};

/// How long a claim lasts: several timeouts, so a live attempt keeps it.
const LEASE_TIMEOUTS: i64 = 4;

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone)]
pub struct Dispatcher {
    webhooks: Arc<WebhookService>,
    sender: Sender,
    owner: String,
    poll: Duration,
}

/// What became of a message this pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Retrying,
    DeadLettered,
    /// Its endpoint was disabled or deleted, or the claim was lost.
    Dropped,
}

impl Dispatcher {
    pub fn new(
        webhooks: Arc<WebhookService>,
        owner: impl Into<String>,
        poll: Duration,
    ) -> reqwest::Result<Self> {
        let settings = &webhooks.settings;
        let sender = Sender::new(settings.timeout(), settings.webhook_allow_private_targets)?;
        Ok(Self {
            sender,
            webhooks,
            owner: owner.into(),
            poll,
        })
    }

    fn now_ms(&self) -> i64 {
        millis(self.webhooks.clock().now())
    }

    /// Sends every due message once (up to the concurrency at a time); what
    /// became of each.
    pub async fn deliver_due(&self) -> Result<Vec<Outcome>, ServiceError> {
        let settings = &self.webhooks.settings;
        let limit = i64::try_from(settings.webhook_concurrency.max(1) * 4).unwrap_or(64);
        let lease = ms(settings.timeout()) * LEASE_TIMEOUTS;
        let claimed = self
            .webhooks
            .outbox
            .claim(&self.owner, self.now_ms(), lease, limit)
            .await?;
        let targets = &self.targets(&claimed).await?;
        let results = futures::stream::iter(claimed)
            .map(|message| async move {
                let result = self.deliver(&message, targets).await;
                (message.message_id, result)
            })
            .buffer_unordered(settings.webhook_concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        // One message's trouble (the database went away mid-way) does not
        // lose the others' outcomes; it is retried after its lease.
        let mut outcomes = Vec::with_capacity(results.len());
        for (message, result) in results {
            match result {
                Ok(outcome) => outcomes.push(outcome),
                Err(error) => {
                    tracing::warn!(%message, %error, "a webhook delivery was not concluded")
                }
            }
        }
        Ok(outcomes)
    }

    /// Delivers until nothing is due (tests, benchmarks).
    pub async fn drain(&self) -> Result<Vec<Outcome>, ServiceError> {
        let mut all = Vec::new();
        loop {
            let outcomes = self.deliver_due().await?;
            if outcomes.is_empty() {
                return Ok(all);
            }
            all.extend(outcomes);
        }
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(outcomes) if !outcomes.is_empty() => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "webhook delivery is unavailable"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// The enabled endpoints of a batch, each with the secrets signing now.
    async fn targets(&self, batch: &[MessageRow]) -> Result<Targets, ServiceError> {
        let now = self.webhooks.clock().now();
        let mut targets = Targets::new();
        for message in batch {
            if targets.contains_key(&message.endpoint_id) {
                continue;
            }
            let endpoint = self.webhooks.outbox.endpoint(&message.endpoint_id).await?;
            let target = match endpoint.filter(|e| e.enabled == 1) {
                Some(endpoint) => {
                    let signing: Vec<String> = parse_secrets(&endpoint.secrets)
                        .into_iter()
                        .filter(|s| s.signs_at(now))
                        .map(|s| s.secret_id)
                        .collect();
                    let secrets = self
                        .webhooks
                        .secrets(&endpoint.endpoint_id, &signing)
                        .await?;
                    Some((endpoint, secrets))
                }
                None => None,
            };
            targets.insert(message.endpoint_id.clone(), target);
        }
        Ok(targets)
    }

    async fn deliver(
        &self,
        message: &MessageRow,
        targets: &Targets,
    ) -> Result<Outcome, ServiceError> {
        let now = self.webhooks.clock().now();
        let Some((endpoint, secrets)) = targets.get(&message.endpoint_id).and_then(Option::as_ref)
        else {
            let why = "endpoint disabled or deleted";
            self.webhooks
                .outbox
                .drop_claimed(&message.message_id, &self.owner, why, millis(now))
                .await?;
            return Ok(Outcome::Dropped);
        };
        let timestamp = now.unix_timestamp();
        let signature =
            signing::signature_header(secrets, &message.message_id, timestamp, &message.body);
        let outgoing = Outgoing {
            url: &endpoint.url,
            id: &message.message_id,
            timestamp,
            signature,
            body: &message.body,
        };
        let attempt = if secrets.is_empty() {
            Attempt {
                at_ms: millis(now),
                status: None,
                latency_ms: 0,
                error: Some("no signing secret is available".into()),
                response_excerpt: None,
            }
        } else {
            self.sender.send(&outgoing, millis(now)).await
        };
        self.conclude(message, &endpoint.tenant_id, attempt).await
    }

    /// Settles the message after an attempt, and acts on the endpoint:
    /// disabled when gone or failing too long.
    async fn conclude(
        &self,
        message: &MessageRow,
        tenant: &str,
        attempt: Attempt,
    ) -> Result<Outcome, ServiceError> {
        let settings = &self.webhooks.settings;
        let tenant = TenantId::parse(tenant).map_err(|e| ServiceError::Corrupt(e.to_string()))?;
        let (id, now) = (&message.message_id, attempt.at_ms);
        let endpoint = &message.endpoint_id;
        let error = attempt.error.clone().unwrap_or_default();
        let round = u32::try_from(message.round_attempts + 1).unwrap_or(u32::MAX);
        let (state, next, outcome) = match attempt.status {
            Some(200..=299) => ("delivered", now, Outcome::Delivered),
            Some(410) => ("failed", now, Outcome::Dropped),
            _ if round >= settings.webhook_attempts.max(1) => {
                ("failed", now, Outcome::DeadLettered)
            }
            _ => {
                let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
                let next = now + ms(settings.retry_delay(round, jitter));
                ("pending", next, Outcome::Retrying)
            }
        };
        let outbox = &self.webhooks.outbox;
        let (kept, failing_since) = outbox
            .conclude(message, &self.owner, state, next, &attempt)
            .await?;
        if attempt.status == Some(410) {
            let detail = format!("the receiver answered 410 Gone to {id}");
            self.webhooks
                .disable_by_system(&tenant, endpoint, DisableReason::Gone, detail)
                .await?;
            return Ok(Outcome::Dropped);
        }
        if !kept {
            return Ok(Outcome::Dropped);
        }
        if outcome == Outcome::DeadLettered {
            self.webhooks.dead_letter(message, error.clone()).await?;
        }
        if let Some(since) =
            failing_since.filter(|since| now - since >= ms(settings.disable_after()))
        {
            let days = (now - since) as f64 / 86_400_000.0;
            let detail = format!("every delivery failed for {days:.1} days; last: {error}");
            self.webhooks
                .disable_by_system(&tenant, endpoint, DisableReason::Failing, detail)
                .await?;
        }
        Ok(outcome)
    }
}

/// A batch's endpoints: the row and the secrets, or none when stopped.
type Targets = HashMap<String, Option<(EndpointRow, Vec<String>)>>;
