//! The OpenAPI 3.1 document, generated from the routes' annotations: the
//! contract every route is checked against (`schemas/openapi.json`).

use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes,
    SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use super::doc_errors::StandardResponses;

use super::{
    admin, auth, cases, dashboards, document, documents, evidence, faces, health, invitation_page,
    invitations, kyc, liveness, notifications, operator, providers, queries, usage, webhooks,
    workflow,
};

/// Declares how callers authenticate (see docs/security.md) and requires one
/// of them everywhere except on the public paths, which opt out.
#[derive(Debug)]
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/oauth2/token",
                    Scopes::from_iter([
                        ("org.verify", "organisations: open and follow cases"),
                        (
                            "user.submit",
                            "individuals: submit data (invitations carry it)",
                        ),
                        ("admin.review", "verification officers: review and decide"),
                        (
                            "platform.operate",
                            "operators: tenants, clients, plans, keys",
                        ),
                    ]),
                ))],
                "OAuth 2.0 client credentials; send the token as `Authorization: Bearer`.",
            )),
        );
        components.add_security_scheme(
            "invitation",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vti_<invitation id>.<secret>")
                    .description(Some(
                        "An individual's invitation token: reaches only its own case.",
                    ))
                    .build(),
            ),
        );
        for (name, header, description) in [
            ("api_key", "X-API-KEY", "The client id."),
            (
                "api_timestamp",
                "X-API-TIMESTAMP",
                "Unix time in milliseconds (recommended) or seconds, within 5 minutes.",
            ),
            (
                "api_sign",
                "X-API-SIGN",
                "hex(hmac_sha256(secret, ts + \"\\n\" + METHOD + \"\\n\" + path + \"\\n\" + hex(sha256(body)))); each signature is accepted once. With an optional X-API-NONCE header (1-64 letters, digits, - or _), the nonce is signed after the timestamp: ts + \"\\n\" + nonce + \"\\n\" + METHOD + ….",
            ),
        ] {
            components.add_security_scheme(
                name,
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    header,
                    description,
                ))),
            );
        }
        let none: [&str; 0] = [];
        openapi.security = Some(vec![
            SecurityRequirement::new("oauth2", none),
            SecurityRequirement::new("api_key", none)
                .add("api_timestamp", none)
                .add("api_sign", none),
            SecurityRequirement::new("invitation", none),
        ]);
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Veritrail",
        description = "Event-sourced identity-verification cases: organisations open cases, \
individuals submit data, verification officers decide. Every change is an immutable event.\n\n\
Errors always look like `{\"error\":{\"code\",\"message\",\"details\",\"trace_id\"}}`. \
Every POST/PUT/PATCH accepts `Idempotency-Key`; responses carry an `ETag` that \
`If-Match` can demand.\n\n\
Callers authenticate with an OAuth 2.0 client-credentials token, an HMAC-signed request \
(`X-API-KEY`, `X-API-TIMESTAMP`, `X-API-SIGN`) or, for individuals, an invitation token. \
Requests are limited per client (`RateLimit-*` headers, 429 with `Retry-After`) and billed \
modules by a monthly quota.",
        license(name = "Apache-2.0")
    ),
    paths(
        cases::create,
        cases::get,
        cases::submit_data,
        cases::retry,
        cases::remind,
        cases::cancel,
        cases::recreate,
        cases::resubmit,
        evidence::upload_json,
        evidence::download,
        invitations::create,
        invitation_page::page,
        invitations::revoke,
        usage::usage,
        admin::get,
        admin::decide,
        admin::assign,
        admin::bypass,
        admin::review,
        admin::request_action,
        admin::expire,
        queries::last_active,
        queries::queue,
        queries::audit,
        queries::case_events,
        queries::history,
        dashboards::overview,
        dashboards::by_region,
        dashboards::by_country,
        dashboards::funnel,
        dashboards::financial,
        dashboards::timeline,
        documents::validate_document,
        document::read_document,
        faces::face_match,
        liveness::challenge,
        liveness::analyze,
        kyc::verify,
        kyc::job,
        providers::callback,
        workflow::get,
        workflow::put,
        webhooks::event_types,
        webhooks::create,
        webhooks::list,
        webhooks::get,
        webhooks::update,
        webhooks::delete,
        webhooks::rotate,
        webhooks::messages,
        webhooks::message,
        webhooks::redeliver,
        webhooks::redeliver_failed,
        notifications::settings,
        notifications::put_settings,
        notifications::log,
        auth::token,
        auth::jwks,
        operator::create_tenant,
        operator::list_tenants,
        operator::get_tenant,
        operator::set_plan,
        operator::configure_checks,
        operator::create_client,
        operator::rotate_secret,
        operator::revoke_client,
        operator::rotate_signing_key,
        health::live,
        health::ready,
    ),
    tags(
        (name = "verifications", description = "Organisations and individuals"),
        (name = "admin", description = "Verification officers"),
        (name = "documents", description = "Document checks, callable on their own (CHK-12)"),
        (name = "faces", description = "Face match and liveness, callable on their own (CHK-12)"),
        (name = "workflow", description = "The full verification in one call, and the tenant's workflow: checks, score and decision follow on their own"),
        (name = "dashboards", description = "Analytics from the read models (seed 004)"),
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "OAuth 2.0 client credentials and the token signing keys"),
        (name = "operator", description = "Tenants, plans, API clients and signing keys (operators)"),
        (name = "usage", description = "Metered usage and quotas"),
        (name = "notifications", description = "Emails to individuals (invitation, reminders, requests to act) and officers (new submissions, escalations): settings, templates and the log"),
        (name = "webhooks", description = "Signed webhooks (Standard Webhooks): endpoints, event types, delivery log, redelivery"),
    ),
    modifiers(&Security, &StandardResponses)
)]
pub struct ApiDoc;

/// The spec as pretty JSON (also written to `schemas/openapi.json`).
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_owned())
}
