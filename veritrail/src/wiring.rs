//! The application's services, built once from the configuration: the
//! store's use cases, the document and face engines, metering and the media
//! store. `serve` puts the HTTP API in front of them; `process` runs only
//! the processors on them.

use std::sync::Arc;

use anyhow::Context;
use veritrail_application::auth::{InvitationService, TenantService, Vault};
use veritrail_application::cases::CaseService;
use veritrail_application::challenges::Challenges;
use veritrail_application::checks::Checks;
use veritrail_application::compute::{ComputeLimits, ComputePool};
use veritrail_application::metering::Metering;
use veritrail_application::notifications::NotificationService;
use veritrail_application::providers::Providers;
use veritrail_application::rate_limit::RateLimits;
use veritrail_application::read_models::ReadModels;
use veritrail_application::webhooks::WebhookService;
use veritrail_application::{RandomIds, Services, SystemClock};
use veritrail_event_store::EventDatabase;
use veritrail_vision::DocumentReader;

use crate::config::Config;

/// Every use case on `db`, and the vault that seals API secrets.
/// `clock` is the service's time — cases, request limits, timers and
/// webhooks follow it (tests move it instead of sleeping);
/// `port` is where this instance listens (for providers' callbacks).
pub async fn services(
    config: &Config,
    db: &EventDatabase,
    clock: Arc<dyn veritrail_domain::Clock>,
    port: u16,
) -> anyhow::Result<(Arc<Services>, Arc<Vault>)> {
    let db = db.clone();
    // Cases follow the injected clock, so that deadlines and the timers
    // that enforce them share one time.
    let cases = CaseService::new(db.clone(), clock.clone(), Arc::new(RandomIds));
    let mut documents = DocumentReader::from_dir(&config.models_dir())
        .context("the document reader cannot start")?;
    documents.mrz = documents.mrz.with_thresholds(config.document_quality);
    documents
        .mrz
        .warm(config.ocr_engines)
        .context("the document reader cannot start")?;
    let faces = veritrail_face::FaceEngine::load(&config.face_models_dir(), config.face_sessions)
        .context("the face models cannot start")?;
    let vault = Arc::new(
        Vault::open(db.clone(), config.secrets_key())
            .await
            .context("the secrets key (secrets_key)")?,
    );
    let tenants = Arc::new(TenantService::new(
        &db,
        Arc::new(SystemClock),
        vault.clone(),
    ));
    let metering = Arc::new(Metering::new(
        db.clone(),
        tenants.clone(),
        Arc::new(SystemClock),
    ));
    let checks = Checks {
        documents: Arc::new(documents),
        faces: Arc::new(faces),
        challenges: Challenges::new(db.clone(), 120),
        compute: ComputePool::new(ComputeLimits {
            workers: config.compute_workers,
            queue: config.compute_queue,
            budget: std::time::Duration::from_secs(u64::from(config.compute_budget_secs)),
        }),
        metering: metering.clone(),
        tenants: tenants.clone(),
    };
    let services = Arc::new(Services {
        cases: Arc::new(cases),
        invitations: Arc::new(InvitationService::new(
            &db,
            Arc::new(SystemClock),
            time::Duration::hours(i64::from(config.invitation_ttl_hours)),
            vault.clone(),
        )),
        rate_limits: Arc::new(RateLimits::new(tenants.clone(), clock.clone())),
        tenants,
        metering,
        checks,
        read_models: ReadModels::new(db.clone()),
        media: config.blob_store().context("the blob store")?,
        providers: Providers::new(config.providers.clone(), &config.public_url(port))
            .context("providers")?,
        webhooks: Arc::new(WebhookService::new(
            &db,
            vault.clone(),
            clock.clone(),
            config.webhooks.clone(),
        )),
        notifications: Arc::new(NotificationService::new(
            &db,
            clock.clone(),
            config.mail.clone(),
        )),
        clock,
    });
    Ok((services, vault))
}

/// The processors' settings from `config`, for an instance listening on `port`.
pub fn processor_config(config: &Config, port: u16) -> veritrail_processors::ProcessorConfig {
    veritrail_processors::ProcessorConfig {
        workers: config.processor_workers,
        public_url: config.public_url(port),
        invitation_url: config.invitation_url(port),
        escalate_after: std::time::Duration::from_secs(config.check_escalation_secs),
        reminders: config.mail.reminders(),
        ..Default::default()
    }
}
