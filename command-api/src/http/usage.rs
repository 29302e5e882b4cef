//! Billed modules over HTTP: the quota check around each billed call, and
//! the tenant's usage this month (READ-7).

use std::future::Future;
use std::sync::Arc;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use veritrail_domain::tenant::{Module, Period};
use veritrail_domain::{ActorKind, TenantId};

use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use crate::application::RequestContext;
use crate::metering::{Metering, ModuleUsage, QuotaError};

impl From<QuotaError> for ApiError {
    fn from(error: QuotaError) -> Self {
        match error {
            QuotaError::Exhausted {
                module,
                used,
                quota,
                resets_at,
            } => {
                let wait = (resets_at - OffsetDateTime::now_utc())
                    .whole_seconds()
                    .max(1);
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota_exceeded",
                    format!(
                        "the monthly {} quota of {quota} calls is used up",
                        module.as_str()
                    ),
                )
                .with_details(json!({
                    "module": module,
                    "used": used,
                    "quota": quota,
                    "resets_at": resets_at.format(&Rfc3339).unwrap_or_default(),
                }))
                .with_header(header::RETRY_AFTER, &wait.to_string())
            }
            QuotaError::Service(e) => e.into(),
        }
    }
}

/// Bills one call of `module`; a billing failure is logged, not shown (the
/// work is done and its answer is due).
/// Bills one use of `module` to the request. A request is answered 2xx only
/// once billed: if recording fails (the database went away after the work
/// was done), the request fails retryably, and its retry — continuing it
/// under the same request id — bills it once.
pub(super) async fn bill(
    metering: &Metering,
    ctx: &RequestContext,
    module: Module,
) -> Result<(), ApiError> {
    metering
        .record(ctx, module)
        .await
        .map(drop)
        .map_err(|error| {
            tracing::warn!(%error, module = module.as_str(), "usage could not be recorded");
            ApiError::from(error)
        })
}

/// Runs `work` if the quota of `module` allows it, and bills it if it succeeded.
pub(super) async fn metered(
    metering: &Metering,
    ctx: &RequestContext,
    module: Module,
    work: impl Future<Output = Result<HttpResponse, ApiError>>,
) -> Result<HttpResponse, ApiError> {
    metering.check(&ctx.tenant, module).await?;
    let response = work.await?;
    if response.status().is_success() {
        bill(metering, ctx, module).await?;
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// `YYYY-MM` (UTC); default: this month.
    pub period: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleUsageView {
    /// liveness, ocr, validate, face_match or workflow.
    pub module: String,
    pub used: u64,
    /// `null`: unlimited.
    pub quota: Option<u64>,
    /// Share of the quota used, in percent.
    pub percent: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub tenant: String,
    pub period: String,
    pub modules: Vec<ModuleUsageView>,
}

fn period_of(query: &UsageQuery) -> Result<Period, ApiError> {
    match query.period.as_deref() {
        None => Ok(Period::of(OffsetDateTime::now_utc())),
        Some(text) => Period::parse(text).ok_or_else(|| ApiError::validation("period", "YYYY-MM")),
    }
}

fn view(tenant: &TenantId, period: Period, usage: Vec<ModuleUsage>) -> UsageView {
    UsageView {
        tenant: tenant.to_string(),
        period: period.to_string(),
        modules: usage
            .into_iter()
            .map(|u| ModuleUsageView {
                module: u.module.as_str().to_owned(),
                used: u.used,
                quota: u.quota,
                percent: u
                    .quota
                    .filter(|q| *q > 0)
                    .map(|q| (u.used as f64 * 1000.0 / q as f64).round() / 10.0),
            })
            .collect(),
    }
}

pub(super) async fn usage_of(
    metering: &Metering,
    tenant: &TenantId,
    period: Period,
) -> Result<UsageView, ApiError> {
    let usage = metering.usage(tenant, period).await?;
    Ok(view(tenant, period, usage))
}

/// The caller's tenant: calls per billed module this month and the quotas.
#[utoipa::path(
    get, path = "/usage", tag = "usage", params(UsageQuery),
    responses((status = 200, body = UsageView), (status = 422, body = ErrorBody))
)]
pub async fn usage(
    metering: web::Data<Arc<Metering>>,
    identity: Identity,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[ActorKind::Organisation, ActorKind::Operator])?;
    let period = period_of(&query)?;
    Ok(HttpResponse::Ok().json(usage_of(&metering, &ctx.tenant, period).await?))
}
