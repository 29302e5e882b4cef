//! Framework-made errors (empty or plain-text bodies: unknown route, wrong
//! method, payload too large) put in the one error shape, as the outermost
//! error handler. The HTTP parser's own refusals are `shaped_io`'s.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::ResponseError;
use serde_json::json;

use super::error::ApiError;

/// Converts framework-made errors (empty or plain-text 4xx/5xx bodies: unknown
/// route, wrong method, …) into the one shape. Our own JSON errors pass through.
pub fn framework_errors<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::new(status, "route_not_found", "no such route"),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = super::allow::allowed(res.request().match_pattern().as_deref());
            ApiError::new(
                status,
                "method_not_allowed",
                "method not allowed on this route",
            )
            .with_details(json!({"allowed": allow}))
            .with_header(header::ALLOW, allow)
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(status, "payload_too_large", "the request body is too large")
        }
        s if s.is_server_error() => ApiError::internal(),
        s => ApiError::new(
            s,
            "bad_request",
            s.canonical_reason().unwrap_or("bad request"),
        ),
    };
    let (req, _) = res.into_parts();
    let response = error.error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
