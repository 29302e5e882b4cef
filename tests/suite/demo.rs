//! `veritrail demo` loads cases at every stage, idempotently.

use veritrail_event_store::Backend;
use veritrail_tests::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_covers_every_status_and_loads_once() {
    let test = TestDb::new(Backend::Sqlite).await;
    let summary = veritrail::demo::load(test.db.clone()).await.expect("demo");
    for status in ["PENDING_ORG", "PENDING_ADMIN", "COMPLETED", "FAILED"] {
        assert!(summary.contains(status), "{status} in\n{summary}");
    }
    assert_eq!(summary.matches("acme-hr").count(), 6 + 1, "{summary}");
    let events = test
        .db
        .read_all(veritrail_event_store::GlobalPosition::START, 100_000)
        .await
        .expect("read");
    assert!(events.iter().any(|e| e.event_type == "CaseCancelled"));
    assert!(events
        .iter()
        .any(|e| e.event_type == "CheckActionRequested"));

    // Running it again adds nothing.
    veritrail::demo::load(test.db.clone())
        .await
        .expect("demo again");
    let again = test
        .db
        .read_all(veritrail_event_store::GlobalPosition::START, 100_000)
        .await
        .expect("read");
    let extra: Vec<_> = again[events.len().min(again.len())..]
        .iter()
        .map(|e| (&e.aggregate_id, &e.event_type))
        .collect();
    assert_eq!(again.len(), events.len(), "{extra:?}");
}
