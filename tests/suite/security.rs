//! Authentication over real HTTP with real tokens (issue "Auth and tenancy",
//! first step): operators open tenants and register clients, clients get
//! Ed25519-signed JWTs from `/oauth2/token`, every endpoint checks role and
//! scope, bad tokens are refused, secrets rotate with an overlap, and one
//! tenant cannot see another's cases. Development headers are off here.

use std::sync::Arc;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_command_api::application::SystemClock;
use veritrail_command_api::auth::{Credentials, NewTenant, SigningKeys, TenantService, Tokens};
use veritrail_domain::tenant::Scope;
use veritrail_domain::{ActorKind, TenantId};
use veritrail_event_store::Backend;
use veritrail_tests::fixtures::ctx;
use veritrail_tests::{spawn_app_with, AppOptions, TestApp};

async fn secure_app() -> TestApp {
    spawn_app_with(
        Backend::Postgres,
        AppOptions {
            dev_identity_headers: false,
            ..AppOptions::default()
        },
    )
    .await
}

/// What `veritrail tenants bootstrap` does: a platform tenant and an operator.
async fn bootstrap_operator(app: &TestApp) -> Credentials {
    let tenants = TenantService::new(&app.test_db.db, Arc::new(SystemClock));
    let system = ctx("platform", ActorKind::Operator, "bootstrap");
    tenants
        .open(
            &system,
            NewTenant {
                tenant: TenantId::parse("platform").expect("id"),
                name: "Platform".into(),
                country: "FRA".into(),
                support_email: "ops@veritrail.test".into(),
                plan: "internal".into(),
            },
        )
        .await
        .expect("open");
    tenants
        .register_client(
            &system,
            &TenantId::parse("platform").expect("id"),
            ActorKind::Operator,
        )
        .await
        .expect("operator client")
}

/// A form body: name/value pairs.
type Form<'a> = Vec<(&'a str, &'a str)>;

async fn token_response(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .form(form)
        .send()
        .await
        .expect("token request");
    (response.status(), response.json().await.expect("json"))
}

async fn token(app: &TestApp, c: &Credentials) -> String {
    let (status, body) = token_response(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().expect("token").to_owned()
}

fn call(app: &TestApp, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, format!("{}{}", app.address, path))
        .bearer_auth(token)
}

/// An operator token, a tenant, and an organisation and an officer client in it.
struct World {
    operator: String,
    org: Credentials,
    officer: Credentials,
}

async fn open_tenant(app: &TestApp, operator: &str, tenant: &str) -> (Credentials, Credentials) {
    let response = call(app, Method::POST, "/operator/tenants", operator)
        .json(&json!({"tenant_id": tenant, "name": "Acme", "country": "FRA", "support_email": "help@acme.test"}))
        .send()
        .await
        .expect("create tenant");
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut clients = Vec::new();
    for role in ["organisation", "officer"] {
        let response = call(
            app,
            Method::POST,
            &format!("/operator/tenants/{tenant}/clients"),
            operator,
        )
        .json(&json!({"role": role}))
        .send()
        .await
        .expect("create client");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body: Value = response.json().await.expect("json");
        clients.push(Credentials {
            client_id: body["client_id"].as_str().expect("id").to_owned(),
            client_secret: body["client_secret"].as_str().expect("secret").to_owned(),
        });
    }
    let officer = clients.pop().expect("officer");
    (clients.pop().expect("org"), officer)
}

async fn world(app: &TestApp) -> World {
    let operator = token(app, &bootstrap_operator(app).await).await;
    let (org, officer) = open_tenant(app, &operator, "acme").await;
    World {
        operator,
        org,
        officer,
    }
}

async fn create_case(app: &TestApp, token: &str, subject: &str) -> reqwest::Response {
    call(app, Method::POST, "/verifications", token)
        .json(&json!({
            "subject": {"id": subject, "display_name": "Jane Citizen"},
            "requested_checks": ["bankruptcy"],
        }))
        .send()
        .await
        .expect("create")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_reaches_exactly_the_endpoints_its_scope_allows() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let officer = token(&app, &w.officer).await;
    let created = create_case(&app, &org, "EMP-1").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mrz = json!({"mrz": ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]});
    // (method, path, body, roles allowed) — the scope table of docs/security.md.
    // Operators act across tenants on the officer endpoints (platform support).
    let table: Vec<(Method, String, Option<Value>, &[&str])> = vec![
        (
            Method::GET,
            format!("/verifications/{id}"),
            None,
            &["org", "officer"],
        ),
        (
            Method::GET,
            "/admin/verifications".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            "/admin/audit".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            "/admin/dashboard/overview".into(),
            None,
            &["officer", "operator"],
        ),
        (
            Method::GET,
            format!("/admin/verifications/{id}/events"),
            None,
            &["officer"],
        ),
        (
            Method::POST,
            "/document/validate".into(),
            Some(mrz),
            &["org", "officer", "operator"],
        ),
        (
            Method::POST,
            "/operator/tenants".into(),
            Some(
                json!({"tenant_id": "t-x", "name": "X", "country": "DEU", "support_email": "a@x.test"}),
            ),
            &["operator"],
        ),
    ];
    for (method, path, body, allowed) in table {
        for (role, token) in [
            ("org", &org),
            ("officer", &officer),
            ("operator", &w.operator),
        ] {
            let mut request = call(&app, method.clone(), &path, token);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.expect("send");
            let status = response.status();
            if allowed.contains(&role) {
                assert!(
                    status.is_success() || status == StatusCode::CONFLICT,
                    "{role} {method} {path}: {status} {}",
                    response.text().await.unwrap_or_default()
                );
            } else {
                // The operator is of another tenant: the case is not there at all.
                let expected = if role == "operator" && path.contains(&id) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(status, expected, "{role} {method} {path}");
                let body: Value = response.json().await.expect("json");
                assert!(body["error"]["code"].is_string());
            }
        }
    }
    // A token with no scope acts as nobody.
    let (status, body) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &w.org.client_id),
            ("client_secret", &w.org.client_secret),
            ("scope", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let scopeless = body["access_token"].as_str().expect("token");
    let refused = create_case(&app, scopeless, "EMP-2").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_follows_rfc_6749() {
    let app = secure_app().await;
    let w = world(&app).await;
    let id = w.org.client_id.as_str();
    let secret = w.org.client_secret.as_str();
    let cases: Vec<(Form<'_>, StatusCode, &str)> = vec![
        (
            vec![("client_id", id), ("client_secret", secret)],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", "wrong"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "acme.ffff"),
                ("client_secret", secret),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nobody.ffff"),
                ("client_secret", secret),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
                ("scope", "admin.review"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = token_response(&app, &form).await;
        assert_eq!(got, status, "{form:?} → {body}");
        assert_eq!(body["error"], error, "{form:?} → {body}");
    }
    // HTTP Basic works too, and the token's claims are what the client is.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .header("authorization", format!("Basic {basic}"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["scope"], "org.verify");
    assert_eq!(body["expires_in"], 900);
    let keys = SigningKeys::load_or_create(app.test_db.db.clone())
        .await
        .expect("keys");
    let claims = Tokens::new(Arc::new(keys), time::Duration::minutes(15))
        .verify(body["access_token"].as_str().expect("token"))
        .await
        .expect("valid");
    assert_eq!(claims.tid, "acme");
    assert_eq!(claims.sub, id);
    assert_eq!(claims.role, ActorKind::Organisation);
    // The published key set names the signing key.
    let jwks: Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.address))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    assert!(jwks["keys"][0].get("d").is_none(), "no private part");
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_misaddressed_unsigned_and_foreign_tokens_are_refused() {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let app = secure_app().await;
    let w = world(&app).await;
    let good = token(&app, &w.officer).await;
    let keys = Arc::new(
        SigningKeys::load_or_create(app.test_db.db.clone())
            .await
            .expect("keys"),
    );
    let key = keys.current().expect("a key");
    let tenant = TenantId::parse("acme").expect("id");
    let claims = |aud: &str, exp_offset: i64| {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        json!({"iss": "veritrail", "aud": aud, "sub": w.officer.client_id, "tid": "acme", "role": "officer",
               "scope": "admin.review", "iat": now, "exp": now + exp_offset, "jti": "x"})
    };
    let header = || {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some(key.kid.clone());
        h
    };
    let sign = |c: &Value| {
        encode(&header(), c, &EncodingKey::from_ed_der(&key.private_key)).expect("sign")
    };
    // Expired an hour ago (well past the 30 s leeway), issued by our own key.
    let expired = Tokens::new(keys.clone(), time::Duration::minutes(15))
        .issue(
            &tenant,
            &w.officer.client_id,
            ActorKind::Officer,
            &[Scope::AdminReview],
            time::OffsetDateTime::now_utc() - time::Duration::hours(2),
        )
        .expect("issue");
    let wrong_audience = sign(&claims("another-api", 600));
    // Tampered payload: the officer claims another tenant, signature kept.
    let parts: Vec<&str> = good.split('.').collect();
    let mut payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .expect("b64"),
    )
    .expect("json");
    payload["tid"] = json!("globex");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64url(payload.to_string().as_bytes()),
        parts[2]
    );
    // alg=none, no signature.
    let unsigned = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(claims("veritrail-api", 600).to_string().as_bytes())
    );
    // Signed by a key that is not ours, under our kid.
    let rng = ring::rand::SystemRandom::new();
    let other = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("key");
    let foreign = encode(
        &header(),
        &claims("veritrail-api", 600),
        &EncodingKey::from_ed_der(other.as_ref()),
    )
    .expect("sign");
    // HS256 keyed with our public key (the classic algorithm confusion).
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(key.kid.clone());
    let confused = encode(
        &hs,
        &claims("veritrail-api", 600),
        &EncodingKey::from_secret(&key.public_key),
    )
    .expect("sign");
    // Unknown kid.
    let mut unknown_kid = header();
    unknown_kid.kid = Some("nope".into());
    let unknown = encode(
        &unknown_kid,
        &claims("veritrail-api", 600),
        &EncodingKey::from_ed_der(&key.private_key),
    )
    .expect("sign");
    let ok = call(&app, Method::GET, "/admin/verifications", &good)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    for (name, bad) in [
        ("expired", expired),
        ("wrong audience", wrong_audience),
        ("forged payload", forged),
        ("alg none", unsigned),
        ("foreign key", foreign),
        ("HS256 with the public key", confused),
        ("unknown kid", unknown),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let response = call(&app, Method::GET, "/admin/verifications", &bad)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .expect("ascii")
                .contains("invalid_token"),
            "{name}"
        );
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "invalid_token", "{name}");
    }
    // No token at all, and development headers are ignored when off.
    let response = app
        .client
        .get(format!("{}/admin/verifications", app.address))
        .header("X-Tenant-Id", "acme")
        .header("X-Actor-Kind", "officer")
        .header("X-Actor-Id", "vo-1")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json::<Value>().await.expect("json")["error"]["code"],
        "unauthenticated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_overlaps_and_a_revoked_client_is_shut_out() {
    let app = secure_app().await;
    let w = world(&app).await;
    let rotate = |overlap: u32| {
        call(
            &app,
            Method::POST,
            &format!("/operator/tenants/acme/clients/{}/rotate", w.org.client_id),
            &w.operator,
        )
        .json(&json!({"overlap_hours": overlap}))
        .send()
    };
    let response = rotate(1).await.expect("rotate");
    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.expect("json");
    let second = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: second["client_secret"].as_str().expect("secret").to_owned(),
    };
    assert_ne!(second.client_secret, w.org.client_secret);
    // During the overlap both work.
    token(&app, &w.org).await;
    token(&app, &second).await;
    // Rotating again with no overlap ends both older secrets at once.
    let third: Value = rotate(0).await.expect("rotate").json().await.expect("json");
    let third = Credentials {
        client_id: w.org.client_id.clone(),
        client_secret: third["client_secret"].as_str().expect("secret").to_owned(),
    };
    for old in [&w.org, &second] {
        let (status, body) = token_response(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &old.client_id),
                ("client_secret", &old.client_secret),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    token(&app, &third).await;
    // Revoked: no more tokens.
    let response = call(
        &app,
        Method::POST,
        &format!("/operator/tenants/acme/clients/{}/revoke", w.org.client_id),
        &w.operator,
    )
    .send()
    .await
    .expect("revoke");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = token_response(
        &app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &third.client_id),
            ("client_secret", &third.client_secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Every change is an event on the tenant's stream, without secrets in clear.
    let events = app.all_events().await;
    let tenant_events: Vec<_> = events
        .iter()
        .filter(|e| e.aggregate_type == "Tenant")
        .collect();
    assert!(tenant_events.len() >= 7, "{}", tenant_events.len());
    for e in &tenant_events {
        let text = e.payload.to_string();
        for secret in [
            &w.org.client_secret,
            &second.client_secret,
            &third.client_secret,
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret in clear in {text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tenant_cannot_read_or_detect_another_tenants_cases() {
    let app = secure_app().await;
    let w = world(&app).await;
    let (globex_org, globex_officer) = open_tenant(&app, &w.operator, "globex").await;
    let acme = token(&app, &w.org).await;
    let globex = token(&app, &globex_org).await;
    let globex_vo = token(&app, &globex_officer).await;
    let id = create_case(&app, &acme, "EMP-1")
        .await
        .json::<Value>()
        .await
        .expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let unknown = uuid::Uuid::now_v7().to_string();
    for (token, path) in [
        (&globex, format!("/verifications/{id}")),
        (&globex_vo, format!("/admin/verifications/{id}")),
        (&globex_vo, format!("/admin/verifications/{id}/events")),
    ] {
        let foreign = call(&app, Method::GET, &path, token)
            .send()
            .await
            .expect("send");
        let missing = call(&app, Method::GET, &path.replace(&id, &unknown), token)
            .send()
            .await
            .expect("send");
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.status(), foreign.status());
        // Not even the error tells them apart.
        let a: Value = foreign.json().await.expect("json");
        let b: Value = missing.json().await.expect("json");
        assert_eq!(a["error"]["code"], b["error"]["code"]);
        assert_eq!(a["error"]["message"], b["error"]["message"]);
    }
    let queue: Value = call(&app, Method::GET, "/admin/verifications", &globex_vo)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(!queue.to_string().contains(&id), "{queue}");
}
