//! Every tenant, for operators.

use cqrs_es::Aggregate as _;
use veritrail_domain::tenant::Tenant;
use veritrail_domain::TenantId;
use veritrail_event_store::sql::{fetch, Param};

use super::TenantService;
use crate::ServiceError;

impl TenantService {
    /// Every opened tenant, by id.
    pub async fn list(&self) -> Result<Vec<(TenantId, Tenant)>, ServiceError> {
        let ids: Vec<(String,)> = fetch(
            &self.db,
            "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = $1 ORDER BY aggregate_id",
            &[Param::Text(Tenant::TYPE.to_owned())],
        )
        .await?;
        let mut tenants = Vec::with_capacity(ids.len());
        for (id,) in ids {
            let Ok(tenant_id) = TenantId::parse(&id) else {
                continue;
            };
            let tenant = self.load(&tenant_id).await?;
            if tenant.id.is_some() {
                tenants.push((tenant_id, tenant));
            }
        }
        Ok(tenants)
    }
}
