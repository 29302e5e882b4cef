//! The demo's tenants: opened for real, each with an organisation and an
//! officer client whose credentials are kept in a file (mode 0600) so a
//! second run reuses them instead of minting new ones.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use veritrail_application::auth::{NewTenant, TenantService};
use veritrail_application::{RequestContext, ServiceError};
use veritrail_domain::case::CheckKind;
use veritrail_domain::tenant::{Limits, TenantError};
use veritrail_domain::{ActorKind, TenantId};

use super::people::Person;

/// One demo tenant and the people it verifies.
pub struct DemoTenant {
    pub id: &'static str,
    pub name: &'static str,
    /// ISO 3166-1 alpha-3.
    pub country: &'static str,
    pub support_email: &'static str,
    pub plan: &'static str,
    pub checks: [CheckKind; 3],
    /// Loans and incomes are in this currency; `None` asks for no money.
    pub currency: Option<&'static str>,
    /// The check that fails on a failed case, and why.
    pub failure: (CheckKind, &'static str),
    /// The business entity every case of this tenant affects.
    pub entity: &'static str,
    pub people: &'static [Person],
}

/// A client's id and secret, as printed and as kept in the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

/// The credentials of one tenant's clients.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantCredentials {
    pub organisation: ClientCredentials,
    pub officer: ClientCredentials,
}

/// Every demo tenant's credentials, by tenant id.
pub type CredentialsFile = BTreeMap<String, TenantCredentials>;

pub fn read(path: &Path) -> CredentialsFile {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn write(path: &Path, credentials: &CredentialsFile) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(credentials)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("write {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    Ok(())
}

/// Opens `tenant` unless it exists.
pub async fn open(
    service: &TenantService,
    ctx: &RequestContext,
    tenant: &DemoTenant,
) -> anyhow::Result<()> {
    let opened = service
        .open(
            ctx,
            NewTenant {
                tenant: TenantId::parse(tenant.id)?,
                name: tenant.name.into(),
                country: tenant.country.into(),
                support_email: tenant.support_email.into(),
                plan: tenant.plan.into(),
                limits: Limits::of_plan(tenant.plan).context("a known plan")?,
            },
        )
        .await;
    match opened {
        Ok(()) | Err(ServiceError::TenantRefused(TenantError::AlreadyOpened)) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("open tenant {}", tenant.id)),
    }
}

/// The credentials kept for `tenant` if both still authenticate, else two
/// new clients.
pub async fn clients(
    service: &TenantService,
    ctx: &RequestContext,
    tenant: &TenantId,
    kept: Option<&TenantCredentials>,
) -> anyhow::Result<TenantCredentials> {
    if let Some(kept) = kept {
        let now = time::OffsetDateTime::now_utc();
        let mut valid = true;
        for client in [&kept.organisation, &kept.officer] {
            let found = service
                .authenticate(&client.client_id, &client.client_secret, now)
                .await?;
            valid &= found.is_some_and(|c| &c.tenant == tenant);
        }
        if valid {
            return Ok(kept.clone());
        }
    }
    let register = async |role| -> anyhow::Result<ClientCredentials> {
        let made = service.register_client(ctx, tenant, role).await?;
        Ok(ClientCredentials {
            client_id: made.client_id,
            client_secret: made.client_secret,
        })
    };
    Ok(TenantCredentials {
        organisation: register(ActorKind::Organisation).await?,
        officer: register(ActorKind::Officer).await?,
    })
}
