//! The token endpoint (RFC 6749 §4.4, client credentials) and the published
//! keys.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::tenant::Scope;
use veritrail_domain::ActorKind;

use super::state::AppState;

/// An RFC 6749 §5.2 error (the token endpoint's own error shape).
fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"veritrail\""));
    }
    response.json(json!({ "error": error, "error_description": description }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
    /// Granted scopes, space-separated.
    pub scope: String,
}

/// The scopes a client of `role` may hold.
fn allowed_scopes(role: ActorKind) -> Vec<Scope> {
    Scope::of(role).into_iter().collect()
}

/// OAuth 2.0 client credentials grant. Form-encoded `grant_type=client_credentials`,
/// `client_id` + `client_secret` (or HTTP Basic), optional `scope`. Errors
/// follow RFC 6749 §5.2: `{"error", "error_description"}`.
#[utoipa::path(
    post, path = "/oauth2/token", tag = "auth", security(()),
    request_body(content_type = "application/x-www-form-urlencoded", content = String),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope"),
        (status = 401, description = "invalid_client"),
    )
)]
pub async fn token(req: HttpRequest, body: web::Bytes, state: web::Data<AppState>) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !body.is_empty() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the parameters as a form body (Content-Type: application/x-www-form-urlencoded), as RFC 6749 §4.4.2 asks, not JSON",
        );
    }
    let form: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "the body is not form-encoded",
            )
        }
    };
    let field = |name: &str| {
        let mut values = form
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        // RFC 6749 §3.2: parameters must not repeat.
        if values.next().is_some() {
            Err(())
        } else {
            Ok(first)
        }
    };
    let (Ok(grant), Ok(id_field), Ok(secret_field), Ok(scope)) = (
        field("grant_type"),
        field("client_id"),
        field("client_secret"),
        field("scope"),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a parameter is repeated",
        );
    };
    match grant {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            )
        }
    }
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(i, p)| (i.to_owned(), p.to_owned())));
    let (client_id, client_secret) = match (basic, id_field, secret_field) {
        (Some(_), Some(_), Some(_)) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "use one client authentication method",
            )
        }
        (Some((id, secret)), _, _) => (id, secret),
        (None, Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
        _ => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            )
        }
    };
    let now = OffsetDateTime::now_utc();
    let client = match state
        .services
        .tenants
        .authenticate(&client_id, &client_secret, now)
        .await
    {
        Ok(Some(client)) => client,
        Ok(None) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication failed",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "client authentication failed on the store");
            return oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            );
        }
    };
    let allowed = allowed_scopes(client.role);
    let granted: Vec<Scope> = match scope {
        None => allowed,
        Some(requested) => {
            let mut granted = Vec::new();
            for name in requested.split_whitespace() {
                match Scope::parse(name) {
                    Some(s) if allowed.contains(&s) => granted.push(s),
                    _ => {
                        return oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_scope",
                            &format!("{name} is not available to this client"),
                        )
                    }
                }
            }
            granted
        }
    };
    match state.auth.tokens.issue(
        &client.tenant,
        &client.client_id,
        client.role,
        &granted,
        now,
    ) {
        Ok(access_token) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(TokenResponse {
                access_token,
                token_type: "Bearer".into(),
                expires_in: state.auth.tokens.ttl().whole_seconds(),
                scope: granted
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            }),
        Err(e) => {
            tracing::error!(error = %e, "token signing failed");
            oauth_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "try again later",
            )
        }
    }
}

/// The public keys tokens are signed with (RFC 7517).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", security(()), responses((status = 200, description = "JWK set")))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "max-age=300"))
        .json(state.auth.tokens.keys().jwks())
}
