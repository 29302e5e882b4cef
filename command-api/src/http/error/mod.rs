//! The one error shape: `{"error":{"code","message","details","trace_id"}}`.
//!
//! Every refusal, framework error (malformed JSON, wrong content type, payload
//! too large, unknown route, wrong method) and failure leaves the API in this
//! shape with a stable `code` (listed in `docs/errors.md`). A 500 never shows
//! internal messages: they are logged once, with the trace id.
//!
//! Every `From … for ApiError` lives in this module: `domain` for the
//! aggregates' refusals, `application` for the use cases' and checks'
//! errors, `framework` for actix-web's own.

mod application;
mod checks;
mod domain;
mod framework;

pub use framework::{framework_errors, json_error, path_error, query_error};

use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::trace;

/// An API error: status, stable code, human message, structured details.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Value,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The error body, as documented in the OpenAPI spec.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `illegal_transition`.
    #[schema(example = "illegal_transition")]
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Structured context (fields, states); `null` when there is none.
    #[schema(value_type = Option<Object>)]
    pub details: Value,
    /// The request's trace id (also in the `X-Request-Id` header and logs).
    pub trace_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            headers: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    pub fn validation(field: &str, reason: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!("{field}: {reason}"),
        )
        .with_details(json!({"field": field, "reason": reason.to_string()}))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; quote the trace id when reporting it",
        )
    }

    pub(super) fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                details: self.details.clone(),
                trace_id: trace::current().map(|id| id.to_string()),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.json(self.body())
    }
}
