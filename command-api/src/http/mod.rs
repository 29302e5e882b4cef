//! The HTTP API (actix-web).

mod admin;
mod allow;
mod auth;
mod body;
mod cases;
mod dashboards;
mod doc_errors;
mod docs;
mod document;
mod documents;
mod dto;
mod error;
mod etag;
mod evidence;
mod faces;
#[cfg(fuzzing)]
pub mod fuzzing;
mod health;
mod idempotency;
mod identity;
mod invitation_page;
mod invitations;
mod kyc;
mod limits;
mod liveness;
mod notifications;
mod openapi;
mod operator;
mod providers;
mod queries;
mod respond;
mod scope;
mod server;
mod shaped_io;
mod state;
mod throttle;
mod trace;
mod usage;
mod webhooks;
mod workflow;

use actix_web::web;

use error::json_error;
pub use error::{ApiError, ErrorBody};
pub use openapi::{openapi_json, ApiDoc};
pub use server::server;
pub use state::{AppState, Auth, DevIdentity};

pub use limits::JSON_LIMIT;
use limits::{IMAGES_BODY_LIMIT, KYC_BODY_LIMIT, LIVENESS_BODY_LIMIT, UPLOAD_BODY_LIMIT};

/// What the server needs besides a listener and the state.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub workers: usize,
}

/// Registers every route (used by the server and by tests). Resources answer
/// 405 for a method they do not serve.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health/live").get(health::live))
        .service(web::resource("/oauth2/token").post(auth::token))
        .service(web::resource("/.well-known/jwks.json").get(auth::jwks))
        .service(
            web::resource("/operator/tenants")
                .post(operator::create_tenant)
                .get(operator::list_tenants),
        )
        .service(web::resource("/operator/tenants/{tenant}").get(operator::get_tenant))
        .service(web::resource("/operator/tenants/{tenant}/plan").put(operator::set_plan))
        .service(web::resource("/operator/tenants/{tenant}/clients").post(operator::create_client))
        .service(
            web::resource("/operator/tenants/{tenant}/clients/{client_id}/rotate")
                .post(operator::rotate_secret),
        )
        .service(
            web::resource("/operator/tenants/{tenant}/clients/{client_id}/revoke")
                .post(operator::revoke_client),
        )
        .service(web::resource("/operator/signing-keys/rotate").post(operator::rotate_signing_key))
        .service(web::resource("/usage").get(usage::usage))
        .service(web::resource("/health/ready").get(health::ready))
        .service(web::resource("/openapi.json").get(docs::spec))
        .service(web::resource(["/docs", "/docs/"]).get(docs::page))
        .service(web::resource("/docs/swagger-ui-bundle.js").get(docs::bundle))
        .service(web::resource("/docs/swagger-ui.css").get(docs::stylesheet))
        .service(web::resource("/document/validate").post(documents::validate_document))
        .service(
            web::resource("/document/ocr")
                .app_data(
                    web::JsonConfig::default()
                        .limit(IMAGES_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(document::read_document),
        )
        .service(
            web::resource("/face/match")
                .app_data(
                    web::JsonConfig::default()
                        .limit(IMAGES_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(faces::face_match),
        )
        .service(
            web::resource("/kyc/verify")
                .app_data(
                    web::JsonConfig::default()
                        .limit(KYC_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(kyc::verify),
        )
        .service(web::resource("/kyc/verify/{id}").get(kyc::job))
        .service(web::resource("/providers/{name}/callbacks").post(providers::callback))
        .service(
            web::resource("/workflow")
                .get(workflow::get)
                .put(workflow::put),
        )
        .service(web::resource("/notifications").get(notifications::log))
        .service(
            web::resource("/notifications/settings")
                .get(notifications::settings)
                .put(notifications::put_settings),
        )
        .service(web::resource("/webhooks/event-types").get(webhooks::event_types))
        .service(
            web::resource("/webhooks/endpoints")
                .post(webhooks::create)
                .get(webhooks::list),
        )
        .service(
            web::resource("/webhooks/endpoints/{id}")
                .get(webhooks::get)
                .patch(webhooks::update)
                .delete(webhooks::delete),
        )
        .service(web::resource("/webhooks/endpoints/{id}/rotate-secret").post(webhooks::rotate))
        .service(web::resource("/webhooks/endpoints/{id}/messages").get(webhooks::messages))
        .service(
            web::resource("/webhooks/endpoints/{id}/messages/{message_id}").get(webhooks::message),
        )
        .service(
            web::resource("/webhooks/endpoints/{id}/messages/{message_id}/redeliver")
                .post(webhooks::redeliver),
        )
        .service(
            web::resource("/webhooks/endpoints/{id}/redeliver-failed")
                .post(webhooks::redeliver_failed),
        )
        .service(web::resource("/liveness/challenge").post(liveness::challenge))
        .service(
            web::resource("/liveness/analyze")
                .app_data(
                    web::JsonConfig::default()
                        .limit(LIVENESS_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(liveness::analyze),
        )
        .service(web::resource("/operator/tenants/{tenant}/checks").put(operator::configure_checks))
        .service(web::resource("/invitations").get(invitation_page::page))
        .service(web::resource("/verifications").post(cases::create))
        .service(web::resource("/verifications/last-active").get(queries::last_active))
        .service(web::resource("/verifications/{id}").get(cases::get))
        .service(web::resource("/verifications/{id}/data").put(cases::submit_data))
        .service(
            web::resource("/verifications/{id}/evidence")
                .app_data(
                    web::JsonConfig::default()
                        .limit(UPLOAD_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .route(
                    web::post()
                        .guard(actix_web::guard::fn_guard(evidence::is_multipart))
                        .to(evidence::upload_multipart),
                )
                .route(web::post().to(evidence::upload_json)),
        )
        .service(web::resource("/verifications/{id}/evidence/{media_id}").get(evidence::download))
        .service(web::resource("/verifications/{id}/retry").post(cases::retry))
        .service(web::resource("/verifications/{id}/remind").post(cases::remind))
        .service(web::resource("/verifications/{id}/cancel").post(cases::cancel))
        .service(web::resource("/verifications/{id}/recreate").post(cases::recreate))
        .service(web::resource("/verifications/{id}/invitations").post(invitations::create))
        .service(
            web::resource("/verifications/{id}/invitations/{invitation_id}/revoke")
                .post(invitations::revoke),
        )
        .service(web::resource("/verifications/{id}/checks/{check}/resubmit").post(cases::resubmit))
        .service(web::resource("/admin/verifications").get(queries::queue))
        .service(web::resource("/admin/audit").get(queries::audit))
        .service(web::resource("/admin/dashboard/overview").get(dashboards::overview))
        .service(web::resource("/admin/dashboard/by-region").get(dashboards::by_region))
        .service(web::resource("/admin/dashboard/by-country").get(dashboards::by_country))
        .service(web::resource("/admin/dashboard/funnel").get(dashboards::funnel))
        .service(web::resource("/admin/dashboard/financial").get(dashboards::financial))
        .service(web::resource("/admin/dashboard/timeline").get(dashboards::timeline))
        .service(
            web::resource("/admin/verifications/{id}")
                .get(admin::get)
                .patch(admin::decide),
        )
        .service(web::resource("/admin/verifications/{id}/events").get(queries::case_events))
        .service(web::resource("/admin/verifications/{id}/assign").post(admin::assign))
        .service(web::resource("/admin/verifications/{id}/history").get(queries::history))
        .service(
            web::resource("/admin/verifications/{id}/checks/{check}/bypass").post(admin::bypass),
        )
        .service(
            web::resource("/admin/verifications/{id}/checks/{check}/review").post(admin::review),
        )
        .service(
            web::resource("/admin/verifications/{id}/checks/{check}/request-action")
                .post(admin::request_action),
        )
        .service(
            web::resource("/admin/verifications/{id}/checks/{check}/expire").post(admin::expire),
        );
}
