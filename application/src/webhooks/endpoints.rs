//! Tenants' webhook endpoints: registered, changed, rotated, disabled and
//! deleted as `WebhookEndpoints` events; secrets sealed outside the log; the
//! delivery log read and messages redelivered.

use std::sync::Arc;

use cqrs_es::EventStore as _;
use uuid::Uuid;
use veritrail_domain::webhook::{
    DisableReason, Endpoint, EndpointSettings, WebhookCommand, WebhookDeadLetter, WebhookEndpoints,
    WebhookError,
};
use veritrail_domain::{Clock, TenantId};
use veritrail_event_store::sql::{execute, fetch, millis, Param};
use veritrail_event_store::{EventDatabase, EventStore};

use super::outbox::Outbox;
use super::{signing, target, WebhookSettings};
use crate::auth::Vault;
use crate::{execute as run_command, RequestContext, ServiceError};

/// A new endpoint, as asked.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub settings: EndpointSettings,
    pub enabled: bool,
}

/// A change to an endpoint: what is `Some` changes.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

pub struct WebhookService {
    store: EventStore<WebhookEndpoints>,
    pub(super) letters: EventStore<WebhookDeadLetter>,
    pub(super) db: EventDatabase,
    pub(super) vault: Arc<Vault>,
    pub(super) clock: Arc<dyn Clock>,
    pub settings: WebhookSettings,
    pub outbox: Outbox,
}

impl std::fmt::Debug for WebhookService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookService")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

pub(super) fn sealed_for(secret_id: &str) -> String {
    format!("webhook/{secret_id}")
}

impl WebhookService {
    pub fn new(
        db: &EventDatabase,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
        settings: WebhookSettings,
    ) -> Self {
        Self {
            store: db.event_store(vec![]),
            letters: db.event_store(vec![]),
            db: db.clone(),
            vault,
            clock,
            settings,
            outbox: Outbox::new(db.clone()),
        }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The tenant's endpoints.
    pub async fn endpoints(&self, tenant: &TenantId) -> Result<WebhookEndpoints, ServiceError> {
        let context = self.store.load_aggregate(tenant.as_str()).await?;
        Ok(context.aggregate)
    }

    pub async fn endpoint(&self, ctx: &RequestContext, id: &str) -> Result<Endpoint, ServiceError> {
        self.endpoints(&ctx.tenant)
            .await?
            .get(id)
            .cloned()
            .ok_or(WebhookError::NotFound.into())
    }

    pub(super) async fn run(
        &self,
        ctx: &RequestContext,
        command: WebhookCommand,
    ) -> Result<(), ServiceError> {
        let metadata = ctx.metadata(self.clock.now());
        run_command(
            &self.store,
            ctx.tenant.as_str(),
            command,
            &(),
            &metadata,
            None,
            ctx.recovering,
        )
        .await?;
        Ok(())
    }

    /// Runs a command that introduces `secret_id`; if it is refused, the
    /// sealed secret is destroyed, so a refusal leaves nothing behind.
    async fn run_or_shred(
        &self,
        ctx: &RequestContext,
        command: WebhookCommand,
        secret_id: &str,
    ) -> Result<(), ServiceError> {
        let outcome = self.run(ctx, command).await;
        if outcome.is_err() {
            execute(
                &self.db,
                "DELETE FROM webhook_secrets WHERE secret_id = $1",
                &[Param::Text(secret_id.to_owned())],
            )
            .await?;
        }
        outcome
    }

    async fn check_url(&self, url: &str) -> Result<(), ServiceError> {
        target::check(url, self.settings.webhook_allow_private_targets)
            .await
            .map(|_| ())
            .map_err(|e| ServiceError::Invalid {
                field: "url",
                reason: e.to_string(),
            })
    }

    /// Seals a fresh secret for the endpoint; its id and the secret.
    async fn new_secret(&self, endpoint_id: &str) -> Result<(String, String), ServiceError> {
        let (secret_id, secret) = (Uuid::now_v7().simple().to_string(), signing::new_secret());
        execute(
            &self.db,
            "INSERT INTO webhook_secrets (secret_id, endpoint_id, sealed, created_at_ms) VALUES ($1, $2, $3, $4)",
            &[
                Param::Text(secret_id.clone()),
                Param::Text(endpoint_id.to_owned()),
                Param::Bytes(self.vault.seal(secret.as_bytes(), &sealed_for(&secret_id))),
                Param::Int(millis(self.clock.now())),
            ],
        )
        .await?;
        Ok((secret_id, secret))
    }

    /// Registers an endpoint; the answer holds its secret, shown only here.
    pub async fn create(
        &self,
        ctx: &RequestContext,
        new: NewEndpoint,
    ) -> Result<(Endpoint, String), ServiceError> {
        new.settings.validate()?;
        self.check_url(&new.settings.url).await?;
        let endpoint_id = format!("ep_{}", Uuid::now_v7().simple());
        let (secret_id, secret) = self.new_secret(&endpoint_id).await?;
        let create = WebhookCommand::Create {
            tenant: ctx.tenant.clone(),
            endpoint_id: endpoint_id.clone(),
            settings: new.settings,
            secret_id: secret_id.clone(),
        };
        self.run_or_shred(ctx, create, &secret_id).await?;
        if !new.enabled {
            self.set_enabled(ctx, &endpoint_id, false).await?;
        }
        Ok((self.endpoint(ctx, &endpoint_id).await?, secret))
    }

    /// Changes an endpoint's settings and whether it is enabled.
    pub async fn update(
        &self,
        ctx: &RequestContext,
        id: &str,
        change: EndpointChange,
    ) -> Result<Endpoint, ServiceError> {
        let current = self.endpoint(ctx, id).await?;
        let mut settings = current.settings.clone();
        if let Some(url) = change.url {
            self.check_url(&url).await?;
            settings.url = url;
        }
        settings.description = change.description.unwrap_or(settings.description);
        settings.event_types = change.event_types.unwrap_or(settings.event_types);
        let update = WebhookCommand::Update {
            endpoint_id: id.to_owned(),
            settings,
        };
        self.run(ctx, update).await?;
        if let Some(enabled) = change.enabled.filter(|e| *e != current.enabled()) {
            self.set_enabled(ctx, id, enabled).await?;
        }
        self.endpoint(ctx, id).await
    }

    async fn set_enabled(
        &self,
        ctx: &RequestContext,
        id: &str,
        enabled: bool,
    ) -> Result<(), ServiceError> {
        let endpoint_id = id.to_owned();
        let command = if enabled {
            WebhookCommand::Enable { endpoint_id }
        } else {
            WebhookCommand::Disable {
                endpoint_id,
                reason: DisableReason::Manual,
                detail: format!("disabled by {}", ctx.actor.id),
            }
        };
        self.run(ctx, command).await
    }

    /// Deletes an endpoint and shreds its secrets.
    pub async fn delete(&self, ctx: &RequestContext, id: &str) -> Result<(), ServiceError> {
        let delete = WebhookCommand::Delete {
            endpoint_id: id.to_owned(),
        };
        self.run(ctx, delete).await?;
        execute(
            &self.db,
            "DELETE FROM webhook_secrets WHERE endpoint_id = $1",
            &[Param::Text(id.to_owned())],
        )
        .await?;
        Ok(())
    }

    /// A new signing secret; the current one keeps signing for `overlap`.
    /// Older secrets end and are shredded.
    pub async fn rotate(
        &self,
        ctx: &RequestContext,
        id: &str,
        overlap: time::Duration,
    ) -> Result<(Endpoint, String), ServiceError> {
        self.endpoint(ctx, id).await?;
        let (secret_id, secret) = self.new_secret(id).await?;
        let rotate = WebhookCommand::RotateSecret {
            endpoint_id: id.to_owned(),
            secret_id: secret_id.clone(),
            previous_valid_until: self.clock.now() + overlap,
        };
        self.run_or_shred(ctx, rotate, &secret_id).await?;
        let endpoint = self.endpoint(ctx, id).await?;
        let kept: Vec<String> = endpoint
            .secrets
            .iter()
            .map(|s| s.secret_id.clone())
            .collect();
        let stored: Vec<(String,)> = fetch(
            &self.db,
            "SELECT secret_id FROM webhook_secrets WHERE endpoint_id = $1",
            &[Param::Text(id.to_owned())],
        )
        .await?;
        for (ended,) in stored.into_iter().filter(|(s,)| !kept.contains(s)) {
            execute(
                &self.db,
                "DELETE FROM webhook_secrets WHERE secret_id = $1",
                &[Param::Text(ended)],
            )
            .await?;
        }
        Ok((endpoint, secret))
    }
}
