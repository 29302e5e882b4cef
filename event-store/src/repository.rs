//! One cqrs-es repository over either backend.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlite_es::SqliteEventRepository;
use sqlx::{PgPool, SqlitePool};

/// The configured backend's event repository.
pub enum EventRepository {
    Postgres(PostgresEventRepository),
    Sqlite(SqliteEventRepository),
}

impl std::fmt::Debug for EventRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Postgres(_) => f.write_str("EventRepository::Postgres"),
            Self::Sqlite(_) => f.write_str("EventRepository::Sqlite"),
        }
    }
}

impl EventRepository {
    pub fn postgres(pool: PgPool) -> Self {
        Self::Postgres(PostgresEventRepository::new(pool))
    }

    pub fn sqlite(pool: SqlitePool) -> Self {
        Self::Sqlite(SqliteEventRepository::new(pool))
    }
}

/// Our SQLite schema keys events by `global_position` and keeps the stream
/// key unique (`events_stream_sequence`), so a lost race surfaces as a UNIQUE
/// violation (extended code 2067), which `sqlite-es` does not recognise.
fn sqlite_conflict(error: PersistenceError) -> PersistenceError {
    if let PersistenceError::UnknownError(inner) = &error {
        if let Some(sqlx::Error::Database(db)) = inner.downcast_ref::<sqlx::Error>() {
            if matches!(db.code().as_deref(), Some("2067") | Some("1555")) {
                return PersistenceError::OptimisticLockError;
            }
        }
    }
    error
}

impl PersistedEventRepository for EventRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.get_events::<A>(aggregate_id).await,
            Self::Sqlite(repo) => repo.get_events::<A>(aggregate_id).await,
        }
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.get_last_events::<A>(aggregate_id, last_sequence).await,
            Self::Sqlite(repo) => repo.get_last_events::<A>(aggregate_id, last_sequence).await,
        }
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.get_snapshot::<A>(aggregate_id).await,
            Self::Sqlite(repo) => repo.get_snapshot::<A>(aggregate_id).await,
        }
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.persist::<A>(events, snapshot_update).await,
            Self::Sqlite(repo) => repo
                .persist::<A>(events, snapshot_update)
                .await
                .map_err(sqlite_conflict),
        }
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.stream_events::<A>(aggregate_id).await,
            Self::Sqlite(repo) => repo.stream_events::<A>(aggregate_id).await,
        }
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        match self {
            Self::Postgres(repo) => repo.stream_all_events::<A>().await,
            Self::Sqlite(repo) => repo.stream_all_events::<A>().await,
        }
    }
}
