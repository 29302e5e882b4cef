//! `veritrail demo`: sample tenants, clients and cases (the seeds'
//! `seed_demo_clients` / `generate_sample_data`) written as real events
//! through the same use cases the API runs. The tenants exist, their clients'
//! credentials are printed and kept in a file, and the cases were opened
//! over the last 90 days. Re-running it leaves existing demo subjects and
//! working credentials alone.

mod people;
mod stages;
mod tenants;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use veritrail_application::auth::{TenantService, Vault};
use veritrail_application::cases::CaseService;
use veritrail_application::{RandomIds, RequestContext, SystemClock};
use veritrail_domain::{Actor, ActorId, ActorKind, FixedClock, TenantId};
use veritrail_event_store::EventDatabase;

pub use tenants::{ClientCredentials, CredentialsFile, TenantCredentials};

/// Where the demo keeps credentials and what it tells the user to call.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// JSON file of every demo client's credentials (mode 0600).
    pub credentials_file: PathBuf,
    /// The service's address, for the commands printed.
    pub base_url: String,
    /// The key sealing API secrets (as configured for `serve`).
    pub secrets_key: Option<String>,
}

fn context(tenant: &TenantId, kind: ActorKind, id: &str) -> anyhow::Result<RequestContext> {
    Ok(RequestContext::new(
        tenant.clone(),
        Actor::new(kind, ActorId::parse(id)?),
    ))
}

/// Loads the demo data; returns what to print.
pub async fn load(db: EventDatabase, options: &DemoOptions) -> anyhow::Result<String> {
    let vault = Vault::open(db.clone(), options.secrets_key.as_deref()).await?;
    let tenant_service = TenantService::new(&db, Arc::new(SystemClock), Arc::new(vault));
    let now = OffsetDateTime::now_utc();
    let clock = Arc::new(FixedClock::new(now));
    let cases = CaseService::new(db, clock.clone(), Arc::new(RandomIds));
    let time = stages::Timeline { clock: &clock, now };
    let mut kept = tenants::read(&options.credentials_file);
    let mut summary = String::from(
        "tenant          subject    opened      case id                               status\n",
    );
    for tenant in &people::TENANTS {
        let tenant_id = TenantId::parse(tenant.id)?;
        let operator = context(&tenant_id, ActorKind::Operator, "demo")?;
        tenants::open(&tenant_service, &operator, tenant).await?;
        let credentials =
            tenants::clients(&tenant_service, &operator, &tenant_id, kept.get(tenant.id)).await?;
        let actors = stages::Actors {
            organisation: context(
                &tenant_id,
                ActorKind::Organisation,
                &credentials.organisation.client_id,
            )?,
            officer: context(
                &tenant_id,
                ActorKind::Officer,
                &credentials.officer.client_id,
            )?,
            individual: context(
                &tenant_id,
                ActorKind::Individual,
                &Uuid::now_v7().to_string(),
            )?,
        };
        kept.insert(tenant.id.to_owned(), credentials);
        for person in tenant.people {
            let request = stages::request(tenant, person)?;
            let org = &actors.organisation;
            let known = cases.cases_of_subject(org, &request.subject.id).await?;
            let case_id = match known.last() {
                Some(latest) => *latest,
                None => {
                    // Opened at a working hour of that day.
                    let opened = (now - Duration::days(person.days_ago))
                        .replace_time(time::macros::time!(9:30))
                        .min(now);
                    time.at(opened, Duration::ZERO);
                    let case = cases.get_or_open(org, request).await?;
                    stages::advance(&cases, &time, opened, case.case_id, tenant, person, &actors)
                        .await?
                }
            };
            let (case, _) = cases.load(org, case_id).await?;
            let status = case.status().map(|s| s.to_string()).unwrap_or_default();
            let opened = case
                .opened()
                .map(|o| o.opened_at.date().to_string())
                .unwrap_or_default();
            let _ = writeln!(
                summary,
                "{:<15} {:<10} {opened:<11} {case_id}  {status}",
                tenant.id, person.subject
            );
        }
    }
    tenants::write(&options.credentials_file, &kept)?;
    summary.push_str(&next_steps(&kept, options));
    Ok(summary)
}

/// The credentials and the commands to try next.
fn next_steps(kept: &CredentialsFile, options: &DemoOptions) -> String {
    let mut text = format!(
        "\nClients (also in {}; secrets shown here because this is demo data):\n",
        options.credentials_file.display()
    );
    for (tenant, c) in kept {
        let _ = writeln!(
            text,
            "  {tenant:<15} organisation  {}  {}\n  {tenant:<15} officer       {}  {}",
            c.organisation.client_id,
            c.organisation.client_secret,
            c.officer.client_id,
            c.officer.client_secret
        );
    }
    if let Some((tenant, c)) = kept.iter().next() {
        let base = options.base_url.trim_end_matches('/');
        let _ = write!(
            text,
            "\nNext, with the service running (bash scripts/serve.sh), as the {} officer:\n\
             TOKEN=$(curl -s {base}/oauth2/token -d grant_type=client_credentials \
             -d client_id={} -d client_secret={} \
             | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\n\
             curl -s -H \"Authorization: Bearer $TOKEN\" '{base}/admin/verifications?status=PENDING_ADMIN'\n",
            tenant, c.officer.client_id, c.officer.client_secret
        );
    }
    text
}
