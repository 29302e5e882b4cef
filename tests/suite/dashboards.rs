//! READ-3: dashboards equal the numbers computed directly from the events.

use std::collections::BTreeMap;
use std::str::FromStr;

use cqrs_es::Aggregate;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::Value;
use veritrail_domain::case::{
    CaseAction, CaseStatus, CheckKind, CheckResult, CheckState, CountryCode, Decision, Outcome,
    VerificationCase,
};
use veritrail_domain::{Currency, Money, Reason};
use veritrail_event_store::Backend;
use veritrail_tests::fixtures::{individual, officer, open_request, org, submission};
use veritrail_tests::{spawn_app, As};

async fn dashboards_match_the_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let service = app.test_db.service();
    let countries = ["AUS", "FRA", "USA", "NGA", "JPN", "BRA", "DEU"];
    for n in 0..21usize {
        let opened = service
            .get_or_open(&org("acme"), open_request(&format!("dash-{n}")))
            .await
            .expect("open");
        let id = opened.case_id;
        if n % 7 == 6 {
            continue; // never submitted
        }
        let mut data = submission();
        data.nationality = Some(CountryCode::parse(countries[n % countries.len()]).expect("valid"));
        let currency = if n % 2 == 0 { "AUD" } else { "EUR" };
        let currency = Currency::parse(currency).expect("valid");
        data.requested_amount = Some(
            Money::new(
                Decimal::from_str(&format!("{}.{:02}", 1000 + n * 37, n)).expect("decimal"),
                currency,
            )
            .expect("money"),
        );
        data.declared_income =
            Some(Money::new(Decimal::from(50_000 + n as i64 * 1000), currency).expect("money"));
        service
            .execute(&individual("acme"), id, CaseAction::SubmitData(data))
            .await
            .expect("submit");
        let vo = officer("acme");
        for check in [CheckKind::Document, CheckKind::Liveness] {
            service
                .execute(&vo, id, CaseAction::StartCheck { check })
                .await
                .expect("start");
            let result = if n % 3 == 0 && check == CheckKind::Liveness {
                CheckResult::Failed {
                    reason: Reason::parse("spoof").expect("valid"),
                    score: None,
                }
            } else {
                CheckResult::Verified { score: None }
            };
            service
                .execute(&vo, id, CaseAction::RecordCheckResult { check, result })
                .await
                .expect("record");
        }
        match n % 3 {
            0 => service
                .execute(
                    &vo,
                    id,
                    CaseAction::Decide(Decision::Fail {
                        reason: Reason::parse("spoof").expect("valid"),
                    }),
                )
                .await
                .map(|_| ())
                .expect("fail"),
            1 => service
                .execute(
                    &vo,
                    id,
                    CaseAction::Decide(Decision::Complete {
                        outcome: Outcome::Pass,
                    }),
                )
                .await
                .map(|_| ())
                .expect("complete"),
            _ => {}
        }
    }
    // Another tenant's case must not count.
    service
        .get_or_open(&org("globex"), open_request("x"))
        .await
        .expect("open");
    app.wait_for_projections().await;

    // Expected numbers, straight from the events.
    let events = app.all_events().await;
    let upcasters = veritrail_domain::case::upcasters();
    let mut cases: BTreeMap<String, VerificationCase> = BTreeMap::new();
    for e in events
        .iter()
        .filter(|e| e.aggregate_type == "VerificationCase")
    {
        cases
            .entry(e.aggregate_id.clone())
            .or_default()
            .apply(e.decode(&upcasters).expect("decode"));
    }
    let acme: Vec<_> = cases
        .values()
        .filter_map(|c| c.opened())
        .filter(|c| c.tenant.as_str() == "acme")
        .collect();
    let count = |s: CaseStatus| acme.iter().filter(|c| c.status == s).count() as i64;
    let pending = count(CaseStatus::PendingOrg) + count(CaseStatus::PendingAdmin);

    let get = |path: &'static str| {
        let app = &app;
        async move {
            let r = app
                .request(Method::GET, path, As::officer("acme"))
                .send()
                .await
                .expect("get");
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.expect("json")
        }
    };
    let overview = get("/admin/dashboard/overview").await;
    assert_eq!(overview["total"], acme.len() as i64);
    assert_eq!(overview["approved"], count(CaseStatus::Completed));
    assert_eq!(overview["rejected"], count(CaseStatus::Failed));
    assert_eq!(overview["pending"], pending);
    let expected_rate =
        ((count(CaseStatus::Completed) as f64 / acme.len() as f64) * 10_000.0).round() / 100.0;
    assert_eq!(overview["approval_rate"].as_f64(), Some(expected_rate));

    let by_country = get("/admin/dashboard/by-country").await;
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for c in &acme {
        if let Some(country) = c.submission.as_ref().and_then(|s| s.nationality) {
            *expected.entry(country.to_string()).or_default() += 1;
        }
    }
    let served: BTreeMap<String, i64> = by_country
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["country"].as_str().expect("code").to_owned(),
                r["total"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(served, expected);

    let by_region = get("/admin/dashboard/by-region").await;
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for c in &acme {
        let region = c
            .submission
            .as_ref()
            .and_then(|s| s.nationality)
            .map(|n| veritrail_domain::country::region_of(n.as_str()).to_string())
            .unwrap_or_else(|| "UNKNOWN".to_owned());
        *expected.entry(region).or_default() += 1;
    }
    let served: BTreeMap<String, i64> = by_region
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["region"].as_str().expect("region").to_owned(),
                r["total"].as_i64().expect("n"),
            )
        })
        .collect();
    assert_eq!(served, expected);

    let funnel = get("/admin/dashboard/funnel").await;
    let stages: Vec<i64> = funnel["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["count"].as_i64().expect("n"))
        .collect();
    let submitted = acme.iter().filter(|c| c.submission.is_some()).count() as i64;
    let decided = count(CaseStatus::Completed) + count(CaseStatus::Failed);
    assert_eq!(
        stages,
        vec![
            acme.len() as i64,
            submitted,
            decided,
            count(CaseStatus::Completed)
        ]
    );
    for check in funnel["checks"].as_array().expect("checks") {
        let kind: CheckKind = serde_json::from_value(check["check"].clone()).expect("kind");
        let states: Vec<CheckState> = acme.iter().map(|c| c.checks[&kind].state).collect();
        let verified = states
            .iter()
            .filter(|s| **s == CheckState::Verified)
            .count() as i64;
        let failed = states.iter().filter(|s| **s == CheckState::Failed).count() as i64;
        // Nothing decided is "no rate yet" (null), not a 0 % pass rate.
        assert_eq!(
            check["pass_rate"].is_null(),
            verified + failed == 0,
            "{check}"
        );
        assert_eq!(
            (check["verified"].as_i64(), check["failed"].as_i64()),
            (Some(verified), Some(failed)),
            "{kind}"
        );
    }

    let financial = get("/admin/dashboard/financial").await;
    let mut expected: BTreeMap<(String, String), (i64, Decimal)> = BTreeMap::new();
    for c in acme.iter().filter(|c| c.status == CaseStatus::Completed) {
        let s = c.submission.as_ref().expect("submitted");
        for (metric, money) in [
            ("requested_amount", &s.requested_amount),
            ("declared_income", &s.declared_income),
        ] {
            if let Some(m) = money {
                let entry = expected
                    .entry((metric.to_owned(), m.currency().as_str().to_owned()))
                    .or_default();
                entry.0 += 1;
                entry.1 += m.amount();
            }
        }
    }
    let served: BTreeMap<(String, String), (i64, Decimal)> = financial
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                (
                    r["metric"].as_str().expect("m").to_owned(),
                    r["currency"].as_str().expect("c").to_owned(),
                ),
                (
                    r["cases"].as_i64().expect("n"),
                    Decimal::from_str(r["total"].as_str().expect("t")).expect("decimal"),
                ),
            )
        })
        .collect();
    assert_eq!(served, expected, "exact decimal totals per currency");

    // A malformed query says which parameters are wrong in our words.
    let bad = app
        .request(
            Method::GET,
            "/admin/dashboard/timeline?days=abc",
            As::officer("acme"),
        )
        .send()
        .await
        .expect("get");
    assert_eq!(bad.status(), 400);
    let bad: Value = bad.json().await.expect("json");
    assert_eq!(bad["error"]["code"], "invalid_query");
    let message = bad["error"]["message"].as_str().expect("message");
    assert!(!message.contains("Query deserialize error"), "{message}");
    let timeline = get("/admin/dashboard/timeline").await;
    let days = timeline.as_array().expect("days");
    assert_eq!(days.len(), 30);
    let opened: i64 = days.iter().map(|d| d["opened"].as_i64().expect("n")).sum();
    let approved: i64 = days
        .iter()
        .map(|d| d["approved"].as_i64().expect("n"))
        .sum();
    assert_eq!(
        opened,
        acme.len() as i64,
        "everything was opened in the last 30 days"
    );
    assert_eq!(approved, count(CaseStatus::Completed));
}

veritrail_tests::both_backends!(dashboards_match_the_events,);
