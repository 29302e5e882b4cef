//! The token endpoint and the tokens it issues: RFC 6749 behaviour, claims,
//! published keys, and every kind of bad token refused.

use std::sync::Arc;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use veritrail_application::auth::{SigningKeys, Tokens, Vault};
use veritrail_domain::tenant::Scope;
use veritrail_domain::{ActorKind, TenantId};

use super::{call, secure_app, token, token_response, world, Form};

/// The vault the app sealed its keys with (the key kept in the database).
async fn vault(app: &veritrail_tests::TestApp) -> Arc<Vault> {
    Arc::new(
        Vault::open(app.test_db.db.clone(), None)
            .await
            .expect("vault"),
    )
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
    // A JSON body is told to be a form, not that grant_type is missing.
    let response = app
        .client
        .post(format!("{}/oauth2/token", app.address))
        .json(&serde_json::json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
    let description = body["error_description"].as_str().expect("description");
    assert!(description.contains("form body"), "{description}");
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
    let keys = SigningKeys::load_or_create(app.test_db.db.clone(), vault(&app).await)
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
        SigningKeys::load_or_create(app.test_db.db.clone(), vault(&app).await)
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
    // Not valid before ten minutes from now, otherwise fine.
    let mut early = claims("veritrail-api", 900);
    early["nbf"] = json!(time::OffsetDateTime::now_utc().unix_timestamp() + 600);
    let not_yet_valid = sign(&early);
    // A day-long lifetime where the service issues 15 minutes.
    let too_long = sign(&claims("veritrail-api", 24 * 3600));
    // Within every rule: accepted (so the two above fail for their reason).
    let acceptable = sign(&claims("veritrail-api", 600));
    let response = call(&app, Method::GET, "/admin/verifications", &acceptable)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
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
        ("not valid yet (nbf)", not_yet_valid),
        ("lifetime over the maximum", too_long),
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
async fn signing_keys_are_sealed_at_rest() {
    let app = secure_app().await;
    let keys = SigningKeys::load_or_create(app.test_db.db.clone(), vault(&app).await)
        .await
        .expect("keys");
    let key = keys.current().expect("a key");
    let veritrail_event_store::EventDatabase::Postgres(pool) = &app.test_db.db else {
        unreachable!("the security suite runs on PostgreSQL")
    };
    let (stored, sealed): (Vec<u8>, i64) =
        sqlx::query_as("SELECT private_key, sealed FROM signing_keys WHERE kid = $1")
            .bind(&key.kid)
            .fetch_one(pool)
            .await
            .expect("row");
    assert_eq!(sealed, 1);
    assert_ne!(
        stored, key.private_key,
        "the private key is not stored in clear"
    );
    // PKCS#8 Ed25519: a 16-byte prefix, then the 32-byte seed.
    let seed = &key.private_key[16..48];
    assert!(
        !stored.windows(32).any(|w| w == seed),
        "the seed does not appear in the stored bytes"
    );
    // Another key cannot open it.
    let other_key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let other = Vault::open(app.test_db.db.clone(), Some(&other_key))
        .await
        .expect("vault");
    let refused = SigningKeys::load_or_create(app.test_db.db.clone(), Arc::new(other)).await;
    assert!(refused.is_err(), "a wrong secrets_key is a startup error");
}
