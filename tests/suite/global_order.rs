//! ADR 0002 on PostgreSQL: a catch-up reader never skips an event whose
//! transaction commits after a later-started one.

use sqlx::PgPool;
use veritrail_event_store::{EventDatabase, GlobalPosition};
use veritrail_tests::{TestDb, SETTLE};

async fn insert(executor: impl sqlx::PgExecutor<'_>, stream: &str) {
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         VALUES ('Probe', $1, 1, 'Probed', '1.0', '{}'::jsonb, '{\"tenant_id\":\"acme\"}'::jsonb)",
    )
    .bind(stream)
    .execute(executor)
    .await
    .expect("insert");
}

fn pool(test: &TestDb) -> &PgPool {
    match &test.db {
        EventDatabase::Postgres(pool) => pool,
        EventDatabase::Sqlite(_) => unreachable!("postgres only"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_committed_late_is_not_skipped_by_a_reader_that_moved_on() {
    let test = TestDb::new(veritrail_event_store::Backend::Postgres).await;
    let pool = pool(&test);

    // A opens first and writes (gets the lower transaction id and position)…
    let mut slow = pool.begin().await.expect("begin A");
    insert(&mut *slow, "a").await;
    // …B writes later and commits first.
    insert(pool, "b").await;

    // A reader polling now must not pass B while A may still commit before it.
    let seen = test
        .db
        .read_all(GlobalPosition::START, 100)
        .await
        .expect("read");
    assert!(
        seen.is_empty(),
        "nothing is safe to read while A is open: {seen:?}"
    );

    slow.commit().await.expect("commit A");
    // Transactions of other tests in the cluster may hold the horizon back too.
    test.db.settle(SETTLE).await.expect("settle");
    let seen = test
        .db
        .read_all(GlobalPosition::START, 100)
        .await
        .expect("read");
    let streams: Vec<_> = seen.iter().map(|e| e.aggregate_id.as_str()).collect();
    assert_eq!(streams, ["a", "b"], "both, A first");

    // Reading on from B's checkpoint finds nothing new and nothing was missed.
    let checkpoint = seen[1].global;
    assert!(test
        .db
        .read_all(checkpoint, 100)
        .await
        .expect("read")
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_following_concurrent_writers_sees_every_event_once() {
    let test = TestDb::new(veritrail_event_store::Backend::Postgres).await;
    let pool = pool(&test).clone();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..50 {
                    let mut tx = pool.begin().await.expect("begin");
                    insert(&mut *tx, &format!("w{w}-{i}")).await;
                    if i % 7 == 0 {
                        tokio::task::yield_now().await;
                    }
                    tx.commit().await.expect("commit");
                }
            })
        })
        .collect();
    let reader = {
        let db = test.db.clone();
        tokio::spawn(async move {
            let mut cursor = GlobalPosition::START;
            let mut seen = Vec::new();
            while seen.len() < 400 {
                let batch = db.read_all(cursor, 37).await.expect("read");
                if let Some(last) = batch.last() {
                    cursor = last.global;
                }
                if batch.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                seen.extend(batch.into_iter().map(|e| e.aggregate_id));
            }
            seen
        })
    };
    for writer in writers {
        writer.await.expect("writer");
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), reader)
        .await
        .expect("reader finishes")
        .expect("reader");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 400, "no event read twice");
    assert_eq!(unique.len(), 400, "no event skipped");
}
