//! `veritrail bootstrap`: the first operator, from the command line (whoever
//! can run the binary against the database is trusted to).

use std::sync::Arc;

use anyhow::Context;
use veritrail_application::auth::{Credentials, NewTenant, TenantService, Vault};
use veritrail_application::{RequestContext, SystemClock};
use veritrail_domain::tenant::{Limits, TenantError};
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};
use veritrail_event_store::EventDatabase;

/// `secrets_key`: the configured key that seals API secrets, if any.
pub async fn operator(
    db: &EventDatabase,
    tenant: &str,
    secrets_key: Option<&str>,
) -> anyhow::Result<Credentials> {
    let tenant = TenantId::parse(tenant).context("tenant id")?;
    let vault = Vault::open(db.clone(), secrets_key)
        .await
        .context("the secrets key")?;
    let service = TenantService::new(db, Arc::new(SystemClock), Arc::new(vault));
    let ctx = RequestContext::new(
        tenant.clone(),
        Actor::new(
            ActorKind::Operator,
            ActorId::parse("bootstrap").context("actor")?,
        ),
    );
    let opened = service
        .open(
            &ctx,
            NewTenant {
                tenant: tenant.clone(),
                name: "Platform operators".into(),
                country: "FRA".into(),
                support_email: "operators@localhost".into(),
                plan: "internal".into(),
                limits: Limits::of_plan("internal").context("the internal plan")?,
            },
        )
        .await;
    match opened {
        Ok(()) => {}
        Err(veritrail_application::ServiceError::TenantRefused(TenantError::AlreadyOpened)) => {}
        Err(e) => return Err(e).context("open the platform tenant"),
    }
    service
        .register_client(&ctx, &tenant, ActorKind::Operator)
        .await
        .context("register the operator client")
}
