//! Rebuilding the case-status read model in bulk (issue 17): the whole log
//! is folded in memory (`fold`) — the next batch read while the last one
//! folds — then, in one transaction holding the projection's checkpoint
//! row, the events appended meanwhile are folded too, the live rows are
//! replaced by the folded ones (COPY on PostgreSQL, multi-row INSERTs on
//! SQLite) and the checkpoint is set. Readers see the old read model until
//! the commit and the new one after, as with the shadow-table rebuild; the
//! live runner waits on the checkpoint row and carries on from the new one.

use std::time::Instant;

use veritrail_event_store::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

use super::fold::Folded;
use super::rows::{CASE_COLUMNS, CHECK_COLUMNS};
use super::{CaseStatusProjection, NAME};
use crate::rebuild::{lock_checkpoint, set_checkpoint, write_rows, Cell, RebuildReport};
use crate::runtime::{Projection, RunnerError, Tx};

/// Rebuilds `case_status` from the whole log, reading `batch_size` events
/// at a time; `progress` is called with the number of events read so far.
pub async fn rebuild_bulk(
    db: &EventDatabase,
    batch_size: u32,
    mut progress: impl FnMut(u64),
) -> Result<RebuildReport, RunnerError> {
    let started = Instant::now();
    let mut folded = Folded::default();
    let mut cursor = GlobalPosition::START;
    let mut applied: u64 = 0;
    // A reader task runs ahead (two batches at most) while this one folds.
    let (sender, mut batches) = tokio::sync::mpsc::channel(2);
    let reader = tokio::spawn(read_ahead(db.clone(), batch_size, sender));
    while let Some(events) = batches.recv().await {
        let events = events?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        fold(&mut folded, &events)?;
        applied += events.len() as u64;
        progress(applied);
    }
    reader.abort();
    let mut tx = Tx::begin(db).await?;
    lock_checkpoint(&mut tx, NAME).await?;
    loop {
        let events = db.read_all(cursor, batch_size).await?;
        let Some(last) = events.last() else { break };
        cursor = last.global;
        fold(&mut folded, &events)?;
        applied += events.len() as u64;
        progress(applied);
    }
    for table in CaseStatusProjection.tables() {
        crate::run!(&mut tx, sqlx::query(&format!("DELETE FROM {table}")))?;
    }
    write(&mut tx, folded).await?;
    set_checkpoint(&mut tx, NAME, cursor, applied).await?;
    tx.commit().await?;
    Ok(RebuildReport {
        projection: NAME,
        events: applied,
        elapsed: started.elapsed(),
    })
}

/// Sends the log's batches in order until its end (or the receiver goes).
async fn read_ahead(
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

fn fold(folded: &mut Folded, events: &[RecordedEvent]) -> Result<(), RunnerError> {
    for event in events {
        folded.apply(event).map_err(|e| RunnerError::Apply {
            projection: NAME,
            at: event.global.to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(())
}

/// Writes the folded read model into its (emptied) tables.
async fn write(tx: &mut Tx<'_>, folded: Folded) -> Result<(), StoreError> {
    let Folded {
        cases,
        entities,
        money,
    } = folded;
    let mut checks: Vec<Vec<Cell>> = Vec::new();
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(cases.len());
    for (id, case) in cases {
        checks.extend(case.checks.into_iter().map(|c| c.cells(&id)));
        rows.push(case.case.cells());
    }
    write_rows(tx, "case_status", &CASE_COLUMNS, rows).await?;
    write_rows(tx, "case_checks", &CHECK_COLUMNS, checks).await?;
    let entities = entities
        .into_iter()
        .map(|((t, e, c), opened)| vec![t.into(), e.into(), c.into(), opened.into()]);
    let columns = ["tenant_id", "entity_id", "case_id", "opened_at_ms"];
    write_rows(tx, "case_entities", &columns, entities).await?;
    let money = money
        .into_iter()
        .map(|((tenant, metric, currency), (n, total))| {
            let total = total.to_string();
            vec![
                tenant.into(),
                metric.into(),
                currency.into(),
                n.into(),
                total.into(),
            ]
        });
    let columns = ["tenant_id", "metric", "currency", "cases", "total"];
    write_rows(tx, "dashboard_money", &columns, money).await?;
    Ok(())
}
