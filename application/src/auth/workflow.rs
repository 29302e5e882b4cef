//! A tenant's verification workflow (issue 16 item 3): read and replaced
//! as a whole by the organisation; every change is a new version, recorded
//! on the tenant's stream, and the processors judge each result and score
//! under the version in force when they ran.

use veritrail_domain::tenant::TenantCommand;
use veritrail_domain::workflow::WorkflowPolicy;

use super::TenantService;
use crate::{RequestContext, ServiceError};

impl TenantService {
    /// The caller's tenant's workflow (the service default, version 0,
    /// until one is configured).
    pub async fn workflow(&self, ctx: &RequestContext) -> Result<WorkflowPolicy, ServiceError> {
        Ok(self.policy(&ctx.tenant).await?.workflow)
    }

    /// Replaces the caller's tenant's workflow with a new version; returns it.
    pub async fn configure_workflow(
        &self,
        ctx: &RequestContext,
        policy: WorkflowPolicy,
    ) -> Result<WorkflowPolicy, ServiceError> {
        let tenant = ctx.tenant.clone();
        self.run(ctx, &tenant, TenantCommand::ConfigureWorkflow { policy })
            .await?;
        self.forget(&tenant);
        self.workflow(ctx).await
    }
}

impl crate::Services {
    /// Replaces the caller's tenant's workflow, once every provider it
    /// routes a check to is configured.
    pub async fn configure_workflow(
        &self,
        ctx: &RequestContext,
        policy: WorkflowPolicy,
    ) -> Result<WorkflowPolicy, ServiceError> {
        if let Some((check, name)) = policy
            .providers
            .iter()
            .find(|(_, name)| !self.providers.knows(name))
        {
            return Err(ServiceError::Invalid {
                field: "providers",
                reason: format!(
                    "{check} is routed to {name:?}, which is not a configured provider"
                ),
            });
        }
        self.tenants.configure_workflow(ctx, policy).await
    }
}
