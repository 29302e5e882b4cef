//! Opening a case is one transaction (issue 12 item 4, ADR 0010): assigning
//! the subject, opening the case and issuing its invitation — and, for a
//! recreation, cancelling the case it replaces — are recorded together or
//! not at all. A fault is injected in the database between each pair of
//! steps (a trigger failing the insert of the next step's event, inside the
//! transaction); every time, nothing is recorded, the subject is not left
//! holding a case that does not exist, and the retry opens exactly once.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use veritrail_event_store::{Backend, EventDatabase, RecordedEvent};
use veritrail_tests::{spawn_app, As, TestApp};

veritrail_tests::both_backends!(
    a_fault_between_any_two_steps_of_opening_records_nothing,
    a_fault_between_any_two_steps_of_recreating_records_nothing,
);

/// A trigger that fails the insert of any event whose type is listed in
/// `injected_faults`, inside the writing transaction. The list is data, so
/// every connection sees each change at once.
async fn install_faults(db: &EventDatabase) {
    let statements: &[&str] = match db {
        EventDatabase::Postgres(_) => &[
            "CREATE TABLE injected_faults (event_type text NOT NULL)",
            "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
               IF EXISTS (SELECT 1 FROM injected_faults WHERE event_type = NEW.event_type) THEN
                 RAISE EXCEPTION 'injected fault before %', NEW.event_type;
               END IF;
               RETURN NEW;
             END $$",
            "CREATE TRIGGER injected_fault BEFORE INSERT ON events FOR EACH ROW
             EXECUTE FUNCTION injected_fault()",
        ],
        EventDatabase::Sqlite(_) => &[
            "CREATE TABLE injected_faults (event_type TEXT NOT NULL)",
            "CREATE TRIGGER injected_fault BEFORE INSERT ON events
             WHEN NEW.event_type IN (SELECT event_type FROM injected_faults)
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
        ],
    };
    for sql in statements {
        run(db, sql, None).await;
    }
}

/// Fails every insert of an `event_type` event from now on (`None`: no fault).
async fn fail_before(db: &EventDatabase, event_type: Option<&str>) {
    run(db, "DELETE FROM injected_faults", None).await;
    if let Some(kind) = event_type {
        run(
            db,
            "INSERT INTO injected_faults (event_type) VALUES ($1)",
            Some(kind),
        )
        .await;
    }
}

async fn run(db: &EventDatabase, sql: &str, bind: Option<&str>) {
    match db {
        EventDatabase::Postgres(pool) => {
            let query = sqlx::query(sql);
            let query = match bind {
                Some(value) => query.bind(value.to_owned()),
                None => query,
            };
            query.execute(pool).await.map(|_| ())
        }
        EventDatabase::Sqlite(pool) => {
            let query = sqlx::query(sql);
            let query = match bind {
                Some(value) => query.bind(value.to_owned()),
                None => query,
            };
            query.execute(pool).await.map(|_| ())
        }
    }
    .expect(sql);
}

fn count(events: &[RecordedEvent], kind: &str) -> usize {
    events.iter().filter(|e| e.event_type == kind).count()
}

async fn post(app: &TestApp, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .request(Method::POST, path, As::org("acme"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("send");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

/// The invitation shown in `answer` is the one recorded for its case.
fn assert_invitation_recorded(events: &[RecordedEvent], answer: &Value) {
    let token = answer["invitation"]["token"].as_str().expect("token");
    let secret = token.split_once('.').expect("id.secret").1;
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    let recorded = events
        .iter()
        .filter(|e| e.event_type == "InvitationIssued")
        .filter(|e| e.payload["InvitationIssued"]["token_hash"] == hash.as_str())
        .collect::<Vec<_>>();
    assert_eq!(recorded.len(), 1, "the shown token is recorded once");
    assert_eq!(
        recorded[0].payload["InvitationIssued"]["case_id"],
        answer["id"]
    );
}

async fn a_fault_between_any_two_steps_of_opening_records_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.test_db.db.clone();
    install_faults(&db).await;
    let body = json!({"subject": {"id": "EMP-atomic"}, "requested_checks": ["bankruptcy"]});
    // The steps are CaseAssigned, CaseOpened, InvitationIssued: fail the second, then the third.
    for (round, step) in ["CaseOpened", "InvitationIssued"].iter().enumerate() {
        fail_before(&db, Some(step)).await;
        let (status, error) = post(&app, "/verifications", &format!("open-{round}"), &body).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{error}");
        assert_eq!(error["error"]["code"], "internal_error", "{error}");
        assert!(
            app.all_events().await.is_empty(),
            "fault before {step}: nothing recorded"
        );
        fail_before(&db, None).await;
    }
    let (status, case) = post(&app, "/verifications", "open-0", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let events = app.all_events().await;
    assert_eq!(count(&events, "CaseAssigned"), 1);
    assert_eq!(count(&events, "CaseOpened"), 1);
    assert_eq!(count(&events, "InvitationIssued"), 1);
    assert_invitation_recorded(&events, &case);
    // One transaction: the three share one commit (same transaction id on PostgreSQL).
    let first = events[0].global.transaction;
    assert!(events.iter().all(|e| e.global.transaction == first));
    // The subject holds exactly that case.
    let (status, again) = post(&app, "/verifications", "open-again", &body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], case["id"]);
    assert!(
        again["invitation"].is_null(),
        "no invitation for an existing case"
    );
    assert_eq!(app.all_events().await.len(), events.len());
}

async fn a_fault_between_any_two_steps_of_recreating_records_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.test_db.db.clone();
    install_faults(&db).await;
    let body = json!({"subject": {"id": "EMP-atomic-2"}, "requested_checks": ["bankruptcy"]});
    let (status, old) = post(&app, "/verifications", "first", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!(
        "/verifications/{}/recreate",
        old["id"].as_str().expect("id")
    );
    let recreate = json!({"reason": "wrong person invited", "trigger": "organisation_request"});
    let before = app.all_events().await;
    // The steps are CaseCancelled, CaseAssigned, CaseOpened, InvitationIssued.
    for (round, step) in ["CaseAssigned", "CaseOpened", "InvitationIssued"]
        .iter()
        .enumerate()
    {
        fail_before(&db, Some(step)).await;
        let (status, error) = post(&app, &path, &format!("recreate-{round}"), &recreate).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{error}");
        assert_eq!(
            app.all_events().await.len(),
            before.len(),
            "fault before {step}"
        );
        fail_before(&db, None).await;
    }
    let (status, new) = post(&app, &path, "recreate-0", &recreate).await;
    assert_eq!(status, StatusCode::CREATED, "{new}");
    assert_ne!(new["id"], old["id"]);
    assert_eq!(new["restart"]["previous_case"], old["id"]);
    let events = app.all_events().await;
    let added = &events[before.len()..];
    let kinds: Vec<_> = added.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "CaseCancelled",
            "CaseAssigned",
            "CaseOpened",
            "InvitationIssued"
        ]
    );
    assert!(added
        .iter()
        .all(|e| e.global.transaction == added[0].global.transaction));
    assert_invitation_recorded(&events, &new);
    // The replayed retry answers the same replacement without recording more.
    let (status, replayed) = post(&app, &path, "recreate-0", &recreate).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(replayed["id"], new["id"]);
    assert_eq!(app.all_events().await.len(), events.len());
}

/// A recreation whose transaction committed before its process died: the
/// retry answers the same replacement with a fresh invitation, and records
/// no second cancellation or case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recreation_committed_before_the_crash_is_answered_not_repeated() {
    use crate::crash_recovery::{abandoned_key, fingerprint, send};
    let app = spawn_app(Backend::Postgres).await;
    let body = json!({"subject": {"id": "EMP-atomic-3"}, "requested_checks": ["bankruptcy"]});
    let (_, old) = post(&app, "/verifications", "first", &body).await;
    let path = format!(
        "/verifications/{}/recreate",
        old["id"].as_str().expect("id")
    );
    let recreate = serde_json::to_vec(
        &json!({"reason": "wrong person invited", "trigger": "organisation_request"}),
    )
    .expect("json");
    let interrupted = uuid::Uuid::now_v7();
    let first = send(
        &app,
        Method::POST,
        &path,
        As::org("acme"),
        ("X-Request-Id", &interrupted.to_string()),
        &recreate,
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let new: Value = first.json().await.expect("json");
    let hash = fingerprint("POST", &path, &recreate);
    abandoned_key(&app, "org-client", "re-1", &hash, interrupted, "killed").await;
    let before = app.all_events().await;

    let retry = send(
        &app,
        Method::POST,
        &path,
        As::org("acme"),
        ("Idempotency-Key", "re-1"),
        &recreate,
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    let answer: Value = retry.json().await.expect("json");
    assert_eq!(answer["id"], new["id"], "the same replacement");
    let after = app.all_events().await;
    let added: Vec<_> = after[before.len()..]
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(added, ["InvitationIssued"], "only the retry's invitation");
    assert_invitation_recorded(&after, &answer);
}
