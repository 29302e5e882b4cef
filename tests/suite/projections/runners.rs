//! Competing runners, a runner killed mid-batch, a poisoned event parked,
//! a restarted instance resuming its own lease.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use veritrail_event_store::Backend;
use veritrail_projections::runtime::Step;
use veritrail_projections::{Runner, RunnerConfig};
use veritrail_tests::TestDb;

use super::{
    assert_each_applied_once, create_recorder_table, fast, log, rows, scalar, take_over,
    wait_for_checkpoint, write_concurrently, Recorder,
};

veritrail_tests::both_backends!(
    two_runners_never_both_apply_an_event,
    a_runner_killed_mid_batch_resumes_without_loss_or_duplication,
    a_failing_event_is_parked_and_does_not_block_the_projection,
    a_restarted_instance_resumes_its_projection_at_once,
);

async fn two_runners_never_both_apply_an_event(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    let recorder = Recorder {
        fail_on_position: None,
        pause: None,
    };
    let a = tokio::spawn(Runner::new(recorder.clone(), test.db.clone(), fast()).run());
    let b = tokio::spawn(Runner::new(recorder.clone(), test.db.clone(), fast()).run());
    write_concurrently(&test, 0, 4, 4).await;
    // Kill whichever runs; the other takes over when the lease runs out.
    a.abort();
    write_concurrently(&test, 100_000, 2, 2).await;
    let events = log(&test.db).await;
    wait_for_checkpoint(
        &test.db,
        "test_recorder",
        events.last().expect("events").global,
    )
    .await;
    b.abort();
    assert_each_applied_once(&test.db, &events, None).await;
}

async fn a_runner_killed_mid_batch_resumes_without_loss_or_duplication(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    write_concurrently(&test, 0, 2, 3).await;
    let events = log(&test.db).await;

    // The first runner hangs inside its first batch's transaction; kill it there.
    let pause = Arc::new(AtomicBool::new(true));
    let runner = Runner::new(
        Recorder {
            fail_on_position: None,
            pause: Some(pause.clone()),
        },
        test.db.clone(),
        fast(),
    );
    let killed = tokio::spawn(async move { runner.step().await.map(|_| ()) });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        scalar(&test.db, "SELECT COUNT(*) FROM test_applied").await,
        0,
        "nothing committed mid-batch"
    );
    killed.abort();
    let _ = killed.await;
    pause.store(false, Ordering::SeqCst);

    // A new runner takes over once the dead one's lease expires and resumes.
    let survivor = Runner::new(
        Recorder {
            fail_on_position: None,
            pause: None,
        },
        test.db.clone(),
        fast(),
    );
    take_over(&survivor).await;
    assert_each_applied_once(&test.db, &events, None).await;
    assert_eq!(
        survivor.checkpoint().await.expect("checkpoint"),
        events.last().expect("events").global
    );
}

async fn a_failing_event_is_parked_and_does_not_block_the_projection(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    write_concurrently(&test, 0, 1, 3).await;
    let events = log(&test.db).await;
    let poisoned = events[4].global.position;
    let runner = Runner::new(
        Recorder {
            fail_on_position: Some(poisoned),
            pause: None,
        },
        test.db.clone(),
        fast(),
    );
    runner
        .catch_up()
        .await
        .expect("catch up despite the poisoned event");
    assert_each_applied_once(&test.db, &events, Some(poisoned)).await;
    let parked = rows(
        &test.db,
        "SELECT error, attempts FROM projection_dead_letters WHERE projection = 'test_recorder'",
    )
    .await;
    assert_eq!(parked, vec![("poisoned event".to_owned(), 3)]);
    assert_eq!(
        runner.checkpoint().await.expect("checkpoint"),
        events.last().expect("events").global
    );
    assert_eq!(runner.step().await.expect("step"), Step::Applied(0));
}

async fn a_restarted_instance_resumes_its_projection_at_once(backend: Backend) {
    let test = TestDb::new(backend).await;
    create_recorder_table(&test.db).await;
    write_concurrently(&test, 0, 1, 2).await;
    let events = log(&test.db).await;
    let recorder = || Recorder {
        fail_on_position: None,
        pause: None,
    };
    // A long lease: only recognising its own name lets the new process in.
    let config = RunnerConfig {
        lease: Duration::from_secs(600),
        ..fast()
    };
    let before = Runner::new(recorder(), test.db.clone(), config.clone()).with_owner("host-a");
    assert!(matches!(before.step().await.expect("step"), Step::Applied(n) if n > 0));
    drop(before); // killed: its lease stands for ten minutes
    let other = Runner::new(recorder(), test.db.clone(), config.clone()).with_owner("host-b");
    assert_eq!(other.step().await.expect("step"), Step::NotOwner);
    let restarted = Runner::new(recorder(), test.db.clone(), config).with_owner("host-a");
    restarted.catch_up().await.expect("resumes at once");
    assert_each_applied_once(&test.db, &events, None).await;
}
