//! The tenant aggregate's decisions: clients, secrets, plans, checks, quota alerts.

use super::*;
use time::macros::datetime;

fn opened() -> Tenant {
    let mut t = Tenant::default();
    for e in t
        .decide(TenantCommand::Open {
            tenant: TenantId::parse("acme").expect("id"),
            name: "Acme".into(),
            country: "FRA".into(),
            support_email: "help@acme.test".into(),
            plan: DEFAULT_PLAN.into(),
            limits: Limits::of_plan(DEFAULT_PLAN).expect("plan"),
        })
        .expect("open")
    {
        t.apply(e);
    }
    t
}

fn run(t: &mut Tenant, c: TenantCommand) -> Result<(), TenantError> {
    for e in t.decide(c)? {
        t.apply(e);
    }
    Ok(())
}

#[test]
fn clients_need_an_opened_tenant_and_a_client_role() {
    let mut none = Tenant::default();
    let register = |role| TenantCommand::RegisterClient {
        client_id: "acme.c1".into(),
        role,
        secret_hash: "h1".into(),
        secret_ref: None,
    };
    assert_eq!(
        run(&mut none, register(ActorKind::Organisation)),
        Err(TenantError::NotFound)
    );
    let mut t = opened();
    assert!(matches!(
        run(&mut t, register(ActorKind::Individual)),
        Err(TenantError::RoleNotForClients(_))
    ));
    run(&mut t, register(ActorKind::Organisation)).expect("register");
    assert!(matches!(
        run(&mut t, register(ActorKind::Officer)),
        Err(TenantError::ClientExists(_))
    ));
}

#[test]
fn the_last_active_operator_client_cannot_be_revoked() {
    let mut t = opened();
    let register = |id: &str, role| TenantCommand::RegisterClient {
        client_id: id.into(),
        role,
        secret_hash: "h".into(),
        secret_ref: None,
    };
    let revoke = |id: &str| TenantCommand::RevokeClient {
        client_id: id.into(),
    };
    run(&mut t, register("ops.a", ActorKind::Operator)).expect("register");
    run(&mut t, register("ops.org", ActorKind::Organisation)).expect("register");
    assert_eq!(
        run(&mut t, revoke("ops.a")),
        Err(TenantError::LastOperatorClient("ops.a".into()))
    );
    // Another operator client makes it possible; the last one stays.
    run(&mut t, register("ops.b", ActorKind::Operator)).expect("register");
    run(&mut t, revoke("ops.a")).expect("not the last");
    assert_eq!(
        run(&mut t, revoke("ops.b")),
        Err(TenantError::LastOperatorClient("ops.b".into()))
    );
    // Clients of other roles are revoked freely.
    run(&mut t, revoke("ops.org")).expect("organisation client");
}

#[test]
fn a_rotation_keeps_the_previous_secret_until_the_overlap_ends_and_revocation_ends_all() {
    let mut t = opened();
    run(
        &mut t,
        TenantCommand::RegisterClient {
            client_id: "acme.c1".into(),
            role: ActorKind::Organisation,
            secret_hash: "h1".into(),
            secret_ref: None,
        },
    )
    .expect("register");
    let until = datetime!(2026-11-23 12:00 UTC);
    run(
        &mut t,
        TenantCommand::RotateSecret {
            client_id: "acme.c1".into(),
            secret_hash: "h2".into(),
            secret_ref: Some("r-h2".into()),
            previous_valid_until: until,
        },
    )
    .expect("rotate");
    let client = &t.clients["acme.c1"];
    assert_eq!(
        client.usable_hashes(datetime!(2026-11-23 11:59 UTC)),
        vec!["h2", "h1"]
    );
    assert_eq!(client.usable_hashes(until), vec!["h2"]);
    // A second rotation ends the first secret at once.
    run(
        &mut t,
        TenantCommand::RotateSecret {
            client_id: "acme.c1".into(),
            secret_hash: "h3".into(),
            secret_ref: Some("r-h3".into()),
            previous_valid_until: datetime!(2026-11-24 00:00 UTC),
        },
    )
    .expect("rotate");
    let client = &t.clients["acme.c1"];
    assert_eq!(
        client.usable_hashes(datetime!(2026-11-23 11:00 UTC)),
        vec!["h3", "h2"]
    );
    run(
        &mut t,
        TenantCommand::RevokeClient {
            client_id: "acme.c1".into(),
        },
    )
    .expect("revoke");
    assert!(t.clients["acme.c1"]
        .usable_hashes(datetime!(2026-11-23 11:00 UTC))
        .is_empty());
    assert!(matches!(
        run(
            &mut t,
            TenantCommand::RevokeClient {
                client_id: "acme.c1".into()
            }
        ),
        Err(TenantError::ClientRevoked(_))
    ));
}

#[test]
fn plans_change_and_each_quota_alert_is_recorded_once_per_period() {
    let mut t = opened();
    assert_eq!(t.limits().and_then(|l| l.requests_per_minute), Some(60));
    let mut limits = Limits::of_plan("sandbox").expect("sandbox");
    limits.requests_per_minute = Some(5);
    run(
        &mut t,
        TenantCommand::SetPlan {
            plan: "sandbox".into(),
            limits,
        },
    )
    .expect("plan");
    assert_eq!(t.plan, "sandbox");
    assert_eq!(t.limits().and_then(|l| l.requests_per_minute), Some(5));
    let alert = |period: &str| TenantCommand::RecordQuotaAlert {
        module: Module::Ocr,
        period: period.into(),
        percent: 80,
        used: 80,
        quota: 100,
    };
    assert_eq!(t.decide(alert("2026-11")).expect("alert").len(), 1);
    run(&mut t, alert("2026-11")).expect("alert");
    assert!(t.decide(alert("2026-11")).expect("again").is_empty());
    assert_eq!(t.decide(alert("2026-12")).expect("next month").len(), 1);
}

#[test]
fn events_written_before_plans_had_limits_get_the_plan_defaults() {
    let old = serde_json::json!({"TenantOpened": {
        "tenant": "acme", "name": "Acme", "country": "FRA",
        "support_email": "a@b.c", "plan": "enterprise"}});
    let event: TenantEvent = serde_json::from_value(old).expect("old event");
    let mut t = Tenant::default();
    t.apply(event);
    assert_eq!(t.limits().and_then(|l| l.requests_per_minute), Some(600));
}

#[test]
fn scopes_round_trip_and_map_roles() {
    for s in Scope::ALL {
        assert_eq!(Scope::parse(s.as_str()), Some(s));
    }
    assert_eq!(Scope::of(ActorKind::Officer), Some(Scope::AdminReview));
    assert_eq!(Scope::of(ActorKind::System), None);
}
