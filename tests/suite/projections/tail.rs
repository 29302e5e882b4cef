//! ADR 0018: runners sharing one log tail, some wanting only a few event
//! types, still apply every event they want exactly once — under
//! concurrent writers, with a window smaller than the log (runners behind
//! it read the database), and their checkpoints reach the end of the log
//! although most of what the picky one read opened no transaction.

use std::time::Duration;

use veritrail_event_store::subscription::LogTail;
use veritrail_event_store::{Backend, RecordedEvent};
use veritrail_projections::{run, Projection, ProjectionError, Runner, Tx};
use veritrail_tests::TestDb;

use super::{
    assert_each_applied_once, create_positions_table, create_recorder_table, fast, log, rows,
    scalar, wait_for_checkpoint, write_concurrently, Recorder,
};

veritrail_tests::both_backends!(
    runners_sharing_a_tail_apply_what_they_want_once,
    a_runner_behind_a_small_window_reads_the_database,
);

/// Records only `DataSubmitted` events, in `test_picky`.
#[derive(Clone, Copy)]
struct Picky;

impl Projection for Picky {
    fn name(&self) -> &'static str {
        "test_picky"
    }

    fn tables(&self) -> &'static [&'static str] {
        &["test_picky"]
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        event.event_type == "DataSubmitted"
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        assert!(self.wants(event), "given an event it does not want");
        run!(
            tx,
            sqlx::query("INSERT INTO test_picky (position) VALUES ($1)")
                .bind(event.global.position)
        )?;
        Ok(())
    }
}

fn recorder() -> Recorder {
    Recorder {
        fail_on_position: None,
        pause: None,
    }
}

async fn runners_sharing_a_tail_apply_what_they_want_once(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    create_positions_table(&test.db, "test_picky").await;
    let tail = LogTail::new(test.db.clone(), 64, Duration::from_millis(10));
    let tasks = vec![
        tokio::spawn(tail.clone().run()),
        tokio::spawn(
            Runner::new(recorder(), test.db.clone(), fast())
                .with_tail(Some(tail.clone()))
                .run(),
        ),
        tokio::spawn(
            Runner::new(Picky, test.db.clone(), fast())
                .with_tail(Some(tail.clone()))
                .run(),
        ),
    ];
    write_concurrently(&test, 0, 4, 5).await;
    let events = log(&test.db).await;
    let head = events.last().expect("events").global;
    wait_for_checkpoint(&test.db, "test_recorder", head).await;
    // The picky runner writes its progress over unwanted events with its
    // next renewal, at most a third of a lease later.
    wait_for_checkpoint(&test.db, "test_picky", head).await;
    for task in tasks {
        task.abort();
    }
    assert_each_applied_once(&test.db, &events, None).await;
    let submitted: Vec<i64> = events
        .iter()
        .filter(|e| e.event_type == "DataSubmitted")
        .map(|e| e.global.position)
        .collect();
    assert_eq!(submitted.len(), 20, "one submission per case");
    let mut picked = rows(
        &test.db,
        "SELECT CAST(position AS TEXT), COUNT(*) FROM test_picky GROUP BY position",
    )
    .await;
    picked.sort();
    let mut expected: Vec<(String, i64)> = submitted.iter().map(|p| (p.to_string(), 1)).collect();
    expected.sort();
    assert_eq!(picked, expected, "each submission once, nothing else");
    let total = i64::try_from(events.len()).expect("fits");
    assert_eq!(
        scalar(
            &test.db,
            "SELECT events_applied FROM projection_checkpoints WHERE name = 'test_picky'"
        )
        .await,
        total,
        "skipped events are counted as handled"
    );
}

async fn a_runner_behind_a_small_window_reads_the_database(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    create_positions_table(&test.db, "test_picky").await;
    write_concurrently(&test, 0, 2, 4).await;
    // A window of 5 events: the picky runner moves it to the end of the
    // log; the recorder, starting from the beginning, is behind it.
    let tail = LogTail::new(test.db.clone(), 5, Duration::from_millis(10));
    let picky = Runner::new(Picky, test.db.clone(), fast()).with_tail(Some(tail.clone()));
    picky.catch_up().await.expect("picky catches up");
    let events = log(&test.db).await;
    let head = events.last().expect("events").global;
    assert_eq!(picky.checkpoint().await.expect("checkpoint"), head);
    let all = Runner::new(recorder(), test.db.clone(), fast()).with_tail(Some(tail.clone()));
    all.catch_up().await.expect("recorder catches up");
    assert_eq!(all.checkpoint().await.expect("checkpoint"), head);
    // More events arrive after both are at the end: the window serves them.
    write_concurrently(&test, 50_000, 2, 1).await;
    all.catch_up().await.expect("recorder catches up again");
    picky.catch_up().await.expect("picky catches up again");
    let events = log(&test.db).await;
    assert_each_applied_once(&test.db, &events, None).await;
    let picked = scalar(&test.db, "SELECT COUNT(*) FROM test_picky").await;
    assert_eq!(picked, 10, "one submission per case");
}
