//! Issue 17: the bulk rebuilds keep what is appended while they run. On
//! PostgreSQL they load staged tables while the live ones serve, then the
//! swap transaction folds (case status) or copies (audit log) the events
//! appended meanwhile — rewriting the cases they touch — and swaps the
//! tables in; on SQLite one transaction replaces the rows. Cases are written
//! throughout two rebuilds of each model; afterwards the live runners carry
//! on from the rebuilds' checkpoints, and the result equals a replay of the
//! whole log.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use veritrail_event_store::{Backend, EventDatabase};
use veritrail_projections::audit_log::{self, AuditLogProjection};
use veritrail_projections::case_status::{rebuild_bulk, CaseStatusProjection};
use veritrail_projections::rebuild::rebuild;
use veritrail_projections::Runner;
use veritrail_tests::TestDb;

use super::crash_rebuild::{dump, varied_life};
use super::{fast, log, take_over};

veritrail_tests::both_backends!(writes_during_bulk_rebuilds_reach_the_rebuilt_models);

async fn audit_positions(db: &EventDatabase) -> Vec<(i64, i64)> {
    let sql = "SELECT global_tx, global_position FROM audit_log ORDER BY 1, 2";
    match db {
        EventDatabase::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        EventDatabase::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("audit rows")
}

async fn writes_during_bulk_rebuilds_reach_the_rebuilt_models(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = Arc::new(test.service());
    for n in 0..8 {
        varied_life(&service, n).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (service, stop) = (service.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 100;
            while !stop.load(Ordering::SeqCst) {
                varied_life(&service, n).await;
                n += 1;
            }
            n - 100
        })
    };
    for _ in 0..2 {
        rebuild_bulk(&test.db, 5, |_| {})
            .await
            .expect("bulk rebuild of case_status");
        audit_log::rebuild_bulk(&test.db, 5, |_| {})
            .await
            .expect("bulk rebuild of audit_log");
    }
    stop.store(true, Ordering::SeqCst);
    let written = writer.await.expect("writer");
    assert!(written > 0, "cases were written during the rebuilds");

    // The live runners carry on from where the rebuilds left their checkpoints.
    take_over(&Runner::new(CaseStatusProjection, test.db.clone(), fast())).await;
    take_over(&Runner::new(AuditLogProjection, test.db.clone(), fast())).await;
    let live = dump(&test.db).await;
    let audited = audit_positions(&test.db).await;

    let mut expected: Vec<(i64, i64)> = log(&test.db)
        .await
        .iter()
        .map(|e| {
            let tx = i64::try_from(e.global.transaction).expect("fits");
            (tx, e.global.position)
        })
        .collect();
    expected.sort_unstable();
    assert_eq!(audited, expected, "every event audited once");
    rebuild(&test.db, CaseStatusProjection, 500, |_| {})
        .await
        .expect("replay rebuild");
    assert_eq!(live, dump(&test.db).await, "equal to a replay of the log");
}
