//! Failures of the database behind a request: 503 `database_unavailable`
//! with `Retry-After` when it cannot serve now (unreachable, restarting,
//! read-only, full — `veritrail_event_store::is_unavailable`), otherwise an
//! opaque 500. Both are logged once with the cause.

use std::error::Error;

use actix_web::http::header;
use actix_web::http::StatusCode;
use serde_json::json;

use super::error::ApiError;

/// Seconds a client should wait before retrying while the database is away.
const RETRY_AFTER: &str = "2";

impl ApiError {
    /// The database cannot serve now; nothing was written.
    pub fn unavailable() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is unavailable (unreachable, restarting, read-only or full); nothing was written — retry shortly",
        )
        .with_details(json!({"retryable": true}))
        .with_header(header::RETRY_AFTER, RETRY_AFTER)
    }

    /// A failed database call made while serving `what`.
    pub fn database(error: &(dyn Error + 'static), what: &str) -> Self {
        if veritrail_event_store::is_unavailable(error) {
            tracing::warn!(%error, what, "database unavailable");
            ApiError::unavailable()
        } else {
            tracing::error!(%error, what, "database failure");
            ApiError::internal()
        }
    }
}
