//! Appending to several streams in one transaction (ADR 0010). A use case
//! whose events belong to more than one aggregate — opening a case assigns
//! the subject, opens the case and issues its invitation — commits all of
//! them or none. Each stream keeps its own optimistic concurrency: the unique
//! `(aggregate_type, aggregate_id, sequence)` key refuses the whole
//! transaction if any stream moved since it was loaded.

use cqrs_es::persist::SerializedEvent;

use crate::database::{EventDatabase, StoreError};

const INSERT: &str = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, \
    event_version, payload, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Why an atomic append wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// Another writer appended to one of the streams first.
    #[error("a stream was appended to concurrently")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AppendError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            // PostgreSQL unique_violation; SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY.
            if matches!(db.code().as_deref(), Some("23505" | "2067" | "1555")) {
                return AppendError::Conflict;
            }
        }
        AppendError::Store(StoreError::Database(error))
    }
}

macro_rules! insert_all {
    ($pool:expr, $events:expr) => {{
        let mut tx = $pool.begin().await?;
        for event in $events {
            sqlx::query(INSERT)
                .bind(&event.aggregate_type)
                .bind(&event.aggregate_id)
                .bind(i64::try_from(event.sequence).unwrap_or(i64::MAX))
                .bind(&event.event_type)
                .bind(&event.event_version)
                .bind(&event.payload)
                .bind(&event.metadata)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }};
}

impl EventDatabase {
    /// Appends `events` (each naming its own stream and sequence) in one
    /// transaction: all are recorded, or none and the error says why.
    pub async fn append_atomic(&self, events: &[SerializedEvent]) -> Result<(), AppendError> {
        match self {
            Self::Postgres(pool) => insert_all!(pool, events),
            Self::Sqlite(pool) => insert_all!(pool, events),
        }
        Ok(())
    }
}
