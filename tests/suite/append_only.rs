//! AUD-1: the database itself refuses to change or remove events.

use veritrail_event_store::{Backend, EventDatabase, GlobalPosition};
use veritrail_tests::fixtures::{open_request, org};
use veritrail_tests::{TestDb, SETTLE};

async fn seeded(backend: Backend) -> TestDb {
    let test = TestDb::new(backend).await;
    test.service()
        .get_or_open(&org("acme"), open_request("emp-1"))
        .await
        .expect("open");
    test
}

async fn attempt(db: &EventDatabase, sql: &str) -> Result<u64, String> {
    let result = match db {
        EventDatabase::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        EventDatabase::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    };
    result.map_err(|e| e.to_string())
}

async fn assert_refused(backend: Backend, statements: &[&str]) {
    let test = seeded(backend).await;
    test.db.settle(SETTLE).await.expect("settle");
    let before = test
        .db
        .read_all(GlobalPosition::START, 100)
        .await
        .expect("read");
    assert_eq!(before.len(), 2);
    for sql in statements {
        let error = attempt(&test.db, sql)
            .await
            .expect_err(&format!("{sql} must be refused"));
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    test.db.settle(SETTLE).await.expect("settle");
    let after = test
        .db
        .read_all(GlobalPosition::START, 100)
        .await
        .expect("read");
    assert_eq!(before, after, "events unchanged");
}

#[tokio::test]
async fn postgres_refuses_update_delete_and_truncate_of_events() {
    assert_refused(
        Backend::Postgres,
        &[
            "UPDATE events SET payload = '{}'::jsonb",
            "UPDATE events SET event_version = '9.9' WHERE sequence = 1",
            "DELETE FROM events",
            "DELETE FROM events WHERE sequence = 1",
            "TRUNCATE events",
        ],
    )
    .await;
}

#[tokio::test]
async fn sqlite_refuses_update_and_delete_of_events() {
    assert_refused(
        Backend::Sqlite,
        &[
            "UPDATE events SET payload = '{}'",
            "UPDATE events SET event_version = '9.9' WHERE sequence = 1",
            "DELETE FROM events",
            "DELETE FROM events WHERE sequence = 1",
        ],
    )
    .await;
}
