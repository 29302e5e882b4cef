//! CASE-6: at most one active case per (tenant, subject); create is get-or-open.

use std::sync::Arc;

use cqrs_es::Aggregate;
use tokio::sync::Barrier;
use veritrail_application::cases::Recreation;
use veritrail_domain::case::{CaseAction, CaseStatus, RestartTrigger, VerificationCase};
use veritrail_domain::subject::SubjectCases;
use veritrail_domain::{Comment, Reason};
use veritrail_event_store::{Backend, GlobalPosition};
use veritrail_tests::fixtures::{officer, open_request, org};
use veritrail_tests::{TestDb, SETTLE};

veritrail_tests::both_backends!(
    twenty_concurrent_creates_for_one_subject_yield_exactly_one_case,
    a_finished_case_frees_the_subject_for_a_new_one,
    cancel_and_recreate_links_the_new_case_to_the_old,
    subjects_are_counted_per_tenant,
);

async fn count_events(test: &TestDb, event_type: &str) -> usize {
    test.db.settle(SETTLE).await.expect("settle");
    test.db
        .read_all(GlobalPosition::START, 10_000)
        .await
        .expect("read")
        .iter()
        .filter(|e| e.event_type == event_type)
        .count()
}

async fn twenty_concurrent_creates_for_one_subject_yield_exactly_one_case(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = Arc::new(test.service());
    let barrier = Arc::new(Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (service, barrier) = (service.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                service
                    .get_or_open(&org("acme"), open_request("emp-contended"))
                    .await
                    .expect("get or open")
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    let case_id = results[0].case_id;
    assert!(results.iter().all(|r| r.case_id == case_id), "{results:?}");
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
    assert_eq!(count_events(&test, "CaseOpened").await, 1);
    assert_eq!(count_events(&test, "CaseAssigned").await, 1);
    let stream = test
        .db
        .read_stream(VerificationCase::TYPE, &case_id.to_string())
        .await
        .expect("stream");
    assert_eq!(stream.len(), 1);
}

async fn a_finished_case_frees_the_subject_for_a_new_one(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let first = service
        .get_or_open(&org("acme"), open_request("emp-7"))
        .await
        .expect("open");
    let again = service
        .get_or_open(&org("acme"), open_request("emp-7"))
        .await
        .expect("get");
    assert_eq!((again.case_id, again.created), (first.case_id, false));

    service
        .execute(
            &officer("acme"),
            first.case_id,
            CaseAction::Decide(veritrail_domain::case::Decision::Fail {
                reason: Reason::parse("document forged").expect("valid"),
            }),
        )
        .await
        .expect("fail the case");
    let second = service
        .get_or_open(&org("acme"), open_request("emp-7"))
        .await
        .expect("open again");
    assert!(second.created);
    assert_ne!(second.case_id, first.case_id);

    let registry_events = test
        .db
        .read_stream(SubjectCases::TYPE, "acme/emp-7")
        .await
        .expect("registry stream");
    assert_eq!(registry_events.len(), 2);
    assert_eq!(
        registry_events[1].payload["CaseAssigned"]["previous"],
        serde_json::json!(first.case_id.to_string())
    );
}

async fn cancel_and_recreate_links_the_new_case_to_the_old(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let vo = officer("acme");
    let first = service
        .get_or_open(&org("acme"), open_request("emp-9"))
        .await
        .expect("open");
    let recreated = service
        .cancel_and_recreate(
            &vo,
            first.case_id,
            Recreation {
                reason: Reason::parse("individual abandoned the flow").expect("valid"),
                trigger: RestartTrigger::PreviousAbandoned,
                comment: Some(Comment::parse("second chance agreed with HR").expect("valid")),
                expected: None,
                invitation: None,
            },
        )
        .await
        .expect("recreate");
    assert_eq!(recreated.cancelled, first.case_id);
    assert_ne!(recreated.replacement, first.case_id);

    let (old, _) = service.load(&vo, first.case_id).await.expect("old");
    let old = old.opened().expect("opened").clone();
    assert_eq!(old.status, CaseStatus::Cancelled);
    assert_eq!(old.replaced_by, Some(recreated.replacement));

    let (new, _) = service.load(&vo, recreated.replacement).await.expect("new");
    let new = new.opened().expect("opened").clone();
    assert_eq!(new.status, CaseStatus::PendingOrg);
    let restart = new.restart.expect("restart context");
    assert_eq!(restart.previous_case, first.case_id);
    assert_eq!(restart.trigger, RestartTrigger::PreviousAbandoned);
    assert!(
        restart.previous_attempt_abandoned,
        "nothing was ever submitted"
    );
    assert_eq!(new.subject, old.subject);
    assert_eq!(new.entities, old.entities);

    // The replacement is now the subject's active case.
    let current = service
        .get_or_open(&org("acme"), open_request("emp-9"))
        .await
        .expect("get");
    assert_eq!(
        (current.case_id, current.created),
        (recreated.replacement, false)
    );
}

async fn subjects_are_counted_per_tenant(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let a = service
        .get_or_open(&org("acme"), open_request("emp-1"))
        .await
        .expect("acme");
    let b = service
        .get_or_open(&org("globex"), open_request("emp-1"))
        .await
        .expect("globex");
    assert!(a.created && b.created);
    assert_ne!(a.case_id, b.case_id);
}
