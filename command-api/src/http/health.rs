//! Liveness and readiness (PLAT-3).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::error::{ApiError, ErrorBody};
use super::AppState;

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", security(()), responses((status = 200)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

/// The process can serve: the event store answers.
#[utoipa::path(get, path = "/health/ready", tag = "health", security(()),
    responses((status = 200), (status = 503, body = ErrorBody)))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    match state.services.cases.database().ping().await {
        Ok(()) => Ok(HttpResponse::Ok().json(json!({"status": "ready", "store": "ok"}))),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the event store is not reachable",
            ))
        }
    }
}
