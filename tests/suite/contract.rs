//! The event-store contract, identical for every backend.

use std::sync::Arc;

use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use cqrs_es::{Aggregate, AggregateError, EventStore as _};
use serde_json::json;
use time::Duration;
use tokio::sync::Barrier;
use veritrail_application::ServiceError;
use veritrail_domain::case::{
    CaseAction, CaseCommand, CaseError, CaseServices, CaseStatus, CheckKind, CheckState,
    VerificationCase,
};
use veritrail_domain::{CaseId, EventMetadata, Hint, Reason};
use veritrail_event_store::{Backend, EventStore, GlobalPosition};
use veritrail_tests::fixtures::{individual, officer, open_request, org, submission};
use veritrail_tests::{TestDb, SETTLE};

veritrail_tests::both_backends!(
    appended_events_load_back_identically_with_their_envelope,
    of_two_concurrent_writers_exactly_one_wins_and_nothing_is_lost,
    the_global_log_is_readable_in_order_from_any_position,
    a_case_with_hundreds_of_events_loads_and_replays,
    old_event_versions_are_upcast_on_load,
    another_tenant_cannot_load_or_change_a_case,
    refused_commands_append_nothing,
);

async fn opened_case(test: &TestDb) -> CaseId {
    test.service()
        .get_or_open(
            &org("acme"),
            open_request(&format!("subj-{}", uuid::Uuid::new_v4())),
        )
        .await
        .expect("open a case")
        .case_id
}

async fn appended_events_load_back_identically_with_their_envelope(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let ctx = org("acme");
    let opened = service
        .get_or_open(&ctx, open_request("emp-42"))
        .await
        .expect("open");
    let submitted = service
        .execute(
            &individual("acme"),
            opened.case_id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("submit");
    assert_eq!(submitted.version, 2);

    let store: EventStore<VerificationCase> = test.db.event_store(vec![]);
    let loaded = store
        .load_events(&opened.case_id.to_string())
        .await
        .expect("load");
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded[0].sequence, 1);
    assert_eq!(loaded[1].sequence, 2);
    assert_eq!(loaded[1].payload, submitted.events[0].payload);
    let meta = EventMetadata::from_map(&loaded[1].metadata).expect("typed metadata");
    assert_eq!(meta.tenant.as_str(), "acme");
    assert_eq!(meta.actor, individual("acme").actor);

    let recorded = test
        .db
        .read_stream(VerificationCase::TYPE, &opened.case_id.to_string())
        .await
        .expect("read stream");
    assert_eq!(recorded.len(), 2);
    assert!(recorded
        .iter()
        .all(|e| e.tenant_id.as_deref() == Some("acme")));
    assert_eq!(recorded[0].event_type, "CaseOpened");
    assert_eq!(recorded[0].event_version, "1.1");
    assert!(recorded[0].global < recorded[1].global);
    assert!(recorded[0].recorded_at <= recorded[1].recorded_at);
    let (case, version) = service.load(&ctx, opened.case_id).await.expect("load case");
    assert_eq!(version, 2);
    assert_eq!(case.status(), Some(CaseStatus::PendingAdmin));
}

async fn of_two_concurrent_writers_exactly_one_wins_and_nothing_is_lost(backend: Backend) {
    let test = TestDb::new(backend).await;
    let store = Arc::new(test.db.event_store::<VerificationCase>(vec![]));
    let services = CaseServices::new(Arc::new(veritrail_application::SystemClock));
    for round in 0..10 {
        let case_id = opened_case(&test).await;
        let barrier = Arc::new(Barrier::new(2));
        let mut writers = Vec::new();
        for writer in 0..2 {
            let (store, barrier, services) = (store.clone(), barrier.clone(), services.clone());
            writers.push(tokio::spawn(async move {
                let ctx = if writer == 0 {
                    org("acme")
                } else {
                    officer("acme")
                };
                // Both load the same version, then both try to append.
                let mut context = store
                    .load_aggregate(&case_id.to_string())
                    .await
                    .expect("load");
                let sink = cqrs_es::event_sink::EventSink::default();
                let comment = format!("round {round} by writer {writer}");
                let command = CaseCommand::new(
                    ctx.tenant.clone(),
                    ctx.actor.clone(),
                    CaseAction::BypassCheck {
                        check: CheckKind::Document,
                        comment: veritrail_domain::Comment::parse(&comment).expect("valid"),
                    },
                );
                cqrs_es::AggregateContext::aggregate(&mut context)
                    .handle(command, &services, &sink)
                    .await
                    .expect("legal command");
                let events = sink.collect().await;
                barrier.wait().await;
                let metadata = ctx.metadata(time::OffsetDateTime::now_utc()).to_map();
                store
                    .commit(events, context, metadata)
                    .await
                    .map(|_| comment)
            }));
        }
        let mut winners = Vec::new();
        let mut conflicts = 0;
        for writer in writers {
            match writer.await.expect("task") {
                Ok(comment) => winners.push(comment),
                Err(AggregateError::AggregateConflict) => conflicts += 1,
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!((winners.len(), conflicts), (1, 1), "round {round}");
        let events = test
            .db
            .read_stream(VerificationCase::TYPE, &case_id.to_string())
            .await
            .expect("stream");
        assert_eq!(
            events.len(),
            2,
            "the opening and the single winner (round {round})"
        );
        assert_eq!(
            events[1].payload["CheckBypassed"]["comment"],
            json!(winners[0]),
            "the stored event is the winner's"
        );
    }

    // And through the service: many writers of one legal command, one wins.
    let case_id = opened_case(&test).await;
    let service = Arc::new(test.service());
    let barrier = Arc::new(Barrier::new(8));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (service, barrier) = (service.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            service
                .execute(
                    &individual("acme"),
                    case_id,
                    CaseAction::SubmitData({
                        let mut s = submission();
                        s.family_name = veritrail_domain::PersonName::parse(&format!("Writer{i}"))
                            .expect("valid");
                        s
                    }),
                )
                .await
        }));
    }
    let mut ok = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => ok += 1,
            Err(ServiceError::Conflict)
            | Err(ServiceError::Refused(CaseError::IllegalTransition { .. })) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
    let events = test
        .db
        .read_stream(VerificationCase::TYPE, &case_id.to_string())
        .await
        .expect("stream");
    assert_eq!(events.len(), 2);
    assert_eq!(
        events.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        vec![1, 2]
    );
}

async fn the_global_log_is_readable_in_order_from_any_position(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = Arc::new(test.service());
    let mut tasks = Vec::new();
    for i in 0..12 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            let opened = service
                .get_or_open(&org("acme"), open_request(&format!("emp-{i}")))
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
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    // 12 subject assignments + 12 openings + 12 submissions.
    test.db.settle(SETTLE).await.expect("settle");
    let mut all = Vec::new();
    let mut cursor = GlobalPosition::START;
    loop {
        let batch = test.db.read_all(cursor, 5).await.expect("read");
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 5);
        cursor = batch.last().expect("non-empty").global;
        all.extend(batch);
    }
    assert_eq!(
        all.len(),
        36,
        "{:?}",
        all.iter()
            .map(|e| (e.global, e.event_type.clone()))
            .collect::<Vec<_>>()
    );
    assert!(all.windows(2).all(|w| w[0].global < w[1].global));
    // Per stream, the global order respects the stream order.
    let mut last_seq = std::collections::HashMap::new();
    for event in &all {
        let last = last_seq.entry(event.aggregate_id.clone()).or_insert(0);
        assert_eq!(event.sequence, *last + 1, "stream {}", event.aggregate_id);
        *last = event.sequence;
    }
    // Reading from the middle returns exactly the tail.
    let middle = all[17].global;
    let tail = test.db.read_all(middle, 1000).await.expect("read tail");
    assert_eq!(tail, all[18..].to_vec());
    assert!(test
        .db
        .read_all(all[35].global, 10)
        .await
        .expect("read end")
        .is_empty());
}

async fn a_case_with_hundreds_of_events_loads_and_replays(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let case_id = opened_case(&test).await;
    let vo = officer("acme");
    service
        .execute(
            &individual("acme"),
            case_id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("submit");
    for _ in 0..100 {
        service
            .execute(
                &vo,
                case_id,
                CaseAction::StartCheck {
                    check: CheckKind::Document,
                },
            )
            .await
            .expect("start");
        service
            .execute(
                &vo,
                case_id,
                CaseAction::RequestAction {
                    check: CheckKind::Document,
                    hint: Hint::parse("retake the photo").expect("valid"),
                    respond_within: Duration::days(1),
                },
            )
            .await
            .expect("request action");
        service
            .execute(
                &individual("acme"),
                case_id,
                CaseAction::Resubmit {
                    check: CheckKind::Document,
                    evidence: submission().evidence,
                },
            )
            .await
            .expect("resubmit");
    }
    let (case, version) = service.load(&vo, case_id).await.expect("load");
    assert_eq!(version, 302);
    let opened = case.opened().expect("opened");
    assert_eq!(
        opened.checks[&CheckKind::Document].state,
        CheckState::Resubmitted
    );
    let recorded = test
        .db
        .read_stream(VerificationCase::TYPE, &case_id.to_string())
        .await
        .expect("stream");
    assert_eq!(recorded.len(), 302);
    assert_eq!(
        recorded.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        (1..=302).collect::<Vec<i64>>()
    );
}

async fn old_event_versions_are_upcast_on_load(backend: Backend) {
    let test = TestDb::new(backend).await;
    let case_id = CaseId::from_uuid(uuid::Uuid::new_v4());
    let ctx = org("acme");
    // A CaseOpened 1.0 as an earlier release wrote it: no entities, no restart.
    let legacy = SerializedEvent::new(
        case_id.to_string(),
        1,
        VerificationCase::TYPE.to_owned(),
        "CaseOpened".to_owned(),
        "1.0".to_owned(),
        json!({"CaseOpened": {
            "case_id": case_id.to_string(),
            "tenant": "acme",
            "subject": {"id": "emp-legacy", "display_name": null},
            "checks": ["document"],
            "opened_at": "2025-01-02T03:04:05Z"
        }}),
        serde_json::to_value(ctx.metadata(time::OffsetDateTime::now_utc()).to_map())
            .expect("metadata"),
    );
    test.db
        .repository()
        .persist::<VerificationCase>(&[legacy], None)
        .await
        .expect("persist legacy event");

    // Without the upcaster the old shape does not deserialise…
    let plain: EventStore<VerificationCase> = test.db.event_store(vec![]);
    assert!(matches!(
        plain.load_events(&case_id.to_string()).await,
        Err(AggregateError::DeserializationError(_))
    ));
    // …with the domain's upcasters it does, and the service can act on it.
    let service = test.service();
    let (case, version) = service.load(&ctx, case_id).await.expect("upcast on load");
    assert_eq!(version, 1);
    let opened = case.opened().expect("opened");
    assert!(opened.entities.is_empty());
    assert!(opened.restart.is_none());
    service
        .execute(
            &individual("acme"),
            case_id,
            CaseAction::SubmitData(submission()),
        )
        .await
        .expect("a legacy case accepts new commands");
    // History is untouched: the stored event is still version 1.0.
    let recorded = test
        .db
        .read_stream(VerificationCase::TYPE, &case_id.to_string())
        .await
        .expect("stream");
    assert_eq!(recorded[0].event_version, "1.0");
    assert_eq!(recorded[1].event_type, "DataSubmitted");
}

async fn another_tenant_cannot_load_or_change_a_case(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let case_id = opened_case(&test).await;
    let intruder = org("globex");
    assert!(matches!(
        service.load(&intruder, case_id).await,
        Err(ServiceError::Refused(CaseError::NotFound))
    ));
    assert!(matches!(
        service
            .execute(
                &intruder,
                case_id,
                CaseAction::Cancel {
                    reason: Reason::parse("hostile").expect("valid")
                }
            )
            .await,
        Err(ServiceError::Refused(CaseError::NotFound))
    ));
    assert_eq!(
        test.db
            .stream_version(VerificationCase::TYPE, &case_id.to_string())
            .await
            .expect("version"),
        1
    );
}

async fn refused_commands_append_nothing(backend: Backend) {
    let test = TestDb::new(backend).await;
    let service = test.service();
    let case_id = opened_case(&test).await;
    test.db.settle(SETTLE).await.expect("settle");
    let before = test
        .db
        .read_all(GlobalPosition::START, 1000)
        .await
        .expect("read");
    let refusals = [
        CaseAction::StartCheck {
            check: CheckKind::Document,
        },
        CaseAction::Decide(veritrail_domain::case::Decision::Complete {
            outcome: veritrail_domain::case::Outcome::Pass,
        }),
        CaseAction::RetryCheck {
            check: CheckKind::FaceMatch,
        },
    ];
    for action in refusals {
        let result = service.execute(&officer("acme"), case_id, action).await;
        assert!(
            matches!(result, Err(ServiceError::Refused(_))),
            "{result:?}"
        );
    }
    let unknown = CaseId::from_uuid(uuid::Uuid::new_v4());
    assert!(matches!(
        service
            .execute(
                &officer("acme"),
                unknown,
                CaseAction::StartCheck {
                    check: CheckKind::Document
                }
            )
            .await,
        Err(ServiceError::Refused(CaseError::NotFound))
    ));
    test.db.settle(SETTLE).await.expect("settle");
    let after = test
        .db
        .read_all(GlobalPosition::START, 1000)
        .await
        .expect("read");
    assert_eq!(before, after);
}
