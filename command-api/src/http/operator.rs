//! The operator back office (PLAT-7): tenants, their plans and quotas, API
//! clients and their secrets, and the token signing keys.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use veritrail_domain::tenant::{Limits, Module, Period, DEFAULT_PLAN, PLANS};
use veritrail_domain::{ActorKind, TenantId};

use super::body::Body;
use super::dto::UsageView;
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::state::AppState;
use veritrail_application::auth::{Credentials, NewTenant};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    pub tenant_id: String,
    pub name: String,
    /// ISO 3166-1 alpha-3.
    pub country: String,
    pub support_email: String,
    /// sandbox, pro (default), enterprise or internal.
    #[serde(default = "default_plan")]
    pub plan: String,
    /// Overrides of the plan's limits.
    #[serde(default)]
    pub limits: Option<LimitOverrides>,
}

fn default_plan() -> String {
    DEFAULT_PLAN.into()
}

/// Overrides of a plan's default limits; a field left out keeps the
/// plan's value, `0` means unlimited.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    pub requests_per_minute: Option<u32>,
    pub requests_per_day: Option<u32>,
    /// Calls per month by module: liveness, ocr, validate, face_match, workflow.
    #[serde(default)]
    pub monthly_quotas: BTreeMap<String, u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPlan {
    pub plan: String,
    #[serde(default)]
    pub limits: Option<LimitOverrides>,
}

/// The limits in force, as shown to operators.
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitsView {
    /// `null`: unlimited.
    pub requests_per_minute: Option<u32>,
    pub requests_per_day: Option<u32>,
    #[schema(value_type = Object)]
    pub monthly_quotas: BTreeMap<Module, u64>,
}

impl From<Limits> for LimitsView {
    fn from(l: Limits) -> Self {
        Self {
            requests_per_minute: l.requests_per_minute,
            requests_per_day: l.requests_per_day,
            monthly_quotas: l.monthly_quotas,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub role: ActorKind,
    pub revoked: bool,
    /// Secrets that work now (two during a rotation's overlap).
    pub active_secrets: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub tenant_id: String,
    pub name: String,
    pub country: String,
    pub support_email: String,
    pub plan: String,
    pub limits: Option<LimitsView>,
    /// The tenant's face match threshold; `null` = the service default.
    pub face_match_threshold: Option<f64>,
    pub clients: Vec<ClientView>,
    /// Use of each billed module this month.
    pub usage: UsageView,
}

/// The plan's defaults with `overrides` applied.
fn limits_for(plan: &str, overrides: Option<LimitOverrides>) -> Result<Limits, ApiError> {
    let mut limits = Limits::of_plan(plan)
        .ok_or_else(|| ApiError::validation("plan", format!("one of {}", PLANS.join(", "))))?;
    let Some(o) = overrides else {
        return Ok(limits);
    };
    let unlimited_if_zero = |n: u32| (n > 0).then_some(n);
    if let Some(n) = o.requests_per_minute {
        limits.requests_per_minute = unlimited_if_zero(n);
    }
    if let Some(n) = o.requests_per_day {
        limits.requests_per_day = unlimited_if_zero(n);
    }
    for (name, quota) in o.monthly_quotas {
        let module = Module::parse(&name).ok_or_else(|| {
            ApiError::validation(
                "limits.monthly_quotas",
                format!("{name} is not a module (liveness, ocr, validate, face_match, workflow)"),
            )
        })?;
        if quota == 0 {
            limits.monthly_quotas.remove(&module);
        } else {
            limits.monthly_quotas.insert(module, quota);
        }
    }
    Ok(limits)
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

fn operator(identity: &Identity) -> Result<&veritrail_application::RequestContext, ApiError> {
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
    state: web::Data<AppState>,
    body: Body<CreateTenant>,
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
    let limits = limits_for(&body.plan, body.limits)?;
    state
        .services
        .tenants
        .open(
            ctx,
            NewTenant {
                tenant: tenant.clone(),
                name: body.name,
                country: body.country,
                support_email: body.support_email,
                plan: body.plan,
                limits,
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
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let tenant = tenant_path(&path)?;
    let role = body
        .role
        .parse::<ActorKind>()
        .map_err(|_| ApiError::validation("role", "organisation, officer or operator"))?;
    let credentials = state
        .services
        .tenants
        .register_client(ctx, &tenant, role)
        .await?;
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
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<RotateSecret>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let (tenant, client_id) = path.into_inner();
    let tenant = tenant_path(&tenant)?;
    let hours = body.overlap_hours.unwrap_or(24);
    if hours > 720 {
        return Err(ApiError::validation("overlap_hours", "at most 720"));
    }
    let credentials = state
        .services
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
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let (tenant, client_id) = path.into_inner();
    state
        .services
        .tenants
        .revoke_client(ctx, &tenant_path(&tenant)?, &client_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One tenant in the operators' list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantSummary {
    pub tenant_id: String,
    pub name: String,
    pub country: String,
    pub plan: String,
    /// Clients not revoked.
    pub active_clients: usize,
}

/// Every tenant (operators).
#[utoipa::path(get, path = "/operator/tenants", tag = "operator",
    responses((status = 200, body = Vec<TenantSummary>), (status = 403, body = ErrorBody)))]
pub async fn list_tenants(
    identity: Identity,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    operator(&identity)?;
    let tenants = state.services.tenants.list().await?;
    let list: Vec<TenantSummary> = tenants
        .into_iter()
        .map(|(id, t)| TenantSummary {
            tenant_id: id.to_string(),
            active_clients: t.clients.values().filter(|c| !c.revoked).count(),
            name: t.name,
            country: t.country,
            plan: t.plan,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// A tenant: its plan, limits, clients (never their secrets) and this
/// month's usage.
#[utoipa::path(get, path = "/operator/tenants/{tenant}", tag = "operator",
    responses((status = 200, body = TenantView), (status = 404, body = ErrorBody)))]
pub async fn get_tenant(
    identity: Identity,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    operator(&identity)?;
    let tenant_id = tenant_path(&path)?;
    let tenant = state.services.tenants.load(&tenant_id).await?;
    if tenant.id.is_none() {
        return Err(ApiError::not_found("tenant"));
    }
    let now = OffsetDateTime::now_utc();
    let usage = UsageView::of(
        &tenant_id,
        Period::of(now),
        state
            .services
            .metering
            .usage(&tenant_id, Period::of(now))
            .await?,
    );
    Ok(HttpResponse::Ok().json(TenantView {
        tenant_id: tenant_id.to_string(),
        limits: tenant.limits().map(LimitsView::from),
        face_match_threshold: tenant.face_match_threshold,
        clients: tenant
            .clients
            .iter()
            .map(|(id, c)| ClientView {
                client_id: id.clone(),
                role: c.role,
                revoked: c.revoked,
                active_secrets: c.usable_hashes(now).len(),
            })
            .collect(),
        name: tenant.name,
        country: tenant.country,
        support_email: tenant.support_email,
        plan: tenant.plan,
        usage,
    }))
}

/// Put a tenant on a plan, optionally overriding its limits. Takes effect
/// at once on this instance and within seconds on the others.
#[utoipa::path(put, path = "/operator/tenants/{tenant}/plan", tag = "operator", request_body = SetPlan,
    responses((status = 200, body = LimitsView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_plan(
    identity: Identity,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<SetPlan>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let tenant = tenant_path(&path)?;
    let body = body.into_inner();
    let limits = limits_for(&body.plan, body.limits)?;
    state
        .services
        .tenants
        .set_plan(ctx, &tenant, body.plan, limits.clone())
        .await?;
    Ok(HttpResponse::Ok().json(LimitsView::from(limits)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SigningKeyView {
    /// The key that signs new tokens from now on.
    pub kid: String,
    /// Every key still published (older ones verify tokens not yet expired).
    pub published: Vec<String>,
}

/// Rotate the token signing key: a new key signs from now on; the previous
/// ones stay published until every token they signed has expired.
#[utoipa::path(post, path = "/operator/signing-keys/rotate", tag = "operator",
    responses((status = 200, body = SigningKeyView)))]
pub async fn rotate_signing_key(
    identity: Identity,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    operator(&identity)?;
    let keys = state.auth.tokens.keys();
    let kid = keys
        .rotate_and_retire(state.auth.tokens.ttl())
        .await
        .map_err(veritrail_application::ServiceError::from)?;
    Ok(HttpResponse::Ok().json(SigningKeyView {
        kid,
        published: keys.all().into_iter().map(|k| k.kid).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigureChecks {
    /// Similarity a face match needs, 0–1; `null` = the service default.
    pub face_match_threshold: Option<f64>,
}

// Traces to: CHK-4: the face match threshold
/// Set a tenant's own check settings.
#[utoipa::path(put, path = "/operator/tenants/{tenant}/checks", tag = "operator", request_body = ConfigureChecks,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn configure_checks(
    identity: Identity,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Body<ConfigureChecks>,
) -> Result<HttpResponse, ApiError> {
    let ctx = operator(&identity)?;
    let tenant = tenant_path(&path)?;
    state
        .services
        .tenants
        .configure_checks(ctx, &tenant, body.face_match_threshold)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
