//! The one error shape: `{"error":{"code","message","details","trace_id"}}`.
//!
//! Every refusal, framework error (malformed JSON, wrong content type, payload
//! too large, unknown route, wrong method) and failure leaves the API in this
//! shape with a stable `code` (listed in `docs/errors.md`). A 500 never shows
//! internal messages: they are logged once, with the trace id.

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use veritrail_domain::case::CaseError;

use super::trace;
use crate::application::ServiceError;

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

    fn body(&self) -> ErrorBody {
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

impl From<CaseError> for ApiError {
    fn from(error: CaseError) -> Self {
        let message = error.to_string();
        match &error {
            CaseError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "case_not_found", message),
            CaseError::AlreadyOpened => ApiError::new(StatusCode::CONFLICT, "case_exists", message),
            CaseError::IllegalTransition { command, status } => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", message)
                    .with_details(json!({"command": command, "status": status}))
            }
            CaseError::CheckNotRequested { check } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "check_not_requested",
                message,
            )
            .with_details(json!({"check": check})),
            CaseError::IllegalCheckTransition {
                command,
                check,
                state,
            } => ApiError::new(StatusCode::CONFLICT, "illegal_check_transition", message)
                .with_details(json!({"command": command, "check": check, "state": state})),
            CaseError::ChecksOutstanding { checks } => {
                ApiError::new(StatusCode::CONFLICT, "checks_outstanding", message)
                    .with_details(json!({"checks": checks}))
            }
            CaseError::RetryLimitReached { check, attempts } => {
                ApiError::new(StatusCode::CONFLICT, "retry_limit_reached", message)
                    .with_details(json!({"check": check, "attempts": attempts}))
            }
            CaseError::ActionDeadlineNotReached { check, deadline } => {
                ApiError::new(StatusCode::CONFLICT, "deadline_not_reached", message)
                    .with_details(json!({"check": check, "deadline": deadline.to_string()}))
            }
            CaseError::NonPositiveResponsePeriod => {
                ApiError::validation("respond_within_hours", message)
            }
            CaseError::DateOfBirthInFuture => ApiError::validation("date_of_birth", message),
            CaseError::ReplacementIsSelf | CaseError::RestartOfSelf => {
                ApiError::validation("restart", message)
            }
        }
    }
}

impl From<veritrail_domain::tenant::TenantError> for ApiError {
    fn from(error: veritrail_domain::tenant::TenantError) -> Self {
        use veritrail_domain::tenant::TenantError;
        let message = error.to_string();
        match error {
            TenantError::NotFound => ApiError::not_found("tenant"),
            TenantError::UnknownClient(_) => {
                ApiError::new(StatusCode::NOT_FOUND, "client_not_found", message)
            }
            TenantError::AlreadyOpened => {
                ApiError::new(StatusCode::CONFLICT, "tenant_exists", message)
            }
            TenantError::ClientExists(_) => {
                ApiError::new(StatusCode::CONFLICT, "client_exists", message)
            }
            TenantError::ClientRevoked(_) => {
                ApiError::new(StatusCode::CONFLICT, "client_revoked", message)
            }
            TenantError::RoleNotForClients(_) => ApiError::validation("role", message),
            TenantError::UnknownPlan(_) => ApiError::validation("plan", message),
            TenantError::InvalidThreshold => ApiError::validation("face_match_threshold", message),
            TenantError::LastOperatorClient(client_id) => {
                ApiError::new(StatusCode::CONFLICT, "last_operator_client", message)
                    .with_details(json!({"client_id": client_id}))
            }
        }
    }
}

impl From<veritrail_domain::invitation::InvitationError> for ApiError {
    fn from(error: veritrail_domain::invitation::InvitationError) -> Self {
        use veritrail_domain::invitation::InvitationError;
        let message = error.to_string();
        match error {
            InvitationError::NotFound => ApiError::not_found("invitation"),
            InvitationError::AlreadyIssued => {
                ApiError::new(StatusCode::CONFLICT, "invitation_exists", message)
            }
            InvitationError::AlreadyRevoked => {
                ApiError::new(StatusCode::CONFLICT, "invitation_revoked", message)
            }
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(e) => e.into(),
            ServiceError::TenantRefused(e) => e.into(),
            ServiceError::InvitationRefused(e) => e.into(),
            ServiceError::Conflict => ApiError::new(
                StatusCode::CONFLICT,
                "concurrent_modification",
                "the case was changed by another request; reload it and retry",
            )
            .with_details(json!({"retryable": true}))
            .with_header(header::RETRY_AFTER, "1"),
            ServiceError::VersionMismatch { expected, current } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "If-Match does not name the case's current version; reload it",
            )
            .with_details(json!({"expected": expected, "current": current})),
            ServiceError::Contention(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "contention",
                "too many concurrent requests for this subject; retry shortly",
            )
            .with_details(json!({"retryable": true}))
            .with_header(header::RETRY_AFTER, "1"),
            ServiceError::Store(detail) => {
                tracing::error!(error = %detail, "event store failure");
                ApiError::internal()
            }
            ServiceError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable");
                ApiError::unavailable()
            }
        }
    }
}

impl From<crate::compute::ComputeError> for ApiError {
    fn from(error: crate::compute::ComputeError) -> Self {
        use crate::compute::ComputeError;
        match error {
            ComputeError::Saturated => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "every image worker is busy; retry shortly",
            )
            .with_details(json!({"retryable": true}))
            .with_header(header::RETRY_AFTER, "2"),
            ComputeError::TimedOut(budget) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "check_timed_out",
                format!(
                    "the check did not finish within {} s; retry shortly",
                    budget.as_secs_f64()
                ),
            )
            .with_details(json!({"retryable": true, "budget_ms": budget.as_millis()}))
            .with_header(header::RETRY_AFTER, "5"),
            ComputeError::Panicked => ApiError::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_becomes_an_opaque_500() {
        let error: ApiError = ServiceError::Store("password=hunter2 at 10.0.0.5".into()).into();
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&error.body()).expect("json");
        assert!(
            !body.contains("hunter2") && !body.contains("10.0.0.5"),
            "{body}"
        );
        assert!(body.contains("internal_error"));
    }

    #[test]
    fn conflicts_carry_a_retry_hint() {
        let error: ApiError = ServiceError::Conflict.into();
        assert_eq!(error.status, StatusCode::CONFLICT);
        assert!(error
            .headers
            .iter()
            .any(|(name, _)| name == header::RETRY_AFTER));
    }
}
