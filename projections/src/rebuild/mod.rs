//! Rebuilding a read model from the event log without downtime (READ-5).
//!
//! On one dedicated connection, TEMP shadow tables with the read model's
//! names and shape are created; they shadow the live tables for that
//! connection only (PostgreSQL searches `pg_temp` first, SQLite the `temp`
//! schema), so the projection's unchanged SQL fills them while readers and the
//! live runner keep using the live tables. The swap is one transaction: lock
//! the projection's checkpoint row (waiting out a live batch), apply what was
//! appended meanwhile, replace the live rows with the shadow rows, and set the
//! checkpoint. Readers see the old read model until the commit and the new one
//! after; a live runner notices the moved checkpoint and continues from it.

use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Acquire, Postgres, Sqlite};
use veritrail_event_store::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

use crate::runtime::{Projection, RunnerError, Tx};

mod copy;
pub(crate) mod staged;
pub(crate) mod staged_sqlite;
pub(crate) use copy::{write_rows, Cell};

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    pub projection: &'static str,
    pub events: u64,
    pub elapsed: Duration,
}

impl RebuildReport {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl std::fmt::Display for RebuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rebuilt {}: {} events in {:.2} s ({:.0} events/s)",
            self.projection,
            self.events,
            self.elapsed.as_secs_f64(),
            self.events_per_second()
        )
    }
}

enum Conn {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

impl Conn {
    async fn execute(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            Conn::Postgres(c) => sqlx::query(sql).execute(&mut **c).await.map(|_| ()),
            Conn::Sqlite(c) => sqlx::query(sql).execute(&mut **c).await.map(|_| ()),
        }
    }

    async fn begin(&mut self) -> Result<Tx<'_>, sqlx::Error> {
        Ok(match self {
            Conn::Postgres(c) => Tx::Postgres(c.begin().await?),
            Conn::Sqlite(c) => Tx::Sqlite(c.begin().await?),
        })
    }
}

/// Creates the TEMP shadow of `table` on this connection.
async fn shadow(conn: &mut Conn, table: &str) -> Result<(), sqlx::Error> {
    match conn {
        Conn::Postgres(_) => {
            conn.execute(&format!("DROP TABLE IF EXISTS pg_temp.{table}"))
                .await?;
            conn.execute(&format!(
                "CREATE TEMP TABLE {table} (LIKE public.{table} INCLUDING ALL)"
            ))
            .await
        }
        Conn::Sqlite(c) => {
            let body = staged_sqlite::table_body(&mut **c, table).await?;
            conn.execute(&format!("DROP TABLE IF EXISTS temp.{table}"))
                .await?;
            conn.execute(&format!("CREATE TEMP TABLE {table} ({body}"))
                .await
        }
    }
}

async fn apply_batch<P: Projection>(
    conn: &mut Conn,
    projection: &P,
    events: &[RecordedEvent],
) -> Result<(), RunnerError> {
    let mut tx = conn.begin().await?;
    if let Err(error) = projection.apply_batch(&mut tx, events).await {
        tx.rollback().await?;
        return Err(RunnerError::Apply {
            projection: projection.name(),
            at: format!(
                "{}..={}",
                events
                    .first()
                    .map(|e| e.global.to_string())
                    .unwrap_or_default(),
                events
                    .last()
                    .map(|e| e.global.to_string())
                    .unwrap_or_default()
            ),
            reason: error.to_string(),
        });
    }
    tx.commit().await?;
    Ok(())
}

/// Rebuilds `projection` from the whole log and swaps it in; `progress` is
/// called with the number of events applied so far.
pub async fn rebuild<P: Projection>(
    db: &EventDatabase,
    projection: P,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<RebuildReport, RunnerError> {
    let started = Instant::now();
    let mut conn = prepare(db, &projection).await?;
    let mut cursor = GlobalPosition::START;
    let mut applied: u64 = 0;
    loop {
        let events = db.read_all(cursor, batch_size).await?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        apply_batch(&mut conn, &projection, &events).await?;
        applied += events.len() as u64;
        progress(applied);
    }
    let applied = swap(
        conn,
        db,
        &projection,
        batch_size,
        cursor,
        applied,
        &mut progress,
    )
    .await?;
    Ok(RebuildReport {
        projection: projection.name(),
        events: applied,
        elapsed: started.elapsed(),
    })
}

/// A dedicated connection with `projection`'s shadow tables.
async fn prepare<P: Projection>(db: &EventDatabase, projection: &P) -> Result<Conn, RunnerError> {
    let mut conn = match db {
        EventDatabase::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        EventDatabase::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
    };
    for table in projection.tables() {
        shadow(&mut conn, table).await?;
    }
    Ok(conn)
}

/// The swap: with the checkpoint row locked, applies what was appended
/// after `cursor`, replaces the live rows with the shadow's, and sets the
/// checkpoint; returns the events applied in all.
async fn swap<P: Projection>(
    mut conn: Conn,
    db: &EventDatabase,
    projection: &P,
    batch_size: u32,
    mut cursor: GlobalPosition,
    mut applied: u64,
    progress: &mut impl FnMut(u64),
) -> Result<u64, RunnerError> {
    let name = projection.name();
    let (main, temp) = match conn {
        Conn::Postgres(_) => ("public", "pg_temp"),
        Conn::Sqlite(_) => ("main", "temp"),
    };
    let mut tx = conn.begin().await?;
    lock_checkpoint(&mut tx, name).await?;
    loop {
        let events = db.read_all(cursor, batch_size).await?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        projection
            .apply_batch(&mut tx, &events)
            .await
            .map_err(|e| RunnerError::Apply {
                projection: name,
                at: cursor.to_string(),
                reason: e.to_string(),
            })?;
        applied += events.len() as u64;
        progress(applied);
    }
    for table in projection.tables() {
        crate::run!(&mut tx, sqlx::query(&format!("DELETE FROM {main}.{table}")))?;
        crate::run!(
            &mut tx,
            sqlx::query(&format!(
                "INSERT INTO {main}.{table} SELECT * FROM {temp}.{table}"
            ))
        )?;
    }
    set_checkpoint(&mut tx, name, cursor, applied).await?;
    tx.commit().await?;
    for table in projection.tables() {
        conn.execute(&format!("DROP TABLE IF EXISTS {temp}.{table}"))
            .await?;
    }
    Ok(applied)
}

/// Sends the log's batches in order until its end (or the receiver goes).
pub(crate) async fn read_ahead(
    db: EventDatabase,
    batch_size: u32,
    sender: tokio::sync::mpsc::Sender<Result<Vec<RecordedEvent>, StoreError>>,
) {
    let mut cursor = GlobalPosition::START;
    loop {
        let events = db.read_all(cursor, batch_size).await;
        let next = match &events {
            Ok(events) => events.last().map(|e| e.global),
            Err(_) => None,
        };
        if sender.send(events).await.is_err() {
            return;
        }
        match next {
            Some(last) => cursor = last,
            None => return,
        }
    }
}

/// Creates `name`'s checkpoint row if needed and locks it for the
/// transaction (a live runner's batch waits until the swap commits).
pub(crate) async fn lock_checkpoint(tx: &mut Tx<'_>, name: &str) -> Result<(), sqlx::Error> {
    let insert = "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING";
    let lock = "UPDATE projection_checkpoints SET name = name WHERE name = $1";
    crate::run!(&mut *tx, sqlx::query(insert).bind(name))?;
    crate::run!(&mut *tx, sqlx::query(lock).bind(name))?;
    Ok(())
}

/// Sets `name`'s checkpoint after a rebuild that applied `applied` events.
pub(crate) async fn set_checkpoint(
    tx: &mut Tx<'_>,
    name: &str,
    cursor: GlobalPosition,
    applied: u64,
) -> Result<(), sqlx::Error> {
    let transaction = i64::try_from(cursor.transaction).unwrap_or(i64::MAX);
    let applied = i64::try_from(applied).unwrap_or(i64::MAX);
    crate::run!(
        &mut *tx,
        sqlx::query(
            "UPDATE projection_checkpoints SET last_tx = $2, last_position = $3, events_applied = $4
             WHERE name = $1"
        )
        .bind(name)
        .bind(transaction)
        .bind(cursor.position)
        .bind(applied)
    )?;
    Ok(())
}
