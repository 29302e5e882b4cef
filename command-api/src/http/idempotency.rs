//! `Idempotency-Key` on every POST/PUT/PATCH (CASE-10).
//!
//! The first request with a key reserves it, runs, and stores its response.
//! A retry with the same key and the same method, path and body gets the
//! stored response back (header `Idempotent-Replayed: true`) and appends
//! nothing. The same key with a different request is refused (422). A retry
//! while the first is still running gets 409. Server errors and retryable
//! refusals (those with `Retry-After`) are not stored, so the key can be
//! retried. Keys expire after the configured period. A key whose process
//! died mid-request is taken over by the next retry within seconds, and
//! that retry continues the interrupted request (see `veritrail_application::idempotency`).

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use time::OffsetDateTime;

use super::error::ApiError;
use super::identity::Identity;
use veritrail_application::idempotency::{IdempotencyStore, Reservation, StoredResponse};

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 3] = [header::ETAG, header::LOCATION, header::CONTENT_TYPE];

fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "Idempotency-Key must be 1–255 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    veritrail_application::idempotency::fingerprint(method.as_str(), path, body)
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.insert_header((name, value));
        }
    }
    response.insert_header((REPLAYED, "true"));
    response.body(stored.body)
}

pub(super) fn payload_of(bytes: web::Bytes) -> actix_web::dev::Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    actix_web::dev::Payload::from(payload)
}

/// Middleware (runs after identity): see the module documentation.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Document checks change nothing (and carry images far larger than the
    // stored-response budget): a repeat simply computes again. A method the
    // route does not serve goes on to its 405, whatever the key.
    let mutating = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH)
        && !req.path().starts_with("/document/")
        && super::allow::serves(req.match_pattern().as_deref(), req.method());
    let key = match req.headers().get(&IDEMPOTENCY_KEY) {
        Some(value) if mutating => match parse_key(value) {
            Ok(key) => key,
            Err(error) => return Ok(req.error_response(error)),
        },
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    // Public routes (the token endpoint) have nobody to scope a key to.
    let Some(identity) = req.extensions().get::<Identity>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(state) = req.app_data::<web::Data<super::state::AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::internal()));
    };
    let body = match req.extract::<web::Bytes>().await {
        Ok(body) => body,
        Err(error) => return Ok(req.error_response(error)),
    };
    let store = &state.idempotency;
    let hash = fingerprint(req.method(), req.path(), &body);
    req.set_payload(payload_of(body));

    let ctx = &identity.0;
    let now = OffsetDateTime::now_utc();
    // Held until this function returns, whatever way (see idempotency::running).
    let Some(claim) = store.claim(ctx.tenant.as_str(), ctx.actor.id.as_str(), &key) else {
        return Ok(req.error_response(in_progress()));
    };
    match store
        .reserve(
            &claim,
            ctx.tenant.as_str(),
            ctx.actor.id.as_str(),
            &key,
            &hash,
            ctx.request_id,
            now,
        )
        .await
    {
        Ok(Reservation::Reserved) => {}
        Ok(Reservation::Recovered { request_id }) => {
            // Continue the interrupted request under its id: what it
            // recorded is not recorded again (docs/api.md, idempotency).
            tracing::info!(%request_id, "continuing a request interrupted by a crash");
            let recovering = Identity(ctx.clone().recovering(request_id), identity.1.clone());
            req.extensions_mut().insert(recovering);
        }
        Ok(Reservation::Completed {
            request_hash,
            response,
        }) => {
            if request_hash != hash {
                return Ok(req.error_response(reused(&key)));
            }
            let replayed = replay(response);
            return Ok(req.into_response(replayed));
        }
        Ok(Reservation::InProgress { request_hash }) => {
            let error = if request_hash != hash {
                reused(&key)
            } else {
                in_progress()
            };
            return Ok(req.error_response(error));
        }
        Err(error) => {
            return Ok(req.error_response(ApiError::from(error)));
        }
    }

    let (tenant, actor) = (ctx.tenant.to_string(), ctx.actor.id.to_string());
    let response = match next.call(req).await {
        Ok(response) => response,
        Err(error) => {
            abandon(store, &tenant, &actor, &key).await;
            return Err(error);
        }
    };
    let (request, response) = response.into_parts();
    let status = response.status();
    let retryable =
        status.is_server_error() || response.headers().contains_key(header::RETRY_AFTER);
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(_) => {
            abandon(store, &tenant, &actor, &key).await;
            return Ok(ServiceResponse::new(
                request,
                HttpResponse::InternalServerError().finish(),
            ));
        }
    };
    if retryable {
        abandon(store, &tenant, &actor, &key).await;
    } else if let Err(error) = store
        .complete(
            &tenant,
            &actor,
            &key,
            StoredResponse {
                status: status.as_u16(),
                headers,
                body: bytes.to_vec(),
            },
        )
        .await
    {
        tracing::error!(error = %error, "could not store an idempotent response");
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(request, response))
}

fn reused(key: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different request",
    )
    .with_details(serde_json::json!({"idempotency_key": key}))
}

/// Without a final answer the key stays the request's: its retry continues
/// it. Marking it is best effort — a key this process no longer runs is
/// taken over anyway (`idempotency::running`).
async fn abandon(store: &IdempotencyStore, tenant: &str, actor: &str, key: &str) {
    if let Err(error) = store.abandon(tenant, actor, key).await {
        tracing::warn!(error = %error, "could not mark an idempotency key abandoned");
    }
}

fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed",
    )
    .with_header(header::RETRY_AFTER, "1")
}
