//! Rebuild and replay (READ-5, AUD-3): a read model rebuilt from the log while
//! the service runs equals the one the live runner built; readers never see it
//! empty; the live runner carries on after the swap; replay shows each step.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

use veritrail_domain::case::CaseAction;
use veritrail_event_store::{Backend, EventDatabase};
use veritrail_tests::fixtures::{individual, open_request, org, submission};
use veritrail_tests::spawn_app;

type Snapshot = Vec<(String, String, i64, String)>;

async fn snapshot(db: &EventDatabase) -> Snapshot {
    let sql = "SELECT s.case_id || '/' || COALESCE(k.check_kind, ''), s.status, s.version,
                      COALESCE(k.state, '') || ':' || CAST(COALESCE(k.attempt, 0) AS TEXT)
                 FROM case_status s LEFT JOIN case_checks k ON k.case_id = s.case_id
                ORDER BY 1";
    match db {
        EventDatabase::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        EventDatabase::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("snapshot")
}

async fn count(db: &EventDatabase, sql: &str) -> i64 {
    match db {
        EventDatabase::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        EventDatabase::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("count")
}

async fn a_rebuild_swaps_in_an_identical_read_model_without_downtime(backend: Backend) {
    let app = spawn_app(backend).await;
    let service = app.test_db.service();
    for n in 0..30 {
        let opened = service
            .get_or_open(&org("acme"), open_request(&format!("r-{n}")))
            .await
            .expect("open");
        if n % 2 == 0 {
            service
                .execute(
                    &individual("acme"),
                    opened.case_id,
                    CaseAction::SubmitData(submission()),
                )
                .await
                .expect("submit");
        }
    }
    app.wait_for_projections().await;
    let db = app.test_db.db.clone();
    let before = snapshot(&db).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM case_status").await, 30);

    // Readers keep reading during the rebuild.
    let stop = Arc::new(AtomicBool::new(false));
    let lowest = Arc::new(AtomicI64::new(i64::MAX));
    let reader = {
        let (db, stop, lowest) = (db.clone(), stop.clone(), lowest.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let n = count(&db, "SELECT COUNT(*) FROM case_status").await;
                lowest.fetch_min(n, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        })
    };
    let mut seen = Vec::new();
    let report = veritrail_projections::case_status::rebuild_bulk(&db, 7, |n| seen.push(n))
        .await
        .expect("rebuild");
    stop.store(true, Ordering::SeqCst);
    reader.await.expect("reader");
    let events = app.all_events().await.len() as u64;
    assert_eq!(report.events, events);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "progress only grows");
    assert_eq!(
        lowest.load(Ordering::SeqCst),
        30,
        "readers never saw a partial read model"
    );
    assert_eq!(
        snapshot(&db).await,
        before,
        "the rebuilt read model equals the live one"
    );
    assert_eq!(
        count(
            &db,
            "SELECT events_applied FROM projection_checkpoints WHERE name = 'case_status'"
        )
        .await,
        i64::try_from(events).expect("fits")
    );

    // The live runner continues from the swapped checkpoint.
    let later = service
        .get_or_open(&org("acme"), open_request("r-after"))
        .await
        .expect("open");
    service
        .execute(
            &individual("acme"),
            later.case_id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("submit");
    app.wait_for_projections().await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM case_status").await, 31);
    let version = count(
        &db,
        &format!(
            "SELECT version FROM case_status WHERE case_id = '{}'",
            later.case_id
        ),
    )
    .await;
    assert_eq!(version, 2, "applied exactly once after the swap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_prints_each_event_with_the_state_after_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let service = app.test_db.service();
    let opened = service
        .get_or_open(&org("acme"), open_request("replayed"))
        .await
        .expect("open");
    service
        .execute(
            &individual("acme"),
            opened.case_id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("submit");
    let text = veritrail::replay::replay(&app.test_db.db, &opened.case_id.to_string())
        .await
        .expect("replay");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("#1 ") && lines[0].contains("organisation:org-client CaseOpened v1.1")
    );
    assert!(lines[2].contains("PENDING_ORG") && lines[2].contains("document=requested#1"));
    assert!(
        lines[3].starts_with("#2 ") && lines[3].contains("individual:invitation-1 DataSubmitted")
    );
    assert!(
        lines[4].contains("\"date_of_birth\":\"1988-02-29\""),
        "{}",
        lines[4]
    );
    assert!(lines[5].contains("PENDING_ADMIN") && lines[5].contains("document=submitted#1"));
    assert!(veritrail::replay::replay(&app.test_db.db, "no-such-case")
        .await
        .is_err());
}

veritrail_tests::both_backends!(a_rebuild_swaps_in_an_identical_read_model_without_downtime,);
