//! Framework-made errors (empty or plain-text bodies: unknown route, wrong
//! method, payload too large) put in the one error shape, as the outermost
//! error handler. The HTTP parser's own refusals are `shaped_io`'s.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, ResponseError};
use serde_json::json;

use super::ApiError;
use crate::http::limits::JSON_LIMIT;

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
            let allow = crate::http::allow::allowed(res.request().match_pattern().as_deref());
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

pub fn json_error(error: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
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

pub fn path_error(error: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
        .with_details(json!({"reason": error.to_string()}))
        .into()
}

pub fn query_error(error: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let reason = match &error {
        QueryPayloadError::Deserialize(e) => e.to_string(),
        other => other.to_string(),
    };
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "a query parameter is unknown or has the wrong type (see the OpenAPI document)",
    )
    .with_details(json!({ "reason": reason }))
    .into()
}
