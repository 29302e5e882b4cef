//! Connecting to a backend, migrating it, and reading its global log.

use std::str::FromStr;
use std::time::Duration;

use cqrs_es::persist::{EventUpcaster, PersistedEventStore};
use cqrs_es::Aggregate;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::global::{GlobalPosition, RecordedEvent};
use crate::repository::EventRepository;
use crate::{postgres, sqlite};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use postgres://… or sqlite://…")]
    UnsupportedUrl(String),
    #[error("invalid database URL: {0}")]
    InvalidUrl(#[source] sqlx::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("transactions running for over {0:?} keep the global log from settling")]
    SettleTimeout(Duration),
}

/// Which kind of database backs the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A connected event database.
#[derive(Debug, Clone)]
pub enum EventDatabase {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

impl EventDatabase {
    /// Connects to `postgres://…` or `sqlite://…` (a file, created if missing).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(StoreError::InvalidUrl)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Self::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::InvalidUrl)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.max(1))
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Self::Sqlite(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Applies the schema in `migrations/<backend>/` (sqlx migrate).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Readiness: can the database answer?
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await?,
            Self::Sqlite(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
                return Ok(());
            }
        };
        Ok(())
    }

    pub fn repository(&self) -> EventRepository {
        match self {
            Self::Postgres(pool) => EventRepository::postgres(pool.clone()),
            Self::Sqlite(pool) => EventRepository::sqlite(pool.clone()),
        }
    }

    /// A cqrs-es event store for aggregate `A`, upgrading old events on load.
    pub fn event_store<A: Aggregate>(
        &self,
        upcasters: Vec<Box<dyn EventUpcaster>>,
    ) -> PersistedEventStore<EventRepository, A> {
        PersistedEventStore::new_event_store(self.repository()).with_upcasters(upcasters)
    }

    /// Up to `limit` events strictly after `after`, in global order. Never
    /// returns an event whose writing transaction may still be followed by an
    /// earlier-ordered one (see ADR 0002).
    pub async fn read_all(
        &self,
        after: GlobalPosition,
        limit: u32,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        match self {
            Self::Postgres(pool) => postgres::read_all(pool, after, limit).await,
            Self::Sqlite(pool) => sqlite::read_all(pool, after, limit).await,
        }
    }

    /// Waits until every transaction running when called has finished, so
    /// that a following [`Self::read_all`] sees everything committed before
    /// this call. On PostgreSQL the snapshot horizon is cluster-wide: a
    /// transaction in any database holds readers back (never makes them skip).
    pub async fn settle(&self, timeout: Duration) -> Result<(), StoreError> {
        match self {
            Self::Postgres(pool) => postgres::settle(pool, timeout).await,
            Self::Sqlite(_) => Ok(()),
        }
    }

    /// Every event of one stream, in order, with global positions.
    pub async fn read_stream(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        match self {
            Self::Postgres(pool) => postgres::read_stream(pool, aggregate_type, aggregate_id).await,
            Self::Sqlite(pool) => sqlite::read_stream(pool, aggregate_type, aggregate_id).await,
        }
    }

    /// The number of events in one stream (its current version).
    pub async fn stream_version(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<i64, StoreError> {
        let sql = "SELECT COALESCE(MAX(sequence), 0) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2";
        let version: i64 = match self {
            Self::Postgres(pool) => {
                sqlx::query_scalar(sql)
                    .bind(aggregate_type)
                    .bind(aggregate_id)
                    .fetch_one(pool)
                    .await?
            }
            Self::Sqlite(pool) => {
                sqlx::query_scalar(sql)
                    .bind(aggregate_type)
                    .bind(aggregate_id)
                    .fetch_one(pool)
                    .await?
            }
        };
        Ok(version)
    }

    pub async fn close(&self) {
        match self {
            Self::Postgres(pool) => pool.close().await,
            Self::Sqlite(pool) => pool.close().await,
        }
    }
}
