//! Who is calling. Handlers take tenant and actor from the request extension
//! set here, never from a body.
//!
//! A request authenticates with `Authorization: Bearer <token>` (an access
//! token from `POST /oauth2/token`): the token names the tenant, the client
//! (the actor id), its role and its scopes. When `dev_identity_headers` is
//! on (development and tests only), a request without a token may name
//! itself with `X-Tenant-Id`, `X-Actor-Kind` and `X-Actor-Id` instead.
//! Public paths (health, API docs, the token endpoint and the published
//! keys) need neither.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use uuid::Uuid;
use veritrail_domain::tenant::Scope;
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};

use super::auth::Auth;
use super::error::ApiError;
use super::trace::RequestId;
use crate::application::RequestContext;

/// The identity used when a request names none (development only).
#[derive(Debug, Clone)]
pub struct DevIdentity {
    pub tenant: TenantId,
    pub actor: Actor,
}

/// The authenticated caller of one request and the scopes it was granted.
#[derive(Debug, Clone)]
pub struct Identity(pub RequestContext, pub Vec<Scope>);

impl Identity {
    /// Refuses callers whose role may not use this endpoint, or whose token
    /// lacks the scope that role acts with (`org.verify` for organisations,
    /// `admin.review` for officers, `platform.operate` for operators).
    pub fn require(&self, allowed: &[ActorKind]) -> Result<&RequestContext, ApiError> {
        let kind = self.0.actor.kind;
        let scope = Scope::of(kind);
        if allowed.contains(&kind) && scope.is_some_and(|s| self.1.contains(&s)) {
            Ok(&self.0)
        } else if allowed.contains(&kind) {
            Err(ApiError::forbidden(format!(
                "the token lacks the {} scope",
                scope.map(Scope::as_str).unwrap_or("required")
            ))
            .with_details(serde_json::json!({ "scopes": self.1, "required": scope })))
        } else {
            Err(
                ApiError::forbidden(format!("a {} may not do this", self.0.actor.kind.as_str()))
                    .with_details(serde_json::json!({
                        "actor_kind": self.0.actor.kind,
                        "allowed": allowed,
                    })),
            )
        }
    }
}

impl FromRequest for Identity {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<Identity>().cloned().ok_or_else(|| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "no identity")
        }))
    }
}

fn header<'a>(req: &'a ServiceRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn resolve(req: &ServiceRequest, default: &DevIdentity) -> Result<RequestContext, ApiError> {
    let tenant = match header(req, "x-tenant-id") {
        Some(t) => TenantId::parse(t).map_err(|e| {
            ApiError::new(StatusCode::UNAUTHORIZED, "invalid_identity", e.to_string())
        })?,
        None => default.tenant.clone(),
    };
    let kind = match header(req, "x-actor-kind") {
        Some(k) => k.parse::<ActorKind>().map_err(|e| {
            ApiError::new(StatusCode::UNAUTHORIZED, "invalid_identity", e.to_string())
        })?,
        None => default.actor.kind,
    };
    if kind == ActorKind::System {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_identity",
            "the system actor cannot call the API",
        ));
    }
    let id = match header(req, "x-actor-id") {
        Some(id) => ActorId::parse(id).map_err(|e| {
            ApiError::new(StatusCode::UNAUTHORIZED, "invalid_identity", e.to_string())
        })?,
        None => default.actor.id.clone(),
    };
    let request_id = request_ids(req);
    Ok(RequestContext {
        tenant,
        actor: Actor::new(kind, id),
        correlation_id: request_id,
        request_id,
    })
}

fn is_public(path: &str) -> bool {
    path.starts_with("/health/")
        || path == "/openapi.json"
        || path == "/docs"
        || path.starts_with("/docs/")
        || path == "/oauth2/token"
        || path == "/.well-known/jwks.json"
}

fn unauthorized(code: &'static str, message: &str, challenge: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
        .with_header(actix_web::http::header::WWW_AUTHENTICATE, challenge)
}

fn request_ids(req: &ServiceRequest) -> Uuid {
    req.extensions()
        .get::<RequestId>()
        .map(|r| r.0)
        .unwrap_or_else(Uuid::now_v7)
}

async fn from_token(req: &ServiceRequest, auth: &Auth, token: &str) -> Result<Identity, ApiError> {
    let invalid = || {
        unauthorized(
            "invalid_token",
            "the access token is invalid, expired or not for this API",
            "Bearer realm=\"veritrail\", error=\"invalid_token\"",
        )
    };
    let claims = auth.tokens.verify(token).await.map_err(|e| {
        tracing::info!(reason = %e, "token refused");
        invalid()
    })?;
    let tenant = claims.tenant().ok_or_else(invalid)?;
    let actor = ActorId::parse(&claims.sub).map_err(|_| invalid())?;
    if matches!(claims.role, ActorKind::System) {
        return Err(invalid());
    }
    let request_id = request_ids(req);
    Ok(Identity(
        RequestContext {
            tenant,
            actor: Actor::new(claims.role, actor),
            correlation_id: request_id,
            request_id,
        },
        claims.scopes(),
    ))
}

/// Middleware: attaches an [`Identity`] or answers 401 in the one error shape.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if is_public(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let (Some(auth), Some(default)) = (
        req.app_data::<web::Data<Auth>>().cloned(),
        req.app_data::<web::Data<DevIdentity>>().cloned(),
    ) else {
        return Ok(req.error_response(ApiError::internal()));
    };
    let bearer = header(&req, "authorization").map(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .map(str::trim)
    });
    let identity = match bearer {
        Some(Some(token)) => from_token(&req, &auth, token).await,
        Some(None) => Err(unauthorized(
            "unauthenticated",
            "use Authorization: Bearer with a token from POST /oauth2/token",
            "Bearer realm=\"veritrail\"",
        )),
        None if auth.dev_headers => {
            resolve(&req, &default).map(|ctx| Identity(ctx, Scope::ALL.to_vec()))
        }
        None => Err(unauthorized(
            "unauthenticated",
            "an access token is required: POST /oauth2/token, then Authorization: Bearer",
            "Bearer realm=\"veritrail\"",
        )),
    };
    match identity {
        Ok(identity) => {
            req.extensions_mut().insert(identity);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(error) => Ok(req.error_response(error)),
    }
}
