//! Tenants and their API clients: the use cases behind the operator
//! endpoints and the token endpoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cqrs_es::EventStore as _;
use rand::RngCore;
use time::OffsetDateTime;
use veritrail_domain::tenant::{Client, Limits, Module, Tenant, TenantCommand};
use veritrail_domain::{ActorKind, Clock, TenantId};
use veritrail_event_store::{EventDatabase, EventStore};

use super::secrets;
use super::vault::Vault;
use crate::execute;
use crate::{RequestContext, ServiceError};

/// A client's credentials, the secret in clear — returned once.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

/// Who authenticated with client credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedClient {
    pub tenant: TenantId,
    pub client_id: String,
    pub role: ActorKind,
}

/// The new tenant's attributes.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub tenant: TenantId,
    pub name: String,
    pub country: String,
    pub support_email: String,
    pub plan: String,
    pub limits: Limits,
}

/// How long a tenant's limits and settings are cached per instance (a change made
/// on this instance applies at once, elsewhere within this time).
const POLICY_TTL: Duration = Duration::from_secs(5);

/// What requests need to know about a tenant, cached.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantPolicy {
    /// `None` for a tenant that does not exist (development identities).
    pub limits: Option<Limits>,
    /// The workflow's, else the check settings', else `None` (the default).
    pub face_match_threshold: Option<f64>,
    /// The tenant's workflow, or the service default (version 0) with the
    /// tenant's face-match threshold.
    pub workflow: veritrail_domain::workflow::WorkflowPolicy,
}

type PolicyCache = HashMap<TenantId, (Instant, TenantPolicy)>;

pub struct TenantService {
    pub(super) db: EventDatabase,
    store: EventStore<Tenant>,
    pub(super) clock: Arc<dyn Clock>,
    vault: Arc<Vault>,
    policies: Mutex<PolicyCache>,
}

impl std::fmt::Debug for TenantService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantService").finish_non_exhaustive()
    }
}

/// Client ids name their tenant: `{tenant}.{random}`.
fn new_client_id(tenant: &TenantId) -> String {
    let mut bytes = [0u8; 9];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{tenant}.{}", hex::encode(bytes))
}

fn tenant_of(client_id: &str) -> Option<TenantId> {
    client_id
        .rsplit_once('.')
        .and_then(|(tenant, _)| TenantId::parse(tenant).ok())
}

impl TenantService {
    pub fn new(db: &EventDatabase, clock: Arc<dyn Clock>, vault: Arc<Vault>) -> Self {
        Self {
            db: db.clone(),
            store: db.event_store(vec![]),
            clock,
            vault,
            policies: Mutex::new(HashMap::new()),
        }
    }

    async fn seal(&self, client_id: &str, secret: &str) -> Result<String, ServiceError> {
        self.vault
            .store(client_id, secret)
            .await
            .map_err(ServiceError::store)
    }

    pub(super) async fn run(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        command: TenantCommand,
    ) -> Result<(), ServiceError> {
        let metadata = ctx.metadata(self.clock.now());
        execute(
            &self.store,
            &tenant.to_string(),
            command,
            &(),
            &metadata,
            None,
            ctx.recovering,
        )
        .await?;
        Ok(())
    }

    pub async fn load(&self, tenant: &TenantId) -> Result<Tenant, ServiceError> {
        let context = self
            .store
            .load_aggregate(&tenant.to_string())
            .await
            .map_err(ServiceError::from)?;
        Ok(context.aggregate)
    }

    pub async fn open(&self, ctx: &RequestContext, new: NewTenant) -> Result<(), ServiceError> {
        let tenant = new.tenant.clone();
        self.run(
            ctx,
            &tenant,
            TenantCommand::Open {
                tenant: new.tenant,
                name: new.name,
                country: new.country,
                support_email: new.support_email,
                plan: new.plan,
                limits: new.limits,
            },
        )
        .await
    }

    /// Puts a tenant on `plan` with `limits` (the plan's defaults with the
    /// operator's overrides).
    pub async fn set_plan(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        plan: String,
        limits: Limits,
    ) -> Result<(), ServiceError> {
        self.run(ctx, tenant, TenantCommand::SetPlan { plan, limits })
            .await?;
        self.forget(tenant);
        Ok(())
    }

    /// Sets the tenant's check settings (`None` = the service default).
    pub async fn configure_checks(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        face_match_threshold: Option<f64>,
    ) -> Result<(), ServiceError> {
        self.run(
            ctx,
            tenant,
            TenantCommand::ConfigureChecks {
                face_match_threshold,
            },
        )
        .await?;
        self.forget(tenant);
        Ok(())
    }

    pub(super) fn forget(&self, tenant: &TenantId) {
        if let Ok(mut cache) = self.policies.lock() {
            cache.remove(tenant);
        }
    }

    /// Limits and settings of `tenant`, cached for a few seconds.
    pub async fn policy(&self, tenant: &TenantId) -> Result<TenantPolicy, ServiceError> {
        if let Some((at, policy)) = self
            .policies
            .lock()
            .ok()
            .and_then(|c| c.get(tenant).cloned())
        {
            if at.elapsed() < POLICY_TTL {
                return Ok(policy);
            }
        }
        let loaded = self.load(tenant).await?;
        let mut workflow = loaded.workflow.clone().unwrap_or_default();
        workflow.face_match_threshold = workflow
            .face_match_threshold
            .or(loaded.face_match_threshold);
        let policy = TenantPolicy {
            limits: loaded.id.is_some().then(|| loaded.limits()).flatten(),
            face_match_threshold: workflow.face_match_threshold,
            workflow,
        };
        if let Ok(mut cache) = self.policies.lock() {
            cache.insert(tenant.clone(), (Instant::now(), policy.clone()));
        }
        Ok(policy)
    }

    /// The limits in force for `tenant`, `None` for a tenant that does not
    /// exist (only development identities name such tenants). Cached.
    pub async fn limits(&self, tenant: &TenantId) -> Result<Option<Limits>, ServiceError> {
        Ok(self.policy(tenant).await?.limits)
    }

    /// Records a quota alert (80 % or 100 %) once per module and period.
    pub async fn record_quota_alert(
        &self,
        ctx: &RequestContext,
        module: Module,
        period: String,
        percent: u8,
        used: u64,
        quota: u64,
    ) -> Result<(), ServiceError> {
        let tenant = ctx.tenant.clone();
        self.run(
            ctx,
            &tenant,
            TenantCommand::RecordQuotaAlert {
                module,
                period,
                percent,
                used,
                quota,
            },
        )
        .await
    }

    pub async fn register_client(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        role: ActorKind,
    ) -> Result<Credentials, ServiceError> {
        let client_id = new_client_id(tenant);
        let client_secret = secrets::generate();
        let secret_hash = secrets::hash(&client_secret);
        let secret_ref = self.seal(&client_id, &client_secret).await?;
        self.run(
            ctx,
            tenant,
            TenantCommand::RegisterClient {
                client_id: client_id.clone(),
                role,
                secret_hash,
                secret_ref: Some(secret_ref),
            },
        )
        .await?;
        Ok(Credentials {
            client_id,
            client_secret,
        })
    }

    /// A new secret; the old one keeps working for `overlap`.
    pub async fn rotate_secret(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        client_id: &str,
        overlap: time::Duration,
    ) -> Result<Credentials, ServiceError> {
        let client_secret = secrets::generate();
        let secret_ref = self.seal(client_id, &client_secret).await?;
        self.run(
            ctx,
            tenant,
            TenantCommand::RotateSecret {
                client_id: client_id.to_owned(),
                secret_hash: secrets::hash(&client_secret),
                secret_ref: Some(secret_ref),
                previous_valid_until: self.clock.now() + overlap,
            },
        )
        .await?;
        Ok(Credentials {
            client_id: client_id.to_owned(),
            client_secret,
        })
    }

    pub async fn revoke_client(
        &self,
        ctx: &RequestContext,
        tenant: &TenantId,
        client_id: &str,
    ) -> Result<(), ServiceError> {
        self.run(
            ctx,
            tenant,
            TenantCommand::RevokeClient {
                client_id: client_id.to_owned(),
            },
        )
        .await?;
        self.vault
            .shred(client_id)
            .await
            .map_err(ServiceError::store)
    }

    /// The client named by an API key and the secrets its signatures may be
    /// made with at `now` (`None` for an unknown or revoked key).
    pub async fn signing_secrets(
        &self,
        client_id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(AuthenticatedClient, Vec<String>)>, ServiceError> {
        let Some((found, client)) = self.client(client_id).await? else {
            return Ok(None);
        };
        let refs = client.usable_secret_refs(now);
        if refs.is_empty() {
            return Ok(None);
        }
        let secrets = self
            .vault
            .secrets(client_id, &refs)
            .await
            .map_err(ServiceError::store)?;
        Ok(Some((found, secrets)))
    }

    /// The client a client id names (its tenant is in the id), if any.
    async fn client(
        &self,
        client_id: &str,
    ) -> Result<Option<(AuthenticatedClient, Client)>, ServiceError> {
        let Some(tenant_id) = tenant_of(client_id) else {
            return Ok(None);
        };
        let mut tenant = self.load(&tenant_id).await?;
        Ok(tenant.clients.remove(client_id).map(|client| {
            (
                AuthenticatedClient {
                    tenant: tenant_id,
                    client_id: client_id.to_owned(),
                    role: client.role,
                },
                client,
            )
        }))
    }

    /// Checks client credentials; `None` for any mismatch (unknown client,
    /// revoked, wrong or expired secret) — the caller cannot tell which.
    pub async fn authenticate(
        &self,
        client_id: &str,
        client_secret: &str,
        now: OffsetDateTime,
    ) -> Result<Option<AuthenticatedClient>, ServiceError> {
        let Some((found, client)) = self.client(client_id).await? else {
            return Ok(None);
        };
        let hashes: Vec<String> = client
            .usable_hashes(now)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let secret = client_secret.to_owned();
        // Argon2 is deliberately slow: keep it off the async workers.
        let ok = tokio::task::spawn_blocking(move || secrets::verify(&secret, &hashes))
            .await
            .unwrap_or(false);
        Ok(ok.then_some(found))
    }
}
