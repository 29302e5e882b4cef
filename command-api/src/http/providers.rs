//! `POST /providers/{name}/callbacks`: an external check provider delivers
//! its answer (CHK-11). No token: the body is signed with the provider's
//! callback secret. A repeated delivery is acknowledged and records
//! nothing; an answer for a request the check no longer waits for is a 409.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use veritrail_application::providers::CallbackError;
use veritrail_domain::case::ProviderStatus;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;

/// The header that signs a callback: `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "Veritrail-Provider-Signature";

/// A provider's answer (the same shape as its answers to requests and polls).
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // documents the body; the application parses it
pub struct ProviderAnswerDoc {
    /// The provider's id for the request.
    id: String,
    /// The reference Veritrail sent with the request.
    reference: String,
    status: ProviderStatus,
    /// 0–100.
    score: Option<u8>,
    /// Why it failed, or what the individual must do.
    reason: Option<String>,
    details: Vec<ProviderDetailDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct ProviderDetailDoc {
    name: String,
    passed: Option<bool>,
    detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackReceipt {
    /// False when this answer was already recorded (a repeated delivery).
    pub recorded: bool,
}

impl From<CallbackError> for ApiError {
    fn from(error: CallbackError) -> Self {
        use actix_web::http::StatusCode;
        let message = error.to_string();
        match error {
            CallbackError::UnknownProvider => {
                ApiError::new(StatusCode::NOT_FOUND, "provider_not_found", message)
            }
            CallbackError::BadSignature => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", message)
            }
            CallbackError::Malformed(reason) => ApiError::validation("body", reason),
            CallbackError::Service(e) => e.into(),
        }
    }
}

// Traces to: CHK-11
/// A provider's answer to a check request, signed with its callback secret.
#[utoipa::path(post, path = "/providers/{name}/callbacks", tag = "workflow",
    operation_id = "provider_callback", security(()),
    params(("name" = String, Path, description = "The provider's configured name"),
        ("Veritrail-Provider-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body with the provider's callback secret>")),
    request_body = ProviderAnswerDoc,
    responses((status = 200, body = CallbackReceipt), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn callback(
    state: web::Data<AppState>,
    request: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let signature = request
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let recorded = state
        .services
        .provider_callback(&name, &body, signature)
        .await?;
    Ok(HttpResponse::Ok().json(CallbackReceipt { recorded }))
}
