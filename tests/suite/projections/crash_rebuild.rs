//! Issue 17, item 6: the case-status runner dies in the middle of a batch
//! (its transaction hanging, then gone); another runner takes the
//! projection over, and the read model it leaves is, row for row in every
//! table, the one a rebuild from scratch makes — replaying the live
//! projection's statements, and folding the log in memory and writing it
//! in bulk — on a log with every kind of change the read model shows.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use veritrail_application::cases::CaseService;
use veritrail_domain::case::{CaseAction, CheckKind, CheckResult, Decision, Outcome, Score};
use veritrail_domain::{ActorId, Comment, Currency, EntityId, Hint, Money, Reason};
use veritrail_event_store::{Backend, EventDatabase, RecordedEvent};
use veritrail_projections::case_status::{rebuild_bulk, CaseStatusProjection};
use veritrail_projections::rebuild::rebuild;
use veritrail_projections::{Projection, ProjectionError, Runner, Tx};
use veritrail_tests::fixtures::{individual, officer, open_request, org, submission};
use veritrail_tests::TestDb;

use super::{fast, log, take_over, write_concurrently};

veritrail_tests::both_backends!(a_batch_applied_after_a_crash_equals_a_rebuild);

/// The case-status projection that hangs forever on its `hang_at`-th event.
struct Crashing {
    seen: Arc<AtomicUsize>,
    hang_at: usize,
}

impl Projection for Crashing {
    fn name(&self) -> &'static str {
        CaseStatusProjection.name()
    }

    fn tables(&self) -> &'static [&'static str] {
        CaseStatusProjection.tables()
    }

    fn wants(&self, event: &RecordedEvent) -> bool {
        CaseStatusProjection.wants(event)
    }

    async fn apply(&self, tx: &mut Tx<'_>, event: &RecordedEvent) -> Result<(), ProjectionError> {
        CaseStatusProjection.apply(tx, event).await?;
        if self.seen.fetch_add(1, Ordering::SeqCst) + 1 == self.hang_at {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

/// Every row of every case-status table, as text, sorted.
pub(super) async fn dump(db: &EventDatabase) -> Vec<String> {
    let mut all = Vec::new();
    for table in CaseStatusProjection.tables() {
        let rows: Vec<(String,)> = match db {
            EventDatabase::Postgres(pool) => {
                sqlx::query_as(&format!(
                    "SELECT CAST(row_to_json(t) AS TEXT) AS r FROM {table} t ORDER BY r"
                ))
                .fetch_all(pool)
                .await
            }
            EventDatabase::Sqlite(pool) => {
                let columns: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(pool)
                        .await
                        .expect("columns");
                let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
                sqlx::query_as(&format!(
                    "SELECT json_array({}) AS r FROM {table} ORDER BY r",
                    columns.join(", ")
                ))
                .fetch_all(pool)
                .await
            }
        }
        .expect("dump");
        all.extend(rows.into_iter().map(|(r,)| format!("{table} {r}")));
    }
    all
}

/// Case `n` goes through one of four lives: completed with amounts (the
/// money totals), asked to act then resubmitted, assigned and linked to a
/// second entity; failed and retried; cancelled.
pub(super) async fn varied_life(service: &CaseService, n: usize) {
    let id = service
        .get_or_open(&org("acme"), open_request(&format!("var-{n}")))
        .await
        .expect("open")
        .case_id;
    let vo = officer("acme");
    let act = |actor, action| async move {
        service.execute(&actor, id, action).await.expect("command");
    };
    if n % 4 == 3 {
        let reason = Reason::parse("withdrawn").expect("valid");
        return act(vo, CaseAction::Cancel { reason }).await;
    }
    let mut data = submission();
    let aud = Currency::parse("AUD").expect("currency");
    let amount = format!("{}.50", 1000 + n).parse().expect("decimal");
    data.requested_amount = Some(Money::new(amount, aud).expect("money"));
    act(individual("acme"), CaseAction::SubmitData(data)).await;
    let document = CheckKind::Document;
    match n % 4 {
        0 => {
            for check in [CheckKind::Document, CheckKind::Liveness] {
                act(vo.clone(), CaseAction::StartCheck { check }).await;
                let result = CheckResult::Verified {
                    score: Score::new(95),
                };
                act(vo.clone(), CaseAction::RecordCheckResult { check, result }).await;
            }
            let outcome = Outcome::Pass;
            act(vo, CaseAction::Decide(Decision::Complete { outcome })).await;
        }
        1 => {
            let hint = Hint::parse("retake the photo").expect("valid");
            let respond_within = time::Duration::days(2);
            let ask = CaseAction::RequestAction {
                check: document,
                hint,
                respond_within,
            };
            act(vo.clone(), ask).await;
            let again = CaseAction::Resubmit {
                check: document,
                evidence: Vec::new(),
            };
            act(individual("acme"), again).await;
            let reviewer = ActorId::parse("vo-7").expect("valid");
            act(vo.clone(), CaseAction::AssignReviewer { reviewer }).await;
            let entities = vec![EntityId::parse("company-2").expect("valid")];
            act(vo, CaseAction::LinkEntities { entities }).await;
        }
        _ => {
            act(vo.clone(), CaseAction::StartCheck { check: document }).await;
            let result = CheckResult::Failed {
                reason: Reason::parse("blurred").expect("valid"),
                score: Score::new(20),
            };
            let record = CaseAction::RecordCheckResult {
                check: document,
                result,
            };
            act(vo.clone(), record).await;
            act(vo.clone(), CaseAction::RetryCheck { check: document }).await;
            let comment = Comment::parse("seen in person").expect("valid");
            let bypass = CaseAction::BypassCheck {
                check: CheckKind::Liveness,
                comment,
            };
            act(vo, bypass).await;
        }
    }
}

async fn a_batch_applied_after_a_crash_equals_a_rebuild(backend: Backend) {
    let test = TestDb::new(backend).await;
    write_concurrently(&test, 0, 3, 4).await;
    let service = test.service();
    for n in 0..12 {
        varied_life(&service, n).await;
    }
    let events = log(&test.db).await;
    assert!(events.len() > 40, "a log of several batches");

    // Batches of 7: two commit, the third hangs on its third event.
    let seen = Arc::new(AtomicUsize::new(0));
    let crashing = Runner::new(
        Crashing {
            seen: seen.clone(),
            hang_at: 17,
        },
        test.db.clone(),
        fast(),
    )
    .with_owner("crashing");
    let dead = tokio::spawn(async move {
        loop {
            let _ = crashing.step().await;
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.load(Ordering::SeqCst) < 17 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never reached the hang"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    dead.abort();
    let _ = dead.await;

    // The survivor takes over once the lease runs out, and catches up.
    let survivor = Runner::new(CaseStatusProjection, test.db.clone(), fast());
    take_over(&survivor).await;
    assert_eq!(
        survivor.checkpoint().await.expect("checkpoint"),
        events.last().expect("events").global
    );
    let live = dump(&test.db).await;
    assert!(live.len() > 12, "cases and checks projected");

    let money = live
        .iter()
        .filter(|r| r.starts_with("dashboard_money"))
        .count();
    assert!(money > 0, "completed cases' amounts are totalled");

    rebuild(&test.db, CaseStatusProjection, 500, |_| {})
        .await
        .expect("rebuild");
    assert_eq!(live, dump(&test.db).await, "live equals a replay");
    rebuild_bulk(&test.db, 500, |_| {})
        .await
        .expect("bulk rebuild");
    assert_eq!(live, dump(&test.db).await, "live equals a bulk rebuild");
}
