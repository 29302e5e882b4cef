//! Issue 17, item 6: the case-status runner dies in the middle of a batch
//! (its transaction hanging, then gone); another runner takes the
//! projection over, and the read model it leaves is, row for row in every
//! table, the one a rebuild from scratch makes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use veritrail_event_store::{Backend, EventDatabase, RecordedEvent};
use veritrail_projections::case_status::CaseStatusProjection;
use veritrail_projections::rebuild::rebuild;
use veritrail_projections::{Projection, ProjectionError, Runner, Tx};
use veritrail_tests::TestDb;

use super::{fast, log, take_over, write_concurrently};

veritrail_tests::both_backends!(a_batch_applied_after_a_crash_equals_a_rebuild);

/// The case-status projection that hangs forever on its `hang_at`-th event.
struct Crashing {
    seen: Arc<AtomicUsize>,
    hang_at: usize,
}

impl Projection for Crashing {
    fn name(&self) -> &'static str {
        CaseStatusProjection.name()
    }

    fn tables(&self) -> &'static [&'static str] {
        CaseStatusProjection.tables()
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        CaseStatusProjection.wants(event)
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        CaseStatusProjection.apply(tx, event).await?;
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.hang_at {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

/// Every row of every case-status table, as text, sorted.
async fn dump(db: &EventDatabase) -> Vec<String> {
    let mut all = Vec::new();
    for table in CaseStatusProjection.tables() {
        let rows: Vec<(String,)> = match db {
            EventDatabase::Postgres(pool) => {
                sqlx::query_as(&format!(
                    "SELECT CAST(row_to_json(t) AS TEXT) AS r FROM {table} t ORDER BY r"
                ))
                .fetch_all(pool)
                .await
            }
            EventDatabase::Sqlite(pool) => {
                let columns: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(pool)
                        .await
                        .expect("columns");
                let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
                sqlx::query_as(&format!(
                    "SELECT json_array({}) AS r FROM {table} ORDER BY r",
                    columns.join(", ")
                ))
                .fetch_all(pool)
                .await
            }
        }
        .expect("dump");
        all.extend(rows.into_iter().map(|(r,)| format!("{table} {r}")));
    }
    all
}

async fn a_batch_applied_after_a_crash_equals_a_rebuild(backend: Backend) {
    let test = TestDb::new(backend).await;
    write_concurrently(&test, 0, 3, 4).await;
    let events = log(&test.db).await;
    assert!(events.len() > 40, "a log of several batches");

    // Batches of 7: two commit, the third hangs on its third event.
    let seen = Arc::new(AtomicUsize::new(0));
    let crashing = Runner::new(
        Crashing {
            seen: seen.clone(),
            hang_at: 17,
        },
        test.db.clone(),
        fast(),
    )
    .with_owner("crashing");
    let dead = tokio::spawn(async move {
        loop {
            let _ = crashing.step().await;
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.load(Ordering::SeqCst) < 17 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached the hang"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    dead.abort();
    let _ = dead.await;

    // The survivor takes over once the lease runs out, and catches up.
    let survivor = Runner::new(CaseStatusProjection, test.db.clone(), fast());
    take_over(&survivor).await;
    assert_eq!(
        survivor.checkpoint().await.expect("checkpoint"),
        events.last().expect("events").global
    );
    let live = dump(&test.db).await;
    assert!(live.len() > 12, "cases and checks projected");

    rebuild(&test.db, CaseStatusProjection, 500, |_| {})
        .await
        .expect("rebuild");
    let rebuilt = dump(&test.db).await;
    assert_eq!(live, rebuilt, "the live read model equals a rebuild");
}
