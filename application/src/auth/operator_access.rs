//! Operators read across tenants (the queue, dashboards, audit, a case);
//! everybody else reads their own. Every operator read of another tenant —
//! or of all of them — is recorded as an `OperatorRead` event under the
//! tenant read, so that tenant's audit trail shows who looked at what.

use uuid::Uuid;
use veritrail_domain::access::{AccessCommand, OperatorAccess};
use veritrail_domain::{ActorKind, TenantId};

use super::TenantService;
use crate::batch::Batch;
use crate::{RequestContext, ServiceError};

/// Every tenant, in `?tenant=`.
pub const ALL_TENANTS: &str = "*";

impl TenantService {
    /// Which tenant a read of `resource` covers: `None` for every tenant.
    /// Only operators may name another tenant (which must exist) or `*`;
    /// such a read is recorded before it is answered.
    pub async fn read_scope(
        &self,
        ctx: &RequestContext,
        asked: Option<&str>,
        resource: &str,
    ) -> Result<Option<TenantId>, ServiceError> {
        let own = &ctx.tenant;
        let Some(asked) = asked.filter(|t| *t != own.as_str()) else {
            return Ok(Some(own.clone()));
        };
        if ctx.actor.kind != ActorKind::Operator {
            return Err(ServiceError::Forbidden(
                "only operators may read other tenants".into(),
            ));
        }
        if asked == ALL_TENANTS {
            let resource = format!("{resource} of every tenant");
            self.record_read(ctx, own, ALL_TENANTS, &resource).await?;
            return Ok(None);
        }
        let tenant = self.existing(asked).await?;
        self.record_read(ctx, &tenant, tenant.as_str(), resource)
            .await?;
        Ok(Some(tenant))
    }

    /// The context in which `ctx` reads one case of tenant `asked` (its own
    /// when `None`): an operator's read of another tenant's case is
    /// recorded, and acts as that tenant for the read.
    pub async fn case_reader(
        &self,
        ctx: &RequestContext,
        asked: Option<&str>,
        resource: &str,
    ) -> Result<RequestContext, ServiceError> {
        if asked == Some(ALL_TENANTS) {
            return Err(ServiceError::Invalid {
                field: "tenant",
                reason: "a case belongs to one tenant: name it".into(),
            });
        }
        let tenant = self.read_scope(ctx, asked, resource).await?;
        let mut reader = ctx.clone();
        if let Some(tenant) = tenant {
            reader.tenant = tenant;
        }
        Ok(reader)
    }

    async fn existing(&self, asked: &str) -> Result<TenantId, ServiceError> {
        let tenant = TenantId::parse(asked).map_err(|e| ServiceError::Invalid {
            field: "tenant",
            reason: e.to_string(),
        })?;
        if self.load(&tenant).await?.id.is_none() {
            return Err(veritrail_domain::tenant::TenantError::NotFound.into());
        }
        Ok(tenant)
    }

    /// One access record, its own stream, written under `under`.
    async fn record_read(
        &self,
        ctx: &RequestContext,
        under: &TenantId,
        tenant: &str,
        resource: &str,
    ) -> Result<(), ServiceError> {
        let mut recorder = ctx.clone();
        recorder.tenant = under.clone();
        let metadata = recorder.metadata(self.clock.now());
        let command = AccessCommand::RecordRead {
            tenant: tenant.to_owned(),
            resource: resource.to_owned(),
        };
        // A new stream per record: nothing to load before writing it.
        let id = Uuid::now_v7().to_string();
        let mut batch = Batch::default();
        batch
            .decide_fresh::<OperatorAccess>(&id, command, &(), &metadata)
            .await?;
        batch.commit(&self.db).await?;
        tracing::info!(operator = %ctx.actor.id, tenant, resource, "operator read recorded");
        Ok(())
    }
}
