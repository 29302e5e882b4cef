//! The HTTP API (actix-web).

mod admin;
mod allow;
mod auth;
mod cases;
mod dashboards;
mod doc_errors;
mod docs;
mod documents;
mod dto;
mod error;
mod error_db;
mod error_framework;
mod etag;
mod faces;
#[cfg(fuzzing)]
pub mod fuzzing;
mod health;
mod idempotency;
mod identity;
mod invitations;
mod liveness;
mod ocr;
mod operator;
mod queries;
mod server;
mod shaped_io;
mod throttle;
mod trace;
mod usage;

use std::sync::Arc;
use std::time::Duration;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use serde_json::json;

pub use auth::Auth;
pub use docs::{openapi_json, ApiDoc};
pub use error::{ApiError, ErrorBody};
pub use identity::DevIdentity;
pub use server::server;

use crate::application::CaseService;
use crate::idempotency::IdempotencyStore;
use crate::metering::Metering;
use crate::read_models::ReadModels;

/// Milliseconds since `started`, to a tenth (the `processing_ms` of checks).
fn elapsed_ms(started: std::time::Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 256 * 1024;

/// Shared state of every worker.
#[derive(Debug, Clone)]
pub struct AppState {
    pub cases: Arc<CaseService>,
    pub read_models: ReadModels,
    /// After a command, wait up to this long for the read model to show it,
    /// so the caller reads its own writes (`None` when no projection runs here).
    pub read_your_writes: Option<Duration>,
    /// Set while the read model is known to lag (a wait timed out).
    pub read_model_lagging: Arc<std::sync::atomic::AtomicBool>,
}

/// What the server needs besides a listener.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub dev_identity: DevIdentity,
    pub idempotency: IdempotencyStore,
    pub workers: usize,
    /// The document readers (Tesseract engines and models), shared.
    pub documents: Arc<veritrail_vision::DocumentReader>,
    pub auth: Auth,
    pub metering: Arc<Metering>,
    /// The face models (ONNX Runtime sessions), shared.
    pub faces: Arc<veritrail_face::FaceEngine>,
    pub challenges: crate::challenges::Challenges,
    /// The bounded pool for image decoding, OCR and inference.
    pub compute: crate::compute::ComputePool,
}

fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send a JSON body with Content-Type: application/json",
        ),
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the JSON body is larger than {JSON_LIMIT} bytes"),
            )
            .with_details(json!({"limit": JSON_LIMIT}))
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "the JSON body does not have the expected fields and types",
        )
        .with_details(json!({"reason": e.to_string(), "line": e.line(), "column": e.column()})),
        JsonPayloadError::Deserialize(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "the body is not valid JSON",
        )
        .with_details(json!({"reason": e.to_string(), "line": e.line(), "column": e.column()})),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the body could not be read",
        ),
    };
    api.into()
}

fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
        .with_details(json!({"reason": error.to_string()}))
        .into()
}

fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", error.to_string()).into()
}

/// Registers every route (used by the server and by tests). Resources answer
/// 405 for a method they do not serve.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health/live").get(health::live))
        .service(web::resource("/oauth2/token").post(auth::token))
        .service(web::resource("/.well-known/jwks.json").get(auth::jwks))
        .service(web::resource("/operator/tenants").post(operator::create_tenant))
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
                        .limit(ocr::OCR_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(ocr::read_document),
        )
        .service(
            web::resource("/face/match")
                .app_data(
                    web::JsonConfig::default()
                        .limit(ocr::OCR_BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(faces::face_match),
        )
        .service(web::resource("/liveness/challenge").post(liveness::challenge))
        .service(
            web::resource("/liveness/analyze")
                .app_data(
                    web::JsonConfig::default()
                        .limit(liveness::BODY_LIMIT)
                        .error_handler(json_error),
                )
                .post(liveness::analyze),
        )
        .service(web::resource("/operator/tenants/{tenant}/checks").put(operator::configure_checks))
        .service(web::resource("/verifications").post(cases::create))
        .service(web::resource("/verifications/last-active").get(queries::last_active))
        .service(web::resource("/verifications/{id}").get(cases::get))
        .service(web::resource("/verifications/{id}/data").put(cases::submit_data))
        .service(web::resource("/verifications/{id}/retry").post(cases::retry))
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
        );
}
