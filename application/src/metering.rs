//! Metering and monthly quotas (AUTH-5, CHK-12, READ-7). Every billed call
//! is a row in the append-only `usage_events`; `usage_counters` keeps the
//! running count per tenant, module and month, spread over a few shards so
//! concurrent calls of one tenant do not queue on one row lock (the count is
//! their sum). On PostgreSQL the usage row and the counter are written by one
//! statement, so in one commit. A call is refused while the month's quota is
//! used up; a call that finds 80 % or 100 % reached records a
//! `QuotaThresholdReached` event on the tenant — the aggregate keeps it to
//! once per level and month, however many calls or instances see the level
//! at the same time — and the event goes out with every other event.
//!
//! The quota is checked before the work and counted after it succeeds, so
//! a failed call is not billed; concurrent calls at the very edge of a
//! quota may each pass the check (a soft limit by at most the number of
//! calls in flight).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;
use veritrail_domain::tenant::{alert_level, Module, Period, QUOTA_ALERTS};
use veritrail_domain::{Actor, Clock, TenantId};
use veritrail_event_store::EventDatabase;

use crate::auth::TenantService;
use crate::{RequestContext, ServiceError};
use veritrail_event_store::sql::{execute, fetch, Param};

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

/// Counter shards per tenant, module and month.
const SHARDS: u128 = 8;

/// (tenant, module, period, percent)
type Alert = (TenantId, Module, String, u8);

pub struct Metering {
    db: EventDatabase,
    tenants: Arc<TenantService>,
    clock: Arc<dyn Clock>,
    /// Alert levels known to be recorded (saves a stream load per call
    /// once a level is passed).
    alerted: Mutex<HashSet<Alert>>,
}

impl std::fmt::Debug for Metering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metering").finish_non_exhaustive()
    }
}

fn store(error: sqlx::Error) -> ServiceError {
    ServiceError::store(error)
}

impl Metering {
    pub fn new(db: EventDatabase, tenants: Arc<TenantService>, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            tenants,
            clock,
            alerted: Mutex::new(HashSet::new()),
        }
    }

    async fn used(
        &self,
        tenant: &TenantId,
        module: Module,
        period: Period,
    ) -> Result<u64, ServiceError> {
        let rows: Vec<(i64,)> = fetch(
            &self.db,
            "SELECT CAST(COALESCE(SUM(used), 0) AS BIGINT) FROM usage_counters WHERE tenant_id = $1 AND module = $2 AND period = $3",
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

    /// Bills one call of `module` and records any alert level reached.
    /// Returns the month's count as this call saw it.
    pub async fn record(&self, ctx: &RequestContext, module: Module) -> Result<u64, ServiceError> {
        let now = self.clock.now();
        let period = Period::of(now);
        let shard = i64::try_from(ctx.request_id.as_u128() % SHARDS).unwrap_or(0);
        let params = [
            Param::Text(ctx.tenant.to_string()),
            Param::Text(module.as_str().to_owned()),
            Param::Text(period.to_string()),
            Param::Text(ctx.actor.id.to_string()),
            Param::Text(ctx.request_id.to_string()),
            Param::Int(now.unix_timestamp()),
            Param::Int(shard),
        ];
        // Once per request and module: a recovered request is not billed twice.
        const BILL: &str = "INSERT INTO usage_events (tenant_id, module, period, actor_id, request_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, module, request_id) DO NOTHING";
        const COUNT: &str = "INSERT INTO usage_counters (tenant_id, module, period, shard, used) VALUES ($1, $2, $3, $7, 1) \
             ON CONFLICT (tenant_id, module, period, shard) DO UPDATE SET used = usage_counters.used + 1";
        const COUNT_BILLED: &str = "INSERT INTO usage_counters (tenant_id, module, period, shard, used) SELECT $1, $2, $3, $7, 1 FROM billed \
             ON CONFLICT (tenant_id, module, period, shard) DO UPDATE SET used = usage_counters.used + 1";
        match &self.db {
            // One statement, one commit.
            EventDatabase::Postgres(_) => {
                execute(
                    &self.db,
                    &format!("WITH billed AS ({BILL} RETURNING 1) {COUNT_BILLED}"),
                    &params,
                )
                .await
                .map_err(store)?;
            }
            // SQLite has one writer at a time anyway.
            EventDatabase::Sqlite(_) => {
                if execute(&self.db, BILL, &params[..6]).await.map_err(store)? == 1 {
                    execute(&self.db, COUNT, &params).await.map_err(store)?;
                }
            }
        }
        let used = self.used(&ctx.tenant, module, period).await?;
        let quota = self
            .tenants
            .limits(&ctx.tenant)
            .await?
            .and_then(|l| l.quota(module));
        if let Some(quota) = quota {
            self.alert(ctx, module, period, used, quota).await?;
        }
        Ok(used)
    }

    /// Records the alert levels `used` has reached, unless known recorded.
    async fn alert(
        &self,
        ctx: &RequestContext,
        module: Module,
        period: Period,
        used: u64,
        quota: u64,
    ) -> Result<(), ServiceError> {
        for percent in QUOTA_ALERTS {
            let level = alert_level(quota, percent);
            let key = (ctx.tenant.clone(), module, period.to_string(), percent);
            let known = self
                .alerted
                .lock()
                .map(|a| a.contains(&key))
                .unwrap_or(false);
            if used < level || known {
                continue;
            }
            let system = RequestContext {
                actor: Actor::system(),
                ..ctx.clone()
            };
            // Calls racing past the level conflict on the tenant's stream;
            // the loser reloads and finds the alert already recorded.
            let mut attempts = 0;
            loop {
                let recorded = self
                    .tenants
                    .record_quota_alert(&system, module, period.to_string(), percent, used, quota)
                    .await;
                match recorded {
                    Err(ServiceError::Conflict) if attempts < 5 => attempts += 1,
                    other => break other?,
                }
            }
            if let Ok(mut alerted) = self.alerted.lock() {
                alerted.insert(key);
            }
        }
        Ok(())
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
            "SELECT module, CAST(SUM(used) AS BIGINT) FROM usage_counters WHERE tenant_id = $1 AND period = $2 GROUP BY module",
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
