//! Rebuilding the audit log in bulk (issue 17). Each event is one row, so
//! on PostgreSQL the rows are copied into a staged table as the log is read
//! (a reader task ahead), its indexes are built once, and the swap
//! transaction — holding the checkpoint row — copies what was appended
//! meanwhile and swaps the table in (`rebuild::staged`). SQLite stages the
//! same way, and builds the indexes in the swap (`rebuild::staged_sqlite`).

use std::time::Instant;

use veritrail_event_store::{EventDatabase, GlobalPosition, RecordedEvent};

use super::{cells, COLUMNS, NAME};
use crate::rebuild::staged::{build_indexes, stage, swap_in, Staged};
use crate::rebuild::staged_sqlite::{self, SqliteStaged};
use crate::rebuild::{lock_checkpoint, read_ahead, set_checkpoint, write_rows, RebuildReport};
use crate::runtime::{RunnerError, Tx};

/// The staged audit table of either backend.
enum Staging {
    Postgres(Staged),
    Sqlite(SqliteStaged),
}

impl Staging {
    fn name(&self) -> String {
        match self {
            Staging::Postgres(s) => s.name(),
            Staging::Sqlite(s) => s.name(),
        }
    }
}

/// Rebuilds `audit_log` from the whole log, reading `batch_size` events at
/// a time; `progress` is called with the number of events read so far.
pub async fn rebuild_bulk(
    db: &EventDatabase,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<RebuildReport, RunnerError> {
    let started = Instant::now();
    let staged = match db {
        EventDatabase::Postgres(pool) => Staging::Postgres(stage(pool, NAME).await?),
        EventDatabase::Sqlite(pool) => Staging::Sqlite(staged_sqlite::stage(pool, NAME).await?),
    };
    let table = staged.name();
    let (mut cursor, mut applied) = (GlobalPosition::START, 0_u64);
    let (sender, mut batches) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(read_ahead(db.clone(), batch_size, sender));
    // PostgreSQL copies in one transaction; SQLite commits every batch, so
    // its single writer lets commands in between.
    let per_batch = matches!(staged, Staging::Sqlite(_));
    let mut open: Option<Tx<'_>> = None;
    while let Some(events) = batches.recv().await {
        let events = events?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        let tx = match open.as_mut() {
            Some(tx) => tx,
            None => open.insert(Tx::begin(db).await?),
        };
        copy(tx, &table, &events).await?;
        if per_batch {
            if let Some(tx) = open.take() {
                tx.commit().await?;
            }
        }
        applied += events.len() as u64;
        progress(applied);
    }
    reader.abort();
    if let Some(tx) = open.take() {
        tx.commit().await?;
    }
    if let (EventDatabase::Postgres(pool), Staging::Postgres(staged)) = (db, &staged) {
        build_indexes(pool, staged).await?;
    }
    let mut tx = Tx::begin(db).await?;
    lock_checkpoint(&mut tx, NAME).await?;
    loop {
        let events = db.read_all(cursor, batch_size).await?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        copy(&mut tx, &table, &events).await?;
        applied += events.len() as u64;
        progress(applied);
    }
    match &staged {
        Staging::Postgres(staged) => swap_in(&mut tx, staged).await?,
        Staging::Sqlite(staged) => staged_sqlite::swap_in(&mut tx, staged).await?,
    }
    set_checkpoint(&mut tx, NAME, cursor, applied).await?;
    tx.commit().await?;
    Ok(RebuildReport {
        projection: NAME,
        events: applied,
        elapsed: started.elapsed(),
    })
}

async fn copy(tx: &mut Tx<'_>, table: &str, events: &[RecordedEvent]) -> Result<(), RunnerError> {
    write_rows(tx, table, &COLUMNS, events.iter().map(cells)).await?;
    Ok(())
}
