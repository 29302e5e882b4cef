//! Rebuilding the case-status read model in bulk (issue 17, ADR 0019 and
//! 0020): the whole log is folded in memory (`fold`) — the next batch read
//! while the last one folds. On PostgreSQL the rows are then copied into
//! staged tables and indexed there while the live tables serve; on SQLite
//! they replace the live rows in one transaction. Either way the
//! transaction that makes them live holds the projection's checkpoint row,
//! folds the events appended meanwhile, and sets the checkpoint: readers
//! see the old read model until its commit and the new one after, and the
//! live runner waits on the checkpoint row and carries on from the new one.

use std::collections::BTreeSet;
use std::time::Instant;

use sqlx::PgPool;
use veritrail_event_store::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

use super::fold::Folded;
use super::rows::{CASE_COLUMNS, CHECK_COLUMNS};
use super::{CaseStatusProjection, NAME};
use crate::rebuild::staged::{build_indexes, delete_cases, stage, swap_in, Staged};
use crate::rebuild::{
    lock_checkpoint, read_ahead, set_checkpoint, write_rows, Cell, RebuildReport,
};
use crate::runtime::{Projection, RunnerError, Tx};

/// The case tables; `dashboard_money` (a few rows per tenant) is rewritten
/// in the swap transaction.
const CASE_TABLES: [&str; 3] = ["case_status", "case_checks", "case_entities"];

/// Rebuilds `case_status` from the whole log, reading `batch_size` events
/// at a time; `progress` is called with the number of events read so far.
pub async fn rebuild_bulk(
    db: &EventDatabase,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<RebuildReport, RunnerError> {
    let started = Instant::now();
    let mut log = FoldedLog::default();
    // A reader task runs ahead (two batches at most) while this one folds.
    let (sender, mut batches) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(read_ahead(db.clone(), batch_size, sender));
    while let Some(events) = batches.recv().await {
        let events = events?;
        if events.is_empty() {
            break;
        }
        log.fold(&events)?;
        progress(log.applied);
    }
    reader.abort();
    let applied = match db {
        EventDatabase::Postgres(pool) => swap_staged(db, pool, log, batch_size, progress).await?,
        EventDatabase::Sqlite(_) => replace_in_place(db, log, batch_size, progress).await?,
    };
    Ok(RebuildReport {
        projection: NAME,
        events: applied,
        elapsed: started.elapsed(),
    })
}

/// PostgreSQL: the case tables are loaded and indexed as staged tables
/// while the live ones serve; the swap transaction folds what was appended
/// meanwhile, rewrites the cases it touched, and swaps the tables in.
async fn swap_staged(
    db: &EventDatabase,
    pool: &PgPool,
    mut log: FoldedLog,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<u64, RunnerError> {
    let mut staged = Vec::new();
    for table in CASE_TABLES {
        staged.push(stage(pool, table).await?);
    }
    let names: Vec<String> = staged.iter().map(Staged::name).collect();
    let mut tx = Tx::begin(db).await?;
    write_cases(&mut tx, &names, &log.folded, None).await?;
    tx.commit().await?;
    // The three tables' indexes are built side by side.
    tokio::try_join!(
        build_indexes(pool, &staged[0]),
        build_indexes(pool, &staged[1]),
        build_indexes(pool, &staged[2]),
    )?;
    let mut tx = Tx::begin(db).await?;
    lock_checkpoint(&mut tx, NAME).await?;
    let touched = log.fold_tail(db, batch_size, &mut progress).await?;
    if !touched.is_empty() {
        let ids: Vec<String> = touched.iter().cloned().collect();
        for name in &names {
            delete_cases(&mut tx, name, &ids).await?;
        }
        write_cases(&mut tx, &names, &log.folded, Some(&touched)).await?;
    }
    for table in &staged {
        swap_in(&mut tx, table).await?;
    }
    crate::run!(&mut tx, sqlx::query("DELETE FROM dashboard_money"))?;
    write_money(&mut tx, &log.folded).await?;
    set_checkpoint(&mut tx, NAME, log.cursor, log.applied).await?;
    tx.commit().await?;
    Ok(log.applied)
}

/// SQLite: one transaction holding the checkpoint row folds the tail and
/// replaces the live rows.
async fn replace_in_place(
    db: &EventDatabase,
    mut log: FoldedLog,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<u64, RunnerError> {
    let mut tx = Tx::begin(db).await?;
    lock_checkpoint(&mut tx, NAME).await?;
    log.fold_tail(db, batch_size, &mut progress).await?;
    for table in CaseStatusProjection.tables() {
        crate::run!(&mut tx, sqlx::query(&format!("DELETE FROM {table}")))?;
    }
    let names = CASE_TABLES.map(str::to_owned);
    write_cases(&mut tx, &names, &log.folded, None).await?;
    write_money(&mut tx, &log.folded).await?;
    set_checkpoint(&mut tx, NAME, log.cursor, log.applied).await?;
    tx.commit().await?;
    Ok(log.applied)
}

/// The log folded so far: the model, where it stopped, how many events.
struct FoldedLog {
    folded: Folded,
    cursor: GlobalPosition,
    applied: u64,
}

impl Default for FoldedLog {
    fn default() -> Self {
        Self {
            folded: Folded::default(),
            cursor: GlobalPosition::START,
            applied: 0,
        }
    }
}

impl FoldedLog {
    fn fold(&mut self, events: &[RecordedEvent]) -> Result<(), RunnerError> {
        for event in events {
            self.folded.apply(event).map_err(|e| RunnerError::Apply {
                projection: NAME,
                at: event.global.to_string(),
                reason: e.to_string(),
            })?;
        }
        if let Some(last) = events.last() {
            self.cursor = last.global;
        }
        self.applied += events.len() as u64;
        Ok(())
    }

    /// Folds everything appended after the cursor; returns the cases it
    /// touched.
    async fn fold_tail(
        &mut self,
        db: &EventDatabase,
        batch_size: u32,
        progress: &mut impl FnMut(u64),
    ) -> Result<BTreeSet<String>, RunnerError> {
        let mut touched = BTreeSet::new();
        loop {
            let events = db.read_all(self.cursor, batch_size).await?;
            if events.is_empty() {
                return Ok(touched);
            }
            touched.extend(
                events
                    .iter()
                    .filter(|e| e.aggregate_type == "VerificationCase")
                    .map(|e| e.aggregate_id.clone()),
            );
            self.fold(&events)?;
            progress(self.applied);
        }
    }
}

/// Writes the case rows (of the `only` cases, or all) into `tables`
/// (`case_status`, `case_checks`, `case_entities` or their staged copies).
async fn write_cases(
    tx: &mut Tx<'_>,
    tables: &[String],
    folded: &Folded,
    only: Option<&BTreeSet<String>>,
) -> Result<(), StoreError> {
    let wanted = |id: &String| only.is_none_or(|only| only.contains(id));
    let mut checks: Vec<Vec<Cell>> = Vec::new();
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(folded.cases.len());
    for (id, case) in folded.cases.iter().filter(|(id, _)| wanted(id)) {
        checks.extend(case.checks.iter().map(|c| c.clone().cells(id)));
        rows.push(case.case.clone().cells());
    }
    write_rows(tx, &tables[0], &CASE_COLUMNS, rows).await?;
    write_rows(tx, &tables[1], &CHECK_COLUMNS, checks).await?;
    let entities = folded
        .entities
        .iter()
        .filter(|((_, _, case), _)| wanted(case))
        .map(|((t, e, c), opened)| {
            vec![
                t.clone().into(),
                e.clone().into(),
                c.clone().into(),
                (*opened).into(),
            ]
        });
    let columns = ["tenant_id", "entity_id", "case_id", "opened_at_ms"];
    write_rows(tx, &tables[2], &columns, entities).await?;
    Ok(())
}

/// Writes the tenants' money totals into the (emptied) `dashboard_money`.
async fn write_money(tx: &mut Tx<'_>, folded: &Folded) -> Result<(), StoreError> {
    let money = folded
        .money
        .iter()
        .map(|((tenant, metric, currency), (n, total))| {
            vec![
                tenant.clone().into(),
                (*metric).into(),
                currency.clone().into(),
                (*n).into(),
                total.to_string().into(),
            ]
        });
    let columns = ["tenant_id", "metric", "currency", "cases", "total"];
    write_rows(tx, "dashboard_money", &columns, money).await?;
    Ok(())
}
