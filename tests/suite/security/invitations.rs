//! The seed 000 flow with real credentials for every role: the organisation,
//! the individual through their invitation (AUTH-4), the verification
//! officer, and the operator who set them up.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{call, create_case, open_tenant, secure_app, token, world};

fn submission() -> Value {
    json!({
        "given_names": "Jane",
        "family_name": "Citizen",
        "date_of_birth": "1990-04-12",
        "email": "jane@example.com",
        "evidence": [],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_000_flow_runs_with_real_tokens_for_every_role() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let officer = token(&app, &w.officer).await;

    // 1. The organisation opens a case; the answer carries the invitation.
    let created = create_case(&app, &org, "EMP-1").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let case: Value = created.json().await.expect("json");
    let id = case["id"].as_str().expect("id").to_owned();
    assert_eq!(case["status"], "PENDING_ORG");
    let invitation = &case["invitation"];
    let individual = invitation["token"].as_str().expect("token").to_owned();
    assert!(individual.starts_with("vti_"), "{individual}");
    assert!(invitation["url"]
        .as_str()
        .expect("url")
        .ends_with(&format!("?token={individual}")));
    assert!(invitation["expires_at"].is_string());
    // The link points at this service's own address (not a fixed port) and
    // opens a page that says what is asked and how to answer.
    let url = invitation["url"].as_str().expect("url");
    assert!(
        url.starts_with(&format!("{}/invitations?", app.address)),
        "{url} on {}",
        app.address
    );
    let page = app.client.get(url).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/html"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.expect("html");
    assert!(html.contains(&id), "the case");
    assert!(html.contains("bankruptcy"), "what is asked");
    assert!(
        html.contains(&format!("PUT /verifications/{id}/data")),
        "how to answer"
    );
    let forged = app
        .client
        .get(format!("{}/invitations?token=vti_forged.abc", app.address))
        .send()
        .await
        .expect("page");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let forged: Value = forged.json().await.expect("json");
    assert_eq!(forged["error"]["code"], "invalid_token");
    // Reading the case again shows no token.
    let again: Value = call(&app, Method::GET, &format!("/verifications/{id}"), &org)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(again.get("invitation").is_none(), "{again}");

    // 2. The individual sees their case and submits their data with the invitation.
    let seen = call(
        &app,
        Method::GET,
        &format!("/verifications/{id}"),
        &individual,
    )
    .send()
    .await
    .expect("get");
    assert_eq!(seen.status(), StatusCode::OK);
    let submitted = call(
        &app,
        Method::PUT,
        &format!("/verifications/{id}/data"),
        &individual,
    )
    .json(&submission())
    .send()
    .await
    .expect("submit");
    let submitted_status = submitted.status();
    let body: Value = submitted.json().await.expect("json");
    assert_eq!(submitted_status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "PENDING_ADMIN");

    // 3. The officer reviews and decides.
    let review = call(
        &app,
        Method::GET,
        &format!("/admin/verifications/{id}"),
        &officer,
    )
    .send()
    .await
    .expect("review");
    assert_eq!(review.status(), StatusCode::OK);
    let review: Value = review.json().await.expect("json");
    assert_eq!(review["submission"]["family_name"], "Citizen");
    let judged = call(
        &app,
        Method::POST,
        &format!("/admin/verifications/{id}/checks/bankruptcy/review"),
        &officer,
    )
    .json(&json!({"outcome": "verified", "score": 95}))
    .send()
    .await
    .expect("judge");
    assert_eq!(judged.status(), StatusCode::OK);
    let decided = call(
        &app,
        Method::PATCH,
        &format!("/admin/verifications/{id}"),
        &officer,
    )
    .json(&json!({"status": "COMPLETED", "outcome": "PASS"}))
    .send()
    .await
    .expect("decide");
    assert_eq!(decided.status(), StatusCode::OK);

    // 4. The organisation polls the result.
    let result: Value = call(&app, Method::GET, &format!("/verifications/{id}"), &org)
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json");
    assert_eq!(result["status"], "COMPLETED");
    assert_eq!(result["outcome"], "PASS");

    // Every step is on record under the actor that took it.
    let events = app.all_events().await;
    let actor_of = |event_type: &str| {
        events
            .iter()
            .find(|e| e.event_type == event_type)
            .map(|e| {
                e.metadata["actor_kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .expect(event_type)
    };
    assert_eq!(actor_of("CaseOpened"), "organisation");
    assert_eq!(actor_of("InvitationIssued"), "organisation");
    assert_eq!(actor_of("DataSubmitted"), "individual");
    assert_eq!(actor_of("CaseCompleted"), "officer");
    assert_eq!(actor_of("TenantOpened"), "operator");
    // The token is nowhere in the store, only its hash.
    let secret = individual.split_once('.').expect("two parts").1;
    assert!(events
        .iter()
        .all(|e| !e.payload.to_string().contains(secret)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_reaches_only_its_own_case_and_stops_when_revoked() {
    let app = secure_app().await;
    let w = world(&app).await;
    let org = token(&app, &w.org).await;
    let first: Value = create_case(&app, &org, "EMP-1")
        .await
        .json()
        .await
        .expect("json");
    let second: Value = create_case(&app, &org, "EMP-2")
        .await
        .json()
        .await
        .expect("json");
    let id = first["id"].as_str().expect("id");
    let other = second["id"].as_str().expect("id");
    let invitation = first["invitation"]["token"].as_str().expect("token");

    // Another case, even in the same tenant, does not exist for it.
    for (method, path) in [
        (Method::GET, format!("/verifications/{other}")),
        (Method::PUT, format!("/verifications/{other}/data")),
    ] {
        let response = call(&app, method, &path, invitation)
            .json(&submission())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // It uploads evidence to its own case (not to another) and reads it back.
    let png = veritrail_imaging::crafted::encoded(image::ImageFormat::Png);
    let upload = |case: &str| {
        call(&app, Method::POST, &format!("/verifications/{case}/evidence"), invitation).json(
            &json!({"kind": "selfie", "image_base64": base64::engine::general_purpose::STANDARD.encode(&png)}),
        )
    };
    let response = upload(other).send().await.expect("upload elsewhere");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = upload(id).send().await.expect("upload");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let response = call(&app, Method::GET, &location, invitation)
        .send()
        .await
        .expect("download");
    assert_eq!(response.headers()["content-type"], "image/png");
    // A liveness challenge, for the frames its submission answers.
    let response = call(&app, Method::POST, "/liveness/challenge", invitation)
        .json(&json!({}))
        .send()
        .await
        .expect("challenge");
    assert_eq!(response.status(), StatusCode::CREATED);
    // Nothing else is open to it.
    for (method, path) in [
        (Method::POST, "/verifications".to_owned()),
        (Method::GET, "/admin/verifications".to_owned()),
        (Method::POST, format!("/verifications/{id}/cancel")),
        (Method::GET, format!("/admin/verifications/{id}")),
        (Method::GET, "/usage".to_owned()),
    ] {
        let response = call(&app, method, &path, invitation)
            .json(&json!({"reason": "x"}))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "forbidden", "{body}");
    }
    // A tampered secret is refused.
    let tampered = format!("{}0", invitation);
    let response = call(
        &app,
        Method::GET,
        &format!("/verifications/{id}"),
        &tampered,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Another tenant cannot revoke it (it does not exist there).
    let (globex_org, _) = open_tenant(&app, &w.operator, "globex").await;
    let globex = token(&app, &globex_org).await;
    let invitation_id = first["invitation"]["invitation_id"].as_str().expect("id");
    let revoke_path = format!("/verifications/{id}/invitations/{invitation_id}/revoke");
    let response = call(&app, Method::POST, &revoke_path, &globex)
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A second invitation works alongside; revoking the first stops only it.
    let response = call(
        &app,
        Method::POST,
        &format!("/verifications/{id}/invitations"),
        &org,
    )
    .send()
    .await
    .expect("reissue");
    assert_eq!(response.status(), StatusCode::CREATED);
    let reissued: Value = response.json().await.expect("json");
    let fresh = reissued["token"].as_str().expect("token");
    let response = call(&app, Method::POST, &revoke_path, &org)
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = call(&app, Method::POST, &revoke_path, &org)
        .send()
        .await
        .expect("revoke twice");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let revoked = call(
        &app,
        Method::GET,
        &format!("/verifications/{id}"),
        invitation,
    )
    .send()
    .await
    .expect("send");
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    let body: Value = revoked.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_token");
    let still = call(&app, Method::GET, &format!("/verifications/{id}"), fresh)
        .send()
        .await
        .expect("send");
    assert_eq!(still.status(), StatusCode::OK);

    // Closed cases get no new invitations.
    let cancelled = call(
        &app,
        Method::POST,
        &format!("/verifications/{id}/cancel"),
        &org,
    )
    .json(&json!({"reason": "duplicate"}))
    .send()
    .await
    .expect("cancel");
    assert_eq!(cancelled.status(), StatusCode::OK);
    let response = call(
        &app,
        Method::POST,
        &format!("/verifications/{id}/invitations"),
        &org,
    )
    .send()
    .await
    .expect("reissue");
    assert_eq!(response.status(), StatusCode::CONFLICT);
}
