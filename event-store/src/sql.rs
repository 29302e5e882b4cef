//! Running one SQL text on either backend: the workspace's one
//! dual-backend SQL helper. SQL uses `$n` placeholders, which PostgreSQL and
//! SQLite both accept; parameters are bound in order.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::EventDatabase;
use sqlx::FromRow;

/// A time as the milliseconds since the epoch that timestamp columns hold.
pub fn millis(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A bound query parameter (both backends take the same).
#[derive(Debug, Clone)]
pub enum Param {
    Text(String),
    OptText(Option<String>),
    OptInt(Option<i64>),
    Int(i64),
    Bytes(Vec<u8>),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Text(s) => query.bind(s.clone()),
                Param::OptText(s) => query.bind(s.clone()),
                Param::Int(i) => query.bind(*i),
                Param::OptInt(i) => query.bind(*i),
                Param::Bytes(b) => query.bind(b.clone()),
            };
        }
        query
    }};
}

/// Rows of `T`.
pub async fn fetch<T>(
    db: &EventDatabase,
    sql: &str,
    params: &[Param],
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
        + Send
        + Unpin,
{
    match db {
        EventDatabase::Postgres(pool) => {
            bind_all!(sqlx::query_as::<_, T>(sql), params)
                .fetch_all(pool)
                .await
        }
        EventDatabase::Sqlite(pool) => {
            bind_all!(sqlx::query_as::<_, T>(sql), params)
                .fetch_all(pool)
                .await
        }
    }
}

/// Rows affected.
pub async fn execute(db: &EventDatabase, sql: &str, params: &[Param]) -> Result<u64, sqlx::Error> {
    match db {
        EventDatabase::Postgres(pool) => bind_all!(sqlx::query(sql), params)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        EventDatabase::Sqlite(pool) => bind_all!(sqlx::query(sql), params)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

/// Paces the purging of expired rows: at most once a minute per process,
/// by whichever request comes along first.
#[derive(Debug, Default)]
pub struct PurgeClock {
    last: AtomicI64,
}

impl PurgeClock {
    /// Whether a purge is due at `now` (Unix seconds); claims it if so.
    pub fn due(&self, now: i64) -> bool {
        let previous = self.last.load(Ordering::Relaxed);
        now - previous >= 60
            && self
                .last
                .compare_exchange(previous, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// A leased work table's claim: up to `limit` rows of `table` that are
/// `pending`, due (`due_column` ≤ now) and held by nobody (their lease ran
/// out), taken for `owner` until `now_ms + lease_ms` — on PostgreSQL
/// skipping rows another instance is claiming, so instances share the work
/// and never take a row twice. Returns the claimed rows' `columns`.
pub async fn claim_due<T>(
    db: &EventDatabase,
    (table, key, due_column, columns): (&str, &str, &str, &str),
    owner: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> FromRow<'r, sqlx::postgres::PgRow>
        + for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
        + Send
        + Unpin,
{
    let pick = match db {
        EventDatabase::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        // One writer at a time: the UPDATE is atomic as it is.
        EventDatabase::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE {table} SET owner = $1, lease_until_ms = $2, updated_at_ms = $3
          WHERE {key} IN (SELECT {key} FROM {table}
                           WHERE state = 'pending' AND {due_column} <= $3 AND lease_until_ms < $3
                           ORDER BY {due_column} LIMIT $4 {pick})
            AND state = 'pending' AND lease_until_ms < $3
      RETURNING {columns}"
    );
    let params = [
        Param::Text(owner.to_owned()),
        Param::Int(now_ms + lease_ms),
        Param::Int(now_ms),
        Param::Int(limit),
    ];
    fetch(db, &sql, &params).await
}
