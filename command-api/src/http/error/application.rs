//! The application layer's errors as API errors: use cases, quotas, the
//! compute pool, liveness challenges and checks. A database that cannot
//! serve now (unreachable, restarting, read-only, full) is a 503
//! `database_unavailable` with `Retry-After`; any other store failure an
//! opaque 500. Both are logged once with the cause.

use std::error::Error;

use actix_web::http::header;
use actix_web::http::StatusCode;
use serde_json::json;
use veritrail_application::ServiceError;

use super::ApiError;

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
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(e) => e.into(),
            ServiceError::TenantRefused(e) => e.into(),
            ServiceError::InvitationRefused(e) => e.into(),
            ServiceError::WebhookRefused(e) => e.into(),
            ServiceError::NotificationRefused(e) => e.into(),
            ServiceError::Forbidden(why) => ApiError::forbidden(why),
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
            ServiceError::Store(cause) => {
                tracing::error!(error = %chain(&*cause), "event store failure");
                ApiError::internal()
            }
            ServiceError::Unavailable(cause) => {
                tracing::warn!(error = %chain(&*cause), "database unavailable");
                ApiError::unavailable()
            }
            ServiceError::Invalid { field, reason } => ApiError::validation(field, reason),
            ServiceError::Corrupt(what) => {
                tracing::error!(%what, "stored data does not decode");
                ApiError::internal()
            }
        }
    }
}

/// An error and its causes, for the log.
fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<veritrail_application::compute::ComputeError> for ApiError {
    fn from(error: veritrail_application::compute::ComputeError) -> Self {
        use veritrail_application::compute::ComputeError;
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

impl From<veritrail_application::metering::QuotaError> for ApiError {
    fn from(error: veritrail_application::metering::QuotaError) -> Self {
        use time::format_description::well_known::Rfc3339;
        use veritrail_application::metering::QuotaError;
        match error {
            QuotaError::Exhausted {
                module,
                used,
                quota,
                resets_at,
            } => {
                let wait = (resets_at - time::OffsetDateTime::now_utc())
                    .whole_seconds()
                    .max(1);
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota_exceeded",
                    format!(
                        "the monthly {} quota of {quota} calls is used up",
                        module.as_str()
                    ),
                )
                .with_details(json!({
                    "module": module,
                    "used": used,
                    "quota": quota,
                    "resets_at": resets_at.format(&Rfc3339).unwrap_or_default(),
                }))
                .with_header(header::RETRY_AFTER, &wait.to_string())
            }
            QuotaError::Service(e) => e.into(),
        }
    }
}

impl From<veritrail_application::challenges::ChallengeError> for ApiError {
    fn from(error: veritrail_application::challenges::ChallengeError) -> Self {
        use veritrail_application::challenges::ChallengeError;
        let message = error.to_string();
        match error {
            ChallengeError::Unknown => {
                ApiError::new(StatusCode::NOT_FOUND, "challenge_not_found", message)
            }
            ChallengeError::Used => ApiError::new(StatusCode::CONFLICT, "challenge_used", message),
            ChallengeError::Expired => {
                ApiError::new(StatusCode::CONFLICT, "challenge_expired", message)
            }
            ChallengeError::WrongNonce => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "challenge_nonce_mismatch",
                message,
            ),
            ChallengeError::Store(e) => e.into(),
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
