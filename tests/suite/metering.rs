//! Metering on both backends (the SQL differs: one statement on PostgreSQL,
//! two on SQLite; counters are sharded and summed): usage counts, the quota
//! refusal, and each alert level recorded once even when calls race.

use std::sync::Arc;

use veritrail_application::auth::{NewTenant, TenantService, Vault};
use veritrail_application::metering::{Metering, QuotaError};
use veritrail_application::{RequestContext, SystemClock};
use veritrail_domain::tenant::{Limits, Module, Period};
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};
use veritrail_event_store::Backend;
use veritrail_tests::TestDb;

veritrail_tests::both_backends!(usage_is_counted_refused_at_the_quota_and_alerted_once,);

async fn usage_is_counted_refused_at_the_quota_and_alerted_once(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    let vault = Vault::open(db.clone(), None).await.expect("vault");
    let tenants = Arc::new(TenantService::new(
        &db,
        Arc::new(SystemClock),
        Arc::new(vault),
    ));
    let tenant = TenantId::parse("acme").expect("tenant");
    let ctx = || {
        RequestContext::new(
            tenant.clone(),
            Actor::new(
                ActorKind::Organisation,
                ActorId::parse("acme.c1").expect("id"),
            ),
        )
    };
    let mut limits = Limits::of_plan("sandbox").expect("plan");
    limits.monthly_quotas.insert(Module::Ocr, 10);
    tenants
        .open(
            &ctx(),
            NewTenant {
                tenant: tenant.clone(),
                name: "Acme".into(),
                country: "FRA".into(),
                support_email: "a@acme.test".into(),
                plan: "sandbox".into(),
                limits,
            },
        )
        .await
        .expect("open");
    let metering = Arc::new(Metering::new(
        db.clone(),
        tenants.clone(),
        Arc::new(SystemClock),
    ));

    // Ten calls, eight of them at once: each is counted exactly once.
    for _ in 0..2 {
        metering.record(&ctx(), Module::Ocr).await.expect("bill");
    }
    let racing: Vec<_> = (0..8)
        .map(|_| {
            let (metering, ctx) = (metering.clone(), ctx());
            tokio::spawn(async move { metering.record(&ctx, Module::Ocr).await })
        })
        .collect();
    for call in racing {
        call.await.expect("join").expect("bill");
    }
    let period = Period::of(time::OffsetDateTime::now_utc());
    let usage = metering.usage(&tenant, period).await.expect("usage");
    let ocr = usage.iter().find(|u| u.module == Module::Ocr).expect("ocr");
    assert_eq!((ocr.used, ocr.quota), (10, Some(10)));
    let validate = usage
        .iter()
        .find(|u| u.module == Module::Validate)
        .expect("validate");
    assert_eq!((validate.used, validate.quota), (0, Some(100)));

    // The eleventh is refused until next month.
    match metering.check(&tenant, Module::Ocr).await {
        Err(QuotaError::Exhausted {
            used,
            quota,
            resets_at,
            ..
        }) => {
            assert_eq!((used, quota), (10, 10));
            assert_eq!(resets_at, period.next_start());
        }
        other => panic!("expected the quota to be used up, got {other:?}"),
    }
    metering
        .check(&tenant, Module::Validate)
        .await
        .expect("another module is unaffected");

    // 80 % and 100 % each recorded once, despite the race. The global log
    // shows an event once no older transaction of the cluster is running
    // (ADR 0002), so under a busy suite it may take a moment to appear.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut alerts: Vec<u64> = loop {
        let events = db
            .read_all(veritrail_event_store::GlobalPosition::START, 10_000)
            .await
            .expect("events");
        let alerts: Vec<u64> = events
            .iter()
            .filter(|e| e.event_type == "QuotaThresholdReached")
            .map(|e| {
                e.payload["QuotaThresholdReached"]["percent"]
                    .as_u64()
                    .expect("percent")
            })
            .collect();
        if alerts.len() >= 2 || std::time::Instant::now() > deadline {
            break alerts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    alerts.sort_unstable();
    assert_eq!(alerts, vec![80, 100]);
}
