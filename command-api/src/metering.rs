//! Metering and monthly quotas (AUTH-5, CHK-12, READ-7). Every billed call
//! is a row in the append-only `usage_events`; `usage_counters` keeps the
//! running count per tenant, module and month. A call is refused while the
//! month's quota is used up; the call that reaches 80 % or 100 % records a
//! `QuotaThresholdReached` event on the tenant (once per level and month),
//! which goes out with every other event.
//!
//! The quota is checked before the work and counted after it succeeds, so
//! a failed call is not billed; concurrent calls at the very edge of a
//! quota may each pass the check (a soft limit by at most the number of
//! calls in flight).

use std::sync::Arc;

use time::OffsetDateTime;
use veritrail_domain::tenant::{thresholds_crossed, Module, Period};
use veritrail_domain::{Actor, Clock, TenantId};
use veritrail_event_store::EventDatabase;

use crate::application::{RequestContext, ServiceError};
use crate::auth::TenantService;
use crate::sql::{execute, fetch, Param};

/// Why a call may not run.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    #[error("the monthly {} quota of {quota} calls is used up", module.as_str())]
    Exhausted {
        module: Module,
        used: u64,
        quota: u64,
        resets_at: OffsetDateTime,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// One module's use in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleUsage {
    pub module: Module,
    pub used: u64,
    pub quota: Option<u64>,
}

pub struct Metering {
    db: EventDatabase,
    tenants: Arc<TenantService>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Metering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metering").finish_non_exhaustive()
    }
}

fn store(error: sqlx::Error) -> ServiceError {
    ServiceError::Store(error.to_string())
}

impl Metering {
    pub fn new(db: EventDatabase, tenants: Arc<TenantService>, clock: Arc<dyn Clock>) -> Self {
        Self { db, tenants, clock }
    }

    async fn used(
        &self,
        tenant: &TenantId,
        module: Module,
        period: Period,
    ) -> Result<u64, ServiceError> {
        let rows: Vec<(i64,)> = fetch(
            &self.db,
            "SELECT used FROM usage_counters WHERE tenant_id = $1 AND module = $2 AND period = $3",
            &[
                Param::Text(tenant.to_string()),
                Param::Text(module.as_str().to_owned()),
                Param::Text(period.to_string()),
            ],
        )
        .await
        .map_err(store)?;
        Ok(rows
            .first()
            .map(|(n,)| u64::try_from(*n).unwrap_or(0))
            .unwrap_or(0))
    }

    /// Refuses the call if the tenant's quota for `module` is used up.
    pub async fn check(&self, tenant: &TenantId, module: Module) -> Result<(), QuotaError> {
        let Some(quota) = self
            .tenants
            .limits(tenant)
            .await?
            .and_then(|l| l.quota(module))
        else {
            return Ok(());
        };
        let period = Period::of(self.clock.now());
        let used = self.used(tenant, module, period).await?;
        if used >= quota {
            return Err(QuotaError::Exhausted {
                module,
                used,
                quota,
                resets_at: period.next_start(),
            });
        }
        Ok(())
    }

    /// Bills one call of `module` and records any alert level it reaches.
    /// Returns the month's count after this call.
    pub async fn record(&self, ctx: &RequestContext, module: Module) -> Result<u64, ServiceError> {
        let now = self.clock.now();
        let period = Period::of(now);
        let tenant = ctx.tenant.to_string();
        let key = [
            Param::Text(tenant.clone()),
            Param::Text(module.as_str().to_owned()),
            Param::Text(period.to_string()),
        ];
        execute(
            &self.db,
            "INSERT INTO usage_events (tenant_id, module, period, actor_id, request_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                key[0].clone(),
                key[1].clone(),
                key[2].clone(),
                Param::Text(ctx.actor.id.to_string()),
                Param::Text(ctx.request_id.to_string()),
                Param::Int(now.unix_timestamp()),
            ],
        )
        .await
        .map_err(store)?;
        let rows: Vec<(i64,)> = fetch(
            &self.db,
            "INSERT INTO usage_counters (tenant_id, module, period, used) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (tenant_id, module, period) DO UPDATE SET used = usage_counters.used + 1 \
             RETURNING used",
            &key,
        )
        .await
        .map_err(store)?;
        let used = rows
            .first()
            .map(|(n,)| u64::try_from(*n).unwrap_or(0))
            .unwrap_or(0);
        let quota = self
            .tenants
            .limits(&ctx.tenant)
            .await?
            .and_then(|l| l.quota(module));
        if let Some(quota) = quota {
            let system = RequestContext {
                actor: Actor::system(),
                ..ctx.clone()
            };
            for percent in thresholds_crossed(used.saturating_sub(1), used, quota) {
                self.tenants
                    .record_quota_alert(&system, module, period.to_string(), percent, used, quota)
                    .await?;
            }
        }
        Ok(used)
    }

    /// Each module's use by `tenant` in `period`, with its quota.
    pub async fn usage(
        &self,
        tenant: &TenantId,
        period: Period,
    ) -> Result<Vec<ModuleUsage>, ServiceError> {
        let limits = self.tenants.limits(tenant).await?;
        let rows: Vec<(String, i64)> = fetch(
            &self.db,
            "SELECT module, used FROM usage_counters WHERE tenant_id = $1 AND period = $2",
            &[
                Param::Text(tenant.to_string()),
                Param::Text(period.to_string()),
            ],
        )
        .await
        .map_err(store)?;
        Ok(Module::ALL
            .into_iter()
            .map(|module| ModuleUsage {
                module,
                used: rows
                    .iter()
                    .find(|(m, _)| m == module.as_str())
                    .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                    .unwrap_or(0),
                quota: limits.as_ref().and_then(|l| l.quota(module)),
            })
            .collect())
    }
}
