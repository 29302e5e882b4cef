//! Billed modules over HTTP: the quota check around each billed call, and
//! the tenant's usage this month (READ-7).

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use veritrail_domain::tenant::Period;
use veritrail_domain::{ActorKind, TenantId};

use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use veritrail_application::metering::{Metering, ModuleUsage};

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
