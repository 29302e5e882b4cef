//! Request ids: one per request, on every response (`X-Request-Id`), every log
//! line of the request (span field) and every error body (`trace_id`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::Instrument;
use uuid::Uuid;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static TRACE_ID: Uuid;
}

/// The trace id of the request being handled, if any.
pub fn current() -> Option<Uuid> {
    TRACE_ID.try_with(|id| *id).ok()
}

/// This request's id, as handlers see it.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub Uuid);

/// Middleware: accepts a caller's UUID `X-Request-Id` or makes one, runs the
/// request in a span carrying it, logs the outcome once.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v).ok())
        .unwrap_or_else(Uuid::now_v7);
    req.extensions_mut().insert(RequestId(id));
    let span = tracing::info_span!(
        "http_request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        status = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let result = TRACE_ID
        .scope(id, next.call(req))
        .instrument(span.clone())
        .await;
    let _enter = span.enter();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            span.record("status", status);
            if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            tracing::info!(
                status,
                elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
                "request finished"
            );
            Ok(res)
        }
        Err(error) => {
            tracing::warn!(error = %error, "request failed");
            Err(error)
        }
    }
}
