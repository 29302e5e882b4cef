//! Who is calling. Handlers take tenant and actor from the request extension
//! set here, never from a body, so real authentication (OAuth2/JWT, HMAC keys)
//! replaces this middleware without touching a handler.
//!
//! Until then, development identity: `X-Tenant-Id`, `X-Actor-Kind`
//! (`organisation`, `individual`, `officer`, `operator`) and `X-Actor-Id`
//! headers, each falling back to the configured default.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use uuid::Uuid;
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};

use super::error::ApiError;
use super::trace::RequestId;
use crate::application::RequestContext;

/// The identity used when a request names none (development only).
#[derive(Debug, Clone)]
pub struct DevIdentity {
    pub tenant: TenantId,
    pub actor: Actor,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone)]
pub struct Identity(pub RequestContext);

impl Identity {
    /// Refuses callers whose role may not use this endpoint.
    pub fn require(&self, allowed: &[ActorKind]) -> Result<&RequestContext, ApiError> {
        if allowed.contains(&self.0.actor.kind) {
            Ok(&self.0)
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
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0)
        .unwrap_or_else(Uuid::now_v7);
    Ok(RequestContext {
        tenant,
        actor: Actor::new(kind, id),
        correlation_id: request_id,
        request_id,
    })
}

/// Middleware: attaches an [`Identity`] or answers 401 in the one error shape.
pub async fn dev_identity(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let default = req.app_data::<web::Data<DevIdentity>>().cloned();
    let Some(default) = default else {
        return Ok(req.error_response(ApiError::internal()));
    };
    match resolve(&req, &default) {
        Ok(ctx) => {
            req.extensions_mut().insert(Identity(ctx));
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Err(error) => Ok(req.error_response(error)),
    }
}
