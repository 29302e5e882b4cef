//! The token endpoint (RFC 6749 §4.4, client credentials), the published
//! keys, and the operator endpoints for tenants and clients.

use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::tenant::Scope;
use veritrail_domain::{ActorKind, TenantId};

use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use crate::auth::{Credentials, NewTenant, TenantService, Tokens};

/// What authentication needs at run time.
#[derive(Debug, Clone)]
pub struct Auth {
    pub tokens: Tokens,
    pub tenants: Arc<TenantService>,
    /// Accept `X-Tenant-Id`/`X-Actor-Kind`/`X-Actor-Id` without a token
    /// (development and tests only).
    pub dev_headers: bool,
}

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
    post, path = "/oauth2/token", tag = "auth",
    request_body(content_type = "application/x-www-form-urlencoded", content = String),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_scope"),
        (status = 401, description = "invalid_client"),
    )
)]
pub async fn token(req: HttpRequest, body: web::Bytes, auth: web::Data<Auth>) -> HttpResponse {
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
    let client = match auth
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
    match auth.tokens.issue(
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
                expires_in: auth.tokens.ttl().whole_seconds(),
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
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, description = "JWK set")))]
pub async fn jwks(auth: web::Data<Auth>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "max-age=300"))
        .json(auth.tokens.keys().jwks())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    pub tenant_id: String,
    pub name: String,
    /// ISO 3166-1 alpha-3.
    pub country: String,
    pub support_email: String,
    #[serde(default = "default_plan")]
    pub plan: String,
}

fn default_plan() -> String {
    "standard".into()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// organisation, officer or operator.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// How long the old secret keeps working (default 24 h, at most 30 days).
    #[serde(default)]
    pub overlap_hours: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialsView {
    pub client_id: String,
    /// Shown once; only a hash is stored.
    pub client_secret: String,
}

impl From<Credentials> for CredentialsView {
    fn from(c: Credentials) -> Self {
        Self {
            client_id: c.client_id,
            client_secret: c.client_secret,
        }
    }
}

fn operator(identity: &Identity) -> Result<&crate::application::RequestContext, ApiError> {
    identity.require(&[ActorKind::Operator])
}

fn tenant_path(value: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(value).map_err(|_| ApiError::not_found("tenant"))
}

/// Open a tenant (operators).
#[utoipa::path(post, path = "/operator/tenants", tag = "operator", request_body = CreateTenant,
    responses((status = 201), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_tenant(
    identity: Identity,
    auth: web::Data<Auth>,
    body: web::Json<CreateTenant>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let body = body.into_inner();
    let tenant =
        TenantId::parse(&body.tenant_id).map_err(|e| ApiError::validation("tenant_id", e))?;
    if veritrail_domain::country::by_alpha3(&body.country).is_none() {
        return Err(ApiError::validation(
            "country",
            "an ISO 3166-1 alpha-3 code",
        ));
    }
    if !body.support_email.contains('@') {
        return Err(ApiError::validation("support_email", "an email address"));
    }
    auth.tenants
        .open(
            ctx,
            NewTenant {
                tenant: tenant.clone(),
                name: body.name,
                country: body.country,
                support_email: body.support_email,
                plan: body.plan,
            },
        )
        .await?;
    Ok(HttpResponse::Created().json(json!({ "tenant_id": tenant.to_string() })))
}

/// Register an API client for a tenant; the secret is in this answer only.
#[utoipa::path(post, path = "/operator/tenants/{tenant}/clients", tag = "operator", request_body = CreateClient,
    responses((status = 201, body = CredentialsView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_client(
    identity: Identity,
    auth: web::Data<Auth>,
    path: web::Path<String>,
    body: web::Json<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let tenant = tenant_path(&path)?;
    let role = body
        .role
        .parse::<ActorKind>()
        .map_err(|_| ApiError::validation("role", "organisation, officer or operator"))?;
    let credentials = auth.tenants.register_client(ctx, &tenant, role).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CredentialsView::from(credentials)))
}

/// Give a client a new secret; the old one works for `overlap_hours` more.
#[utoipa::path(post, path = "/operator/tenants/{tenant}/clients/{client_id}/rotate", tag = "operator",
    request_body = RotateSecret,
    responses((status = 200, body = CredentialsView), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    identity: Identity,
    auth: web::Data<Auth>,
    path: web::Path<(String, String)>,
    body: web::Json<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let (tenant, client_id) = path.into_inner();
    let tenant = tenant_path(&tenant)?;
    let hours = body.overlap_hours.unwrap_or(24);
    if hours > 720 {
        return Err(ApiError::validation("overlap_hours", "at most 720"));
    }
    let credentials = auth
        .tenants
        .rotate_secret(
            ctx,
            &tenant,
            &client_id,
            time::Duration::hours(i64::from(hours)),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CredentialsView::from(credentials)))
}

/// Revoke a client: its secrets stop working at once (tokens already
/// issued expire within their lifetime).
#[utoipa::path(post, path = "/operator/tenants/{tenant}/clients/{client_id}/revoke", tag = "operator",
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_client(
    identity: Identity,
    auth: web::Data<Auth>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let (tenant, client_id) = path.into_inner();
    auth.tenants
        .revoke_client(ctx, &tenant_path(&tenant)?, &client_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
