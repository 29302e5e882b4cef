//! Test helpers: a fresh database per test on either backend.
//!
//! PostgreSQL comes from `VERITRAIL_TEST_DATABASE_URL` (an admin URL, set by
//! `scripts/test.sh`, which installs and starts a private cluster). A test
//! that needs PostgreSQL fails loudly without it; it never skips.

use std::sync::Arc;

use tempfile::TempDir;
use veritrail_application::cases::CaseService;
use veritrail_application::{RandomIds, SystemClock};
use veritrail_event_store::{Backend, EventDatabase};

pub mod face_eval;
pub mod fixtures;
pub mod liveness_eval;
pub mod mrz_eval;
pub mod provider_stub;
pub mod smtp;
pub mod webhook_receiver;

/// How long a test waits for concurrent transactions to finish before reading the global log.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(30);

/// A migrated, empty database that lives as long as this value.
#[derive(Debug)]
pub struct TestDb {
    pub db: EventDatabase,
    pub url: String,
    _dir: Option<TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => postgres().await,
            Backend::Sqlite => sqlite().await,
        }
    }

    pub fn service(&self) -> CaseService {
        CaseService::new(self.db.clone(), Arc::new(SystemClock), Arc::new(RandomIds))
    }
}

/// The admin URL of the test cluster.
pub fn postgres_admin_url() -> String {
    std::env::var("VERITRAIL_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "VERITRAIL_TEST_DATABASE_URL is not set: run `bash scripts/test.sh`, which installs \
             and starts PostgreSQL for the tests"
        )
    })
}

/// A brand-new PostgreSQL database, migrated.
pub async fn postgres() -> TestDb {
    let admin_url = postgres_admin_url();
    let name = format!("vt_{}", uuid::Uuid::new_v4().simple());
    let admin = EventDatabase::connect(&admin_url, 1)
        .await
        .expect("connect to the test cluster");
    let EventDatabase::Postgres(pool) = &admin else {
        panic!("VERITRAIL_TEST_DATABASE_URL must be a postgres:// URL");
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(pool)
        .await
        .expect("create a test database");
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let db = EventDatabase::connect(&url, 8)
        .await
        .expect("connect to the test database");
    db.migrate().await.expect("migrate the test database");
    TestDb {
        db,
        url,
        _dir: None,
    }
}

/// A brand-new SQLite file, migrated.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/events.db", dir.path().display());
    let db = EventDatabase::connect(&url, 4)
        .await
        .expect("open the test database");
    db.migrate().await.expect("migrate the test database");
    TestDb {
        db,
        url,
        _dir: Some(dir),
    }
}

/// Replaces the database name in a postgres URL (keeps query parameters).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_swapped_keeping_parameters() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5433/postgres?sslmode=disable", "x"),
            "postgres://u@127.0.0.1:5433/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5433/postgres", "x"),
            "postgres://u@127.0.0.1:5433/x"
        );
    }
}

/// The test S3-compatible server (scripts/lib/s3.sh starts one).
pub fn s3_url() -> String {
    std::env::var("VERITRAIL_TEST_S3_URL").unwrap_or_else(|_| {
        panic!("VERITRAIL_TEST_S3_URL is not set: run the tests with scripts/test.sh, which starts a local S3-compatible server")
    })
}

/// A running application on a fresh database, bound to an ephemeral port.
#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub test_db: TestDb,
    /// The app's own media directory (uploaded images), removed on drop.
    pub media: tempfile::TempDir,
    /// The app's use cases (to run processors against it).
    pub services: std::sync::Arc<veritrail_application::Services>,
}

/// Knobs for [`spawn_app_with`].
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub idempotency_ttl_hours: u32,
    pub dev_identity_headers: bool,
    /// The clock the request limits follow (the system's by default).
    pub clock: Option<std::sync::Arc<dyn veritrail_domain::Clock>>,
    /// Run the processors in the app (off: most suites drive checks by hand).
    pub processors: bool,
    /// External check providers the app knows.
    pub providers: Vec<veritrail_application::providers::ProviderSettings>,
    /// Keep uploads in this bucket of the test S3 server, not in a directory.
    pub s3_bucket: Option<String>,
    /// Webhook delivery (loopback receivers allowed by default).
    pub webhooks: veritrail_application::webhooks::WebhookSettings,
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            idempotency_ttl_hours: 24,
            dev_identity_headers: true,
            clock: None,
            processors: false,
            providers: Vec::new(),
            s3_bucket: None,
            webhooks: veritrail_application::webhooks::WebhookSettings {
                webhook_allow_private_targets: true,
                ..Default::default()
            },
        }
    }
}

/// Starts the real application (same composition as `veritrail serve`).
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, AppOptions::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: AppOptions) -> TestApp {
    let test_db = TestDb::new(backend).await;
    let media = tempfile::tempdir().expect("a media directory");
    let config = veritrail::config::Config {
        database_url: test_db.url.clone(),
        media_dir: media.path().display().to_string(),
        bind: "127.0.0.1:0".to_owned(),
        workers: 2,
        idempotency_ttl_hours: options.idempotency_ttl_hours,
        // Engines are made on first use: most tests read no document.
        ocr_engines: 0,
        // Most suites act through the development headers; the security
        // suite turns them off and uses real tokens.
        dev_identity_headers: options.dev_identity_headers,
        processors: options.processors,
        providers: options.providers,
        webhooks: options.webhooks,
        ..Default::default()
    };
    let config = match options.s3_bucket {
        Some(bucket) => veritrail::config::Config {
            s3_bucket: bucket,
            s3_endpoint: s3_url(),
            s3_region: "us-east-1".to_owned(),
            s3_allow_http: true,
            s3_access_key_id: "test".to_owned(),
            s3_secret_access_key: "test".to_owned(),
            ..config
        },
        None => config,
    };
    let clock = options
        .clock
        .unwrap_or_else(|| std::sync::Arc::new(veritrail_application::SystemClock));
    let app = veritrail::app::Application::build_with_clock(&config, test_db.db.clone(), clock)
        .await
        .expect("build the application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let services = app.services();
    tokio::spawn(app.run());
    TestApp {
        address,
        client: reqwest::Client::new(),
        test_db,
        media,
        services,
    }
}

/// The development identity headers for one role.
#[derive(Debug, Clone, Copy)]
pub struct As<'a> {
    pub tenant: &'a str,
    pub kind: &'a str,
    pub id: &'a str,
}

impl As<'_> {
    pub fn org(tenant: &str) -> As<'_> {
        As {
            tenant,
            kind: "organisation",
            id: "org-client",
        }
    }
    pub fn individual(tenant: &str) -> As<'_> {
        As {
            tenant,
            kind: "individual",
            id: "invitation-1",
        }
    }
    pub fn officer(tenant: &str) -> As<'_> {
        As {
            tenant,
            kind: "officer",
            id: "vo-1",
        }
    }
}

impl TestApp {
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        who: As<'_>,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.address, path))
            .header("X-Tenant-Id", who.tenant)
            .header("X-Actor-Kind", who.kind)
            .header("X-Actor-Id", who.id)
    }

    /// `GET /usage` as the tenant's organisation: this month's use per module.
    /// Uploads one JPEG as the individual of `tenant`; its media id.
    pub async fn upload_jpeg(
        &self,
        tenant: &str,
        case: &str,
        kind: &str,
        bytes: Vec<u8>,
    ) -> String {
        let file = reqwest::multipart::Part::bytes(bytes)
            .file_name("photo.jpg")
            .mime_str("image/jpeg")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part("file", file);
        let response = self
            .request(
                reqwest::Method::POST,
                &format!("/verifications/{case}/evidence"),
                As::individual(tenant),
            )
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        let body: serde_json::Value = response.json().await.expect("json");
        body["media_id"].as_str().expect("media id").to_owned()
    }

    /// Registers `tenant` as an operator would.
    pub async fn register_tenant(&self, tenant: &str) {
        let operator = As {
            tenant: "platform",
            kind: "operator",
            id: "op-1",
        };
        let response = self
            .request(reqwest::Method::POST, "/operator/tenants", operator)
            .json(&serde_json::json!({"tenant_id": tenant, "name": "Acme", "country": "FRA", "support_email": "a@acme.test"}))
            .send()
            .await
            .expect("open");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    }

    pub async fn usage(&self, tenant: &str) -> serde_json::Value {
        self.request(reqwest::Method::GET, "/usage", As::org(tenant))
            .send()
            .await
            .expect("usage")
            .json()
            .await
            .expect("usage json")
    }

    /// Every event in the store, in global order (after concurrent writers settle).
    pub async fn all_events(&self) -> Vec<veritrail_event_store::RecordedEvent> {
        self.test_db.db.settle(SETTLE).await.expect("settle");
        self.test_db
            .db
            .read_all(veritrail_event_store::GlobalPosition::START, 100_000)
            .await
            .expect("read the log")
    }
}

impl TestApp {
    /// Waits until every projection has applied every event committed so far.
    pub async fn wait_for_projections(&self) {
        let events = self.all_events().await;
        let Some(head) = events.last().map(|e| e.global) else {
            return;
        };
        let db = &self.test_db.db;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        for name in veritrail_projections::ALL {
            loop {
                let sql =
                    "SELECT last_tx, last_position FROM projection_checkpoints WHERE name = $1";
                let at: Option<(i64, i64)> = match db {
                    EventDatabase::Postgres(pool) => {
                        sqlx::query_as(sql).bind(name).fetch_optional(pool).await
                    }
                    EventDatabase::Sqlite(pool) => {
                        sqlx::query_as(sql).bind(name).fetch_optional(pool).await
                    }
                }
                .expect("checkpoint");
                let reached = at.is_some_and(|(t, p)| {
                    (u64::try_from(t).unwrap_or(0), p) >= (head.transaction, head.position)
                });
                if reached {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "{name} never caught up"
                );
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    }
}

/// Runs each named `async fn(Backend)` as a test on PostgreSQL and on SQLite,
/// in modules `postgres` and `sqlite` (filter with `contract::postgres` etc.).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(veritrail_event_store::Backend::Postgres).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name(veritrail_event_store::Backend::Sqlite).await
                }
            )*
        }
    };
}
