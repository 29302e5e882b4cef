//! Middleware (after authentication): the per-client request rate and daily
//! cap of the tenant's plan (AUTH-5). Allowed answers carry `RateLimit-Limit`,
//! `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; refused
//! requests get 429 with `Retry-After` in the one error shape. Tenants
//! without a plan (development identities only) are not limited. Without
//! its state (a wiring bug) it refuses rather than lets requests through.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use serde_json::json;

use super::error::ApiError;
use super::identity::Identity;
use super::state::AppState;
use veritrail_application::rate_limit::Decision;

const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

fn set(headers: &mut HeaderMap, name: HeaderName, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(name, value);
    }
}

pub async fn throttle(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let identity = req.extensions().get::<Identity>().cloned();
    let Some(identity) = identity else {
        // Unauthenticated routes (health, token, docs) are not counted.
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        tracing::error!("the rate limiter is not configured: refusing");
        return Ok(req.error_response(ApiError::internal()));
    };
    let decision = match state.services.rate_limits.admit(&identity.0).await {
        Ok(Some(decision)) => decision,
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(error) => return Ok(req.error_response(ApiError::from(error))),
    };
    match decision {
        Decision::Allowed {
            limit,
            remaining,
            reset,
        } => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            if limit > 0 {
                let headers = response.headers_mut();
                set(headers, LIMIT, limit.to_string());
                set(headers, REMAINING, remaining.to_string());
                set(headers, RESET, reset.to_string());
                set(headers, POLICY, format!("{limit};w=60"));
            }
            Ok(response)
        }
        Decision::RateLimited { limit, retry_after } => {
            let error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("more than {limit} requests a minute; retry in {retry_after} s"),
            )
            .with_details(json!({"limit": limit, "window_seconds": 60, "retry_after": retry_after}))
            .with_header(header::RETRY_AFTER, &retry_after.to_string())
            .with_header(LIMIT, &limit.to_string())
            .with_header(REMAINING, "0")
            .with_header(RESET, &retry_after.to_string())
            .with_header(POLICY, &format!("{limit};w=60"));
            Ok(req.error_response(error))
        }
        Decision::DailyCapReached { cap, retry_after } => {
            let error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "daily_limit_reached",
                format!("the daily cap of {cap} requests is reached; it resets at 00:00 UTC"),
            )
            .with_details(json!({"cap": cap, "retry_after": retry_after}))
            .with_header(header::RETRY_AFTER, &retry_after.to_string());
            Ok(req.error_response(error))
        }
    }
}
