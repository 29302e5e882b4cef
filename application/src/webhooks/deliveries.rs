//! The service's side of webhook delivery: the signing secrets unsealed,
//! endpoints disabled and messages dead-lettered by the dispatcher, and the
//! delivery log read and redelivered through the API.

use veritrail_domain::webhook::{DeadLetterCommand, DisableReason, WebhookCommand, WebhookError};
use veritrail_domain::{Actor, TenantId};
use veritrail_event_store::sql::{fetch, millis, Param};

use super::endpoints::{sealed_for, WebhookService};
use super::outbox::{AttemptRow, MessageRow};
use crate::{execute as run_command, RequestContext, ServiceError};

impl WebhookService {
    /// The secrets among `secret_ids` that still exist, unsealed.
    pub async fn secrets(
        &self,
        endpoint_id: &str,
        secret_ids: &[String],
    ) -> Result<Vec<String>, ServiceError> {
        let rows: Vec<(String, Vec<u8>)> = fetch(
            &self.db,
            "SELECT secret_id, sealed FROM webhook_secrets WHERE endpoint_id = $1",
            &[Param::Text(endpoint_id.to_owned())],
        )
        .await?;
        Ok(secret_ids
            .iter()
            .filter_map(|id| rows.iter().find(|(s, _)| s == id))
            .filter_map(|(id, sealed)| self.vault.unseal(sealed, &sealed_for(id)))
            .filter_map(|plain| String::from_utf8(plain).ok())
            .collect())
    }

    /// The service stops delivering to an endpoint (gone, or failing too long).
    pub async fn disable_by_system(
        &self,
        tenant: &TenantId,
        id: &str,
        reason: DisableReason,
        detail: String,
    ) -> Result<(), ServiceError> {
        let ctx = RequestContext::new(tenant.clone(), Actor::system());
        // Deliveries to one endpoint run side by side and may all decide to
        // disable it: a lost race is retried, and finds it disabled.
        let mut tries = 0;
        loop {
            let disable = WebhookCommand::Disable {
                endpoint_id: id.to_owned(),
                reason,
                detail: detail.clone(),
            };
            match self.run(&ctx, disable).await {
                Err(ServiceError::Conflict) if tries < 5 => tries += 1,
                // Deleted meanwhile: nothing left to disable.
                Err(ServiceError::WebhookRefused(WebhookError::NotFound)) => return Ok(()),
                other => return other,
            }
        }
    }

    /// Records that a message was given up after its last attempt.
    pub async fn dead_letter(
        &self,
        message: &MessageRow,
        last_error: String,
    ) -> Result<(), ServiceError> {
        let tenant = TenantId::parse(&message.tenant_id)
            .map_err(|e| ServiceError::Corrupt(e.to_string()))?;
        let ctx = RequestContext::new(tenant, Actor::system());
        let record = DeadLetterCommand::Record {
            endpoint_id: message.endpoint_id.clone(),
            event_type: message.event_type.clone(),
            attempts: u32::try_from(message.round_attempts + 1).unwrap_or(u32::MAX),
            last_error,
        };
        let metadata = ctx.metadata(self.clock.now());
        run_command(
            &self.letters,
            &message.message_id,
            record,
            &(),
            &metadata,
            None,
            false,
        )
        .await?;
        Ok(())
    }

    /// An endpoint's messages (the delivery log), newest first.
    pub async fn messages(
        &self,
        ctx: &RequestContext,
        id: &str,
        state: Option<&str>,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, ServiceError> {
        self.endpoint(ctx, id).await?;
        Ok(self
            .outbox
            .messages(ctx.tenant.as_str(), id, state, since_ms, limit)
            .await?)
    }

    /// One message and its attempts.
    pub async fn message(
        &self,
        ctx: &RequestContext,
        id: &str,
        message_id: &str,
    ) -> Result<(MessageRow, Vec<AttemptRow>), ServiceError> {
        self.outbox
            .message(ctx.tenant.as_str(), id, message_id)
            .await?
            .ok_or(WebhookError::MessageNotFound.into())
    }

    /// Sends one message again, or every failed one since `since_ms`, as a
    /// new round of attempts; refused while the endpoint is disabled. How
    /// many were queued.
    pub async fn redeliver(
        &self,
        ctx: &RequestContext,
        id: &str,
        message_id: Option<&str>,
        since_ms: i64,
    ) -> Result<u64, ServiceError> {
        if !self.endpoint(ctx, id).await?.enabled() {
            return Err(WebhookError::Disabled.into());
        }
        if let Some(message_id) = message_id {
            self.message(ctx, id, message_id).await?;
        }
        let now = millis(self.clock.now());
        Ok(self
            .outbox
            .redeliver(ctx.tenant.as_str(), id, message_id, since_ms, now)
            .await?)
    }
}
