//! Test helpers: a fresh database per test on either backend.
//!
//! PostgreSQL comes from `VERITRAIL_TEST_DATABASE_URL` (an admin URL, set by
//! `scripts/test.sh`, which installs and starts a private cluster). A test
//! that needs PostgreSQL fails loudly without it; it never skips.

use std::sync::Arc;

use tempfile::TempDir;
use veritrail_command_api::application::{CaseService, RandomIds, SystemClock};
use veritrail_event_store::{Backend, EventDatabase};

pub mod fixtures;

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
