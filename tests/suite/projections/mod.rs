//! READ-5: durable subscriptions never skip or double-apply an event — under
//! concurrent writers, with competing runners, after a crash mid-batch — and a
//! poisoned event is parked without blocking.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use veritrail_application::cases::CaseService;
use veritrail_domain::case::{CaseAction, CheckKind, CheckResult, Decision, Score};
use veritrail_domain::Reason;
use veritrail_event_store::{Backend, EventDatabase, GlobalPosition, RecordedEvent};
use veritrail_projections::audit_log::AuditLogProjection;
use veritrail_projections::case_status::CaseStatusProjection;
use veritrail_projections::{run, Projection, ProjectionError, Runner, RunnerConfig, Tx};
use veritrail_tests::fixtures::{individual, officer, open_request, org, submission};
use veritrail_tests::{TestDb, SETTLE};

mod crash_rebuild;
mod during_rebuild;
mod runners;
mod tail;

veritrail_tests::both_backends!(projections_converge_under_concurrent_writers);

fn fast() -> RunnerConfig {
    RunnerConfig {
        batch_size: 7,
        lease: Duration::from_millis(400),
        poll_interval: Duration::from_millis(10),
        max_attempts: 3,
        backoff: Duration::from_millis(5),
    }
}

/// Drives one case through a realistic life; returns nothing, appends 3–8 events.
async fn life_of_a_case(service: &CaseService, n: usize) {
    let opened = service
        .get_or_open(&org("acme"), open_request(&format!("emp-{n}")))
        .await
        .expect("open");
    let id = opened.case_id;
    service
        .execute(
            &individual("acme"),
            id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("submit");
    let vo = officer("acme");
    service
        .execute(
            &vo,
            id,
            CaseAction::StartCheck {
                check: CheckKind::Document,
            },
        )
        .await
        .expect("start");
    let result = if n.is_multiple_of(3) {
        CheckResult::Failed {
            reason: Reason::parse("blurred").expect("valid"),
            score: Score::new(10),
        }
    } else {
        CheckResult::Verified {
            score: Score::new(90),
        }
    };
    service
        .execute(
            &vo,
            id,
            CaseAction::RecordCheckResult {
                check: CheckKind::Document,
                result,
            },
        )
        .await
        .expect("record");
    if n.is_multiple_of(2) {
        service
            .execute(
                &vo,
                id,
                CaseAction::Decide(Decision::Fail {
                    reason: Reason::parse("not eligible").expect("valid"),
                }),
            )
            .await
            .expect("fail");
    }
}

async fn write_concurrently(test: &TestDb, base: usize, writers: usize, cases_each: usize) {
    let service = Arc::new(test.service());
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let service = service.clone();
            tokio::spawn(async move {
                for i in 0..cases_each {
                    life_of_a_case(&service, base + w * 1000 + i).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
}

async fn log(db: &EventDatabase) -> Vec<RecordedEvent> {
    db.settle(SETTLE).await.expect("settle");
    db.read_all(GlobalPosition::START, 1_000_000)
        .await
        .expect("read")
}

async fn scalar(db: &EventDatabase, sql: &str) -> i64 {
    match db {
        EventDatabase::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
        EventDatabase::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql),
    }
}

async fn rows(db: &EventDatabase, sql: &str) -> Vec<(String, i64)> {
    match db {
        EventDatabase::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.expect(sql),
        EventDatabase::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.expect(sql),
    }
}

/// Waits until `name`'s checkpoint reaches the end of the log.
async fn wait_for_checkpoint(db: &EventDatabase, name: &str, head: GlobalPosition) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let at: Vec<(i64, i64)> = match db {
            EventDatabase::Postgres(pool) => sqlx::query_as(
                "SELECT last_tx, last_position FROM projection_checkpoints WHERE name = $1",
            )
            .bind(name)
            .fetch_all(pool)
            .await
            .expect("checkpoint"),
            EventDatabase::Sqlite(pool) => sqlx::query_as(
                "SELECT last_tx, last_position FROM projection_checkpoints WHERE name = $1",
            )
            .bind(name)
            .fetch_all(pool)
            .await
            .expect("checkpoint"),
        };
        if at
            .first()
            .is_some_and(|(t, p)| (*t as u64, *p) >= (head.transaction, head.position))
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{name} never caught up"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn projections_converge_under_concurrent_writers(backend: Backend) {
    let test = TestDb::new(backend).await;
    // Runners consume while the writers write.
    let runners = vec![
        tokio::spawn(Runner::new(CaseStatusProjection, test.db.clone(), fast()).run()),
        tokio::spawn(Runner::new(AuditLogProjection, test.db.clone(), fast()).run()),
    ];
    write_concurrently(&test, 0, 6, 8).await;
    let events = log(&test.db).await;
    let head = events.last().expect("events").global;
    wait_for_checkpoint(&test.db, "case_status", head).await;
    wait_for_checkpoint(&test.db, "audit_log", head).await;
    for runner in runners {
        runner.abort();
    }

    // Audit log: exactly the events, once each (count, per-stream counts, checksum).
    let total = i64::try_from(events.len()).expect("fits");
    assert_eq!(
        scalar(&test.db, "SELECT COUNT(*) FROM audit_log").await,
        total
    );
    let checksum: i64 = events.iter().map(|e| e.global.position).sum();
    assert_eq!(
        scalar(
            &test.db,
            "SELECT CAST(COALESCE(SUM(global_position), 0) AS BIGINT) FROM audit_log"
        )
        .await,
        checksum
    );
    let mut per_stream: HashMap<String, i64> = HashMap::new();
    for e in &events {
        *per_stream.entry(e.aggregate_id.clone()).or_default() += 1;
    }
    let counted: HashMap<String, i64> = rows(
        &test.db,
        "SELECT aggregate_id, COUNT(*) FROM audit_log GROUP BY aggregate_id",
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(counted, per_stream);
    assert_eq!(
        scalar(
            &test.db,
            "SELECT events_applied FROM projection_checkpoints WHERE name = 'audit_log'"
        )
        .await,
        total,
        "every event applied exactly once"
    );

    // Case status equals a from-scratch replay of every case stream.
    let service = test.service();
    let case_rows = rows(&test.db, "SELECT case_id, version FROM case_status").await;
    assert_eq!(case_rows.len(), 48);
    for (case_id, version) in case_rows {
        let (case, stream_version) = service
            .load(&org("acme"), case_id.parse().expect("uuid"))
            .await
            .expect("load");
        assert_eq!(
            version,
            i64::try_from(stream_version).expect("fits"),
            "{case_id}"
        );
        let status: Vec<(String, i64)> = rows(
            &test.db,
            &format!("SELECT status, version FROM case_status WHERE case_id = '{case_id}'"),
        )
        .await;
        assert_eq!(status[0].0, case.status().expect("opened").as_str());
        let checks: Vec<(String, i64)> = rows(
            &test.db,
            &format!("SELECT state, attempt FROM case_checks WHERE case_id = '{case_id}' ORDER BY position"),
        )
        .await;
        let opened = case.opened().expect("opened");
        let expected: Vec<(String, i64)> = [CheckKind::Document, CheckKind::Liveness]
            .iter()
            .map(|k| {
                (
                    opened.checks[k].state.as_str().to_owned(),
                    i64::from(opened.checks[k].attempt),
                )
            })
            .collect();
        assert_eq!(checks, expected, "{case_id}");
    }
}

/// Records every event it sees in `test_applied` (no key: duplicates would show).
#[derive(Clone)]
struct Recorder {
    fail_on_position: Option<i64>,
    pause: Option<Arc<AtomicBool>>,
}

impl Projection for Recorder {
    fn name(&self) -> &'static str {
        "test_recorder"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["test_applied"]
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        if self.fail_on_position == Some(event.global.position) {
            return Err(ProjectionError::Other("poisoned event".into()));
        }
        run!(
            tx,
            sqlx::query("INSERT INTO test_applied (position) VALUES ($1)")
                .bind(event.global.position)
        )?;
        if let Some(pause) = &self.pause {
            // Hang inside the transaction, as a crash mid-batch would leave it.
            while pause.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        Ok(())
    }
}

async fn create_recorder_table(db: &EventDatabase) {
    create_positions_table(db, "test_applied").await;
}

/// A table of applied positions (no key: duplicates would show).
async fn create_positions_table(db: &EventDatabase, name: &str) {
    let sql = format!("CREATE TABLE {name} (position BIGINT NOT NULL)");
    let sql = sql.as_str();
    match db {
        EventDatabase::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        EventDatabase::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .expect("create test table");
}

async fn assert_each_applied_once(
    db: &EventDatabase,
    events: &[RecordedEvent],
    except: Option<i64>,
) {
    let applied = rows(
        db,
        "SELECT CAST(position AS TEXT), COUNT(*) FROM test_applied GROUP BY position",
    )
    .await;
    let duplicates: Vec<_> = applied.iter().filter(|(_, n)| *n > 1).collect();
    assert!(duplicates.is_empty(), "applied twice: {duplicates:?}");
    let expected: usize = events
        .iter()
        .filter(|e| Some(e.global.position) != except)
        .count();
    assert_eq!(applied.len(), expected, "every event applied");
}

/// Catches `survivor` up once the lease of the runner it replaces has run
/// out (within 10 s).
async fn take_over<P: Projection>(survivor: &Runner<P>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match survivor.catch_up().await {
            Ok(_) => return,
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(error) => panic!("never took over: {error}"),
        }
    }
}
