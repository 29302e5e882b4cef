//! Who is calling. Handlers take tenant and actor from the request extension
//! set here, never from a body.
//!
//! A request authenticates in one of three ways:
//! - `Authorization: Bearer <token>` with an access token from
//!   `POST /oauth2/token`: the token names the tenant, the client (the actor
//!   id), its role and its scopes;
//! - HMAC request signing: `X-API-KEY` (the client id), `X-API-TIMESTAMP`
//!   and `X-API-SIGN` (see [`veritrail_application::auth::signatures`]); the client acts
//!   with every scope of its role;
//! - `Authorization: Bearer vti_…`, an individual's invitation: it reaches
//!   only its own case, and only to read it and answer it.
//!
//! When `dev_identity_headers` is on (development and tests only), a request
//! with none of these may name itself with `X-Tenant-Id`, `X-Actor-Kind`
//! and `X-Actor-Id` instead. Public paths (health, API docs, the token
//! endpoint and the published keys) need nothing.

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures::StreamExt;
use time::OffsetDateTime;
use uuid::Uuid;
use veritrail_domain::tenant::Scope;
use veritrail_domain::{Actor, ActorId, ActorKind, TenantId};

use super::error::ApiError;
use super::idempotency::payload_of;
use super::limits::MAX_BODY;
use super::state::{AppState, DevIdentity};
use super::trace::RequestId;
use veritrail_application::auth::invitations::TOKEN_PREFIX;
use veritrail_application::auth::signatures;
use veritrail_application::RequestContext;

/// Verification officers, and operators supporting them.
pub(super) const OFFICERS: &[ActorKind] = &[ActorKind::Officer, ActorKind::Operator];

/// Every API client role: organisations, officers and operators (the
/// standalone checks and reads any of them may call).
pub(super) const CLIENTS: &[ActorKind] = &[
    ActorKind::Organisation,
    ActorKind::Officer,
    ActorKind::Operator,
];

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
            Err(ApiError::forbidden(format!(
                "{} may not do this",
                with_article(self.0.actor.kind)
            ))
            .with_details(serde_json::json!({
                "actor_kind": self.0.actor.kind,
                "allowed": allowed,
            })))
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
        recovering: false,
    })
}

fn is_public(path: &str) -> bool {
    path.starts_with("/health/")
        || path == "/openapi.json"
        || path == "/docs"
        || path.starts_with("/docs/")
        || path == "/oauth2/token"
        || path == "/.well-known/jwks.json"
        || path == "/invitations"
        // Providers' callbacks are authenticated by their body's signature.
        || path.starts_with("/providers/")
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

fn context(req: &ServiceRequest, tenant: TenantId, actor: Actor) -> RequestContext {
    let request_id = request_ids(req);
    RequestContext {
        tenant,
        actor,
        correlation_id: request_id,
        request_id,
        recovering: false,
    }
}

fn bad_signature(code: &'static str, message: &str) -> ApiError {
    unauthorized(code, message, "HMAC-SHA256 realm=\"veritrail\"")
}

/// Reads the whole body (to hash it) and puts it back for the handler.
async fn take_body(req: &mut ServiceRequest) -> Result<web::Bytes, ApiError> {
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the body could not be read",
            )
        })?;
        if body.len() + chunk.len() > MAX_BODY {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body is larger than {MAX_BODY} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    req.set_payload(payload_of(body.clone()));
    Ok(body)
}

/// HMAC request signing: timestamp within ±5 minutes, a valid signature by
/// one of the client's current secrets, and a signature never seen before.
async fn from_signature(
    req: &mut ServiceRequest,
    state: &AppState,
    api_key: String,
) -> Result<Identity, ApiError> {
    let (Some(timestamp), Some(signature)) = (
        header(req, "x-api-timestamp").map(str::to_owned),
        header(req, "x-api-sign").map(str::to_owned),
    ) else {
        return Err(bad_signature(
            "missing_signature",
            "a signed request needs X-API-KEY, X-API-TIMESTAMP and X-API-SIGN",
        ));
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let Some(sent_at) = signatures::parse_timestamp(&timestamp) else {
        return Err(bad_signature(
            "invalid_timestamp",
            "X-API-TIMESTAMP must be Unix time in seconds",
        ));
    };
    if (now - sent_at).abs() > signatures::MAX_SKEW_SECONDS {
        return Err(bad_signature(
            "stale_timestamp",
            "X-API-TIMESTAMP is more than 5 minutes from the server's clock",
        )
        .with_details(serde_json::json!({ "server_time": now, "max_skew_seconds": signatures::MAX_SKEW_SECONDS })));
    }
    let nonce = header(req, "x-api-nonce").map(str::to_owned);
    if nonce
        .as_deref()
        .is_some_and(|n| !signatures::valid_nonce(n))
    {
        return Err(bad_signature(
            "invalid_nonce",
            "X-API-NONCE must be 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    let path = match req.query_string() {
        "" => req.path().to_owned(),
        query => format!("{}?{query}", req.path()),
    };
    let method = req.method().as_str().to_owned();
    let body = take_body(req).await?;
    let invalid = || bad_signature("invalid_signature", "the request signature does not match");
    let found = state
        .services
        .tenants
        .signing_secrets(&api_key, OffsetDateTime::now_utc())
        .await
        .map_err(ApiError::from)?;
    let Some((client, secrets)) = found else {
        return Err(invalid());
    };
    let signed = |path: &str| match nonce.as_deref() {
        Some(nonce) => signatures::canonical_with_nonce(&timestamp, nonce, &method, path, &body),
        None => signatures::canonical(&timestamp, &method, path, &body),
    };
    let canonical = signed(&path);
    // Some clients sign the path without its query string. For reads only,
    // that is accepted too: the query then selects what the same client may
    // read anyway; a write's signature must cover its whole target.
    let path_only = || {
        matches!(
            req.method(),
            &actix_web::http::Method::GET | &actix_web::http::Method::HEAD
        ) && !req.query_string().is_empty()
            && signatures::verify(&secrets, &signed(req.path()), &signature)
    };
    if !signatures::verify(&secrets, &canonical, &signature) && !path_only() {
        return Err(invalid());
    }
    let first = state.auth.replays.first_use(&signature, now).await?;
    if !first {
        return Err(bad_signature(
            "replayed_signature",
            "this signature was already used. Identical requests in the same second sign the same text: send X-API-TIMESTAMP in milliseconds, or add an X-API-NONCE header (signed too, see docs/security.md)",
        ));
    }
    let actor = ActorId::parse(&client.client_id).map_err(|_| invalid())?;
    let ctx = context(req, client.tenant, Actor::new(client.role, actor));
    Ok(Identity(ctx, Scope::of(client.role).into_iter().collect()))
}

/// Where an invitation may go: its own case, to read it, submit data and
/// answer a requested action, and a liveness challenge for its frames.
/// Another case is not found; anything else is forbidden.
fn invitation_allows(req: &ServiceRequest, case: &str) -> Result<(), ApiError> {
    let segments: Vec<&str> = req.path().trim_matches('/').split('/').collect();
    let method = req.method().as_str();
    if (method, segments.as_slice()) == ("POST", ["liveness", "challenge"].as_slice()) {
        return Ok(());
    }
    let target =
        match (method, segments.as_slice()) {
            ("GET", ["verifications", id])
            | ("GET", ["verifications", id, "evidence", _])
            | ("POST", ["verifications", id, "evidence"])
            | ("PUT", ["verifications", id, "data"])
            | ("POST", ["verifications", id, "checks", _, "resubmit"]) => *id,
            _ => return Err(ApiError::forbidden(
                "an invitation only reaches its own case: read it, upload evidence, submit data, resubmit evidence",
            )
            .with_details(serde_json::json!({"reason": "invitation_scope"}))),
        };
    if target == case {
        Ok(())
    } else {
        Err(ApiError::not_found("case"))
    }
}

async fn from_invitation(
    req: &ServiceRequest,
    state: &AppState,
    token: &str,
) -> Result<Identity, ApiError> {
    let invalid = || {
        unauthorized(
            "invalid_token",
            "the invitation is invalid, expired or revoked",
            "Bearer realm=\"veritrail\", error=\"invalid_token\"",
        )
    };
    let invited = state
        .services
        .invitations
        .authenticate(token)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(invalid)?;
    invitation_allows(req, &invited.case_id.to_string())?;
    let actor = ActorId::parse(&invited.invitation_id.to_string()).map_err(|_| invalid())?;
    let ctx = context(
        req,
        invited.tenant,
        Actor::new(ActorKind::Individual, actor),
    );
    Ok(Identity(ctx, vec![Scope::UserSubmit]))
}

async fn from_token(
    req: &ServiceRequest,
    state: &AppState,
    token: &str,
) -> Result<Identity, ApiError> {
    let invalid = || {
        unauthorized(
            "invalid_token",
            "the access token is invalid, expired or not for this API",
            "Bearer realm=\"veritrail\", error=\"invalid_token\"",
        )
    };
    let claims = state.auth.tokens.verify(token).await.map_err(|e| {
        tracing::info!(reason = %e, "token refused");
        invalid()
    })?;
    let tenant = claims.tenant().ok_or_else(invalid)?;
    let actor = ActorId::parse(&claims.sub).map_err(|_| invalid())?;
    if matches!(claims.role, ActorKind::System) {
        return Err(invalid());
    }
    Ok(Identity(
        context(req, tenant, Actor::new(claims.role, actor)),
        claims.scopes(),
    ))
}

/// Middleware: attaches an [`Identity`] or answers 401 in the one error shape.
pub async fn authenticate(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    // Route matching comes first: a path no route serves is a 404
    // `route_not_found` whoever asks, never a 401.
    if is_public(req.path()) || req.match_pattern().is_none() {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.error_response(ApiError::internal()));
    };
    let default = &state.dev_identity;
    let bearer = header(&req, "authorization").map(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .map(str::trim)
    });
    let api_key = header(&req, "x-api-key").map(str::to_owned);
    let identity = match (bearer, api_key) {
        (Some(_), Some(_)) => Err(unauthorized(
            "unauthenticated",
            "use one authentication method: a Bearer token or a signed request",
            "Bearer realm=\"veritrail\"",
        )),
        (None, Some(api_key)) => from_signature(&mut req, &state, api_key).await,
        (Some(Some(token)), None) if token.starts_with(TOKEN_PREFIX) => {
            let token = token.to_owned();
            from_invitation(&req, &state, &token).await
        }
        (Some(Some(token)), None) => {
            let token = token.to_owned();
            from_token(&req, &state, &token).await
        }
        (Some(None), None) => Err(unauthorized(
            "unauthenticated",
            "use Authorization: Bearer with a token from POST /oauth2/token",
            "Bearer realm=\"veritrail\"",
        )),
        (None, None) if state.auth.dev_headers => {
            resolve(&req, default).map(|ctx| Identity(ctx, Scope::ALL.to_vec()))
        }
        (None, None) => Err(unauthorized(
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

/// "an organisation", "an officer", "a system".
fn with_article(kind: ActorKind) -> String {
    let name = kind.as_str();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

#[cfg(test)]
mod tests {
    use super::with_article;
    use veritrail_domain::ActorKind;

    #[test]
    fn refusals_name_the_role_with_its_article() {
        assert_eq!(with_article(ActorKind::Organisation), "an organisation");
        assert_eq!(with_article(ActorKind::Individual), "an individual");
        assert_eq!(with_article(ActorKind::Officer), "an officer");
    }
}
