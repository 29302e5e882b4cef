//! The application: store + use cases + HTTP server.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use veritrail_application::auth::signatures::ReplayStore;
use veritrail_application::auth::{SigningKeys, Tokens};
use veritrail_application::idempotency::IdempotencyStore;
use veritrail_application::{Services, SystemClock};
use veritrail_command_api::http::{server, AppState, Auth, DevIdentity, HttpConfig};
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};
use veritrail_event_store::subscription::LogTail;
use veritrail_event_store::EventDatabase;
use veritrail_processors::Processors;
use veritrail_projections::audit_log::AuditLogProjection;
use veritrail_projections::case_status::CaseStatusProjection;
use veritrail_projections::{Runner, RunnerConfig};

use crate::config::Config;

/// A built, not yet running, application.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    db: EventDatabase,
    projections: bool,
    /// The processors, when this instance runs them.
    processors: Option<Processors>,
    services: Arc<Services>,
    /// This instance's stable name (see `Config::instance_id`).
    instance: String,
    idempotency: IdempotencyStore,
    /// The one reader of the log this instance's subscriptions share.
    tail: Arc<LogTail>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens (and migrates) the store and binds the listener.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let db = open_database(&config.database_url(), config.database_max_connections).await?;
        tracing::info!(database = %config.database_shown(), "event store open");
        Self::build_with(config, db).await
    }

    /// Builds on an already opened store (tests share theirs).
    pub async fn build_with(config: &Config, db: EventDatabase) -> anyhow::Result<Self> {
        Self::build_with_clock(config, db, Arc::new(SystemClock)).await
    }

    /// As [`Self::build_with`], with the clock the request limits follow
    /// (tests move it instead of sleeping).
    pub async fn build_with_clock(
        config: &Config,
        db: EventDatabase,
        clock: Arc<dyn veritrail_domain::Clock>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let dev_identity = DevIdentity {
            tenant: TenantId::parse(&config.dev_tenant).context("dev_tenant")?,
            actor: Actor::new(
                config
                    .dev_actor_kind
                    .parse::<ActorKind>()
                    .context("dev_actor_kind")?,
                ActorId::parse(&config.dev_actor_id).context("dev_actor_id")?,
            ),
        };
        let idempotency = IdempotencyStore::new(
            db.clone(),
            time::Duration::hours(i64::from(config.idempotency_ttl_hours)),
        );
        let instance = config.instance_id(port);
        // Alive before the first request: a key this process reserves must
        // never look abandoned to another instance.
        idempotency
            .heartbeat(&instance, time::OffsetDateTime::now_utc())
            .await
            .context("record this instance")?;
        let (services, vault) = crate::wiring::services(config, &db, clock, port).await?;
        let keys = SigningKeys::load_or_create(db.clone(), vault.clone())
            .await
            .context("token signing keys")?;
        if config.secrets_key().is_none() {
            tracing::info!(
                "secrets_key is not set: API secrets are sealed with a key kept in the database"
            );
        }
        let auth = Auth {
            tokens: Tokens::new(
                Arc::new(keys),
                time::Duration::minutes(i64::from(config.token_ttl_minutes)),
            ),
            replays: Arc::new(ReplayStore::new(db.clone())),
            invitation_url: config.invitation_url(port),
            log_invitation_links: config.log_invitation_links,
            dev_headers: config.dev_identity_headers,
        };
        if config.dev_identity_headers {
            tracing::warn!(
                "dev_identity_headers is on: requests without a token may name any tenant and role"
            );
        }
        let tail = log_tail(&db);
        let processors = config.processors.then(|| {
            Processors::new(
                db.clone(),
                services.clone(),
                crate::wiring::processor_config(config, port),
                instance.clone(),
            )
            .with_tail(tail.clone())
        });
        let server = server(
            listener,
            AppState {
                services: services.clone(),
                auth,
                dev_identity,
                idempotency: idempotency.clone(),
                read_your_writes: config
                    .projections
                    .then_some(std::time::Duration::from_secs(5)),
                read_model_lagging: Arc::default(),
            },
            HttpConfig {
                workers: config.workers,
            },
        )?;
        Ok(Self {
            port,
            server,
            db,
            projections: config.projections,
            processors,
            services,
            instance,
            idempotency,
            tail,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The use cases this instance serves.
    pub fn services(&self) -> Arc<Services> {
        self.services.clone()
    }

    /// This instance's processors, if it runs them.
    pub fn processors(&self) -> Option<&Processors> {
        self.processors.as_ref()
    }

    /// Serves until stopped (SIGINT/SIGTERM stop it gracefully), with the
    /// projection runners alongside.
    pub async fn run(self) -> std::io::Result<()> {
        let mut runners = if self.projections {
            spawn_projections(
                &self.db,
                &self.instance,
                self.services.read_models.applied(),
                Some(self.tail.clone()),
            )
        } else {
            Vec::new()
        };
        if self.projections || self.processors.is_some() {
            runners.push(tokio::spawn(self.tail.clone().run()));
        }
        if let Some(processors) = &self.processors {
            runners.extend(processors.spawn());
        }
        runners.push(tokio::spawn(self.idempotency.keep_alive(self.instance)));
        let result = self.server.await;
        for runner in runners {
            runner.abort();
        }
        result
    }
}

/// Starts one runner per projection.
/// Runners are named `{instance}/{projection}`, so a restarted instance
/// resumes its own lease at once.
/// `applied` is woken after each batch the case-status runner applies
/// (commands waiting to read their own writes look again). With a `tail`
/// (which the caller runs) they read the log through it.
pub fn spawn_projections(
    db: &EventDatabase,
    instance: &str,
    applied: Arc<veritrail_event_store::subscription::AppliedHeads>,
    tail: Option<Arc<LogTail>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let config = RunnerConfig {
        poll_interval: match db {
            // PostgreSQL wakes runners by NOTIFY; SQLite has only polling.
            EventDatabase::Postgres(_) => std::time::Duration::from_millis(500),
            EventDatabase::Sqlite(_) => std::time::Duration::from_millis(20),
        },
        ..RunnerConfig::default()
    };
    vec![
        tokio::spawn(
            Runner::new(CaseStatusProjection, db.clone(), config.clone())
                .with_owner(format!("{instance}/case_status"))
                .with_heads(applied)
                .with_tail(tail.clone())
                .run(),
        ),
        tokio::spawn(
            Runner::new(AuditLogProjection, db.clone(), config)
                .with_owner(format!("{instance}/audit_log"))
                .with_tail(tail)
                .run(),
        ),
    ]
}

/// The instance's reader of the log: up to 8,192 recent events in memory;
/// polling every 250 ms besides PostgreSQL's notifications, every 20 ms on
/// SQLite (which has none).
pub fn log_tail(db: &EventDatabase) -> Arc<LogTail> {
    let poll = match db {
        EventDatabase::Postgres(_) => std::time::Duration::from_millis(250),
        EventDatabase::Sqlite(_) => std::time::Duration::from_millis(20),
    };
    LogTail::new(db.clone(), 8_192, poll)
}

/// Connects to the configured store, creating the SQLite directory if needed,
/// and applies migrations.
pub async fn open_database(url: &str, max_connections: u32) -> anyhow::Result<EventDatabase> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
    }
    let db = EventDatabase::connect(url, max_connections)
        .await
        .context("cannot open the event store")?;
    db.migrate()
        .await
        .context("cannot migrate the event store")?;
    Ok(db)
}
