//! The tenant's usage of billed modules this month (READ-7).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;
use veritrail_domain::tenant::Period;
use veritrail_domain::ActorKind;

use super::dto::UsageView;
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// `YYYY-MM` (UTC); default: this month.
    pub period: Option<String>,
}

fn period_of(query: &UsageQuery) -> Result<Period, ApiError> {
    match query.period.as_deref() {
        None => Ok(Period::of(OffsetDateTime::now_utc())),
        Some(text) => Period::parse(text).ok_or_else(|| ApiError::validation("period", "YYYY-MM")),
    }
}

/// The caller's tenant: calls per billed module this month and the quotas.
#[utoipa::path(
    get, path = "/usage", tag = "usage", params(UsageQuery),
    responses((status = 200, body = UsageView), (status = 422, body = ErrorBody))
)]
pub async fn usage(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<UsageQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[ActorKind::Organisation, ActorKind::Operator])?;
    let period = period_of(&query)?;
    Ok(HttpResponse::Ok().json(UsageView::of(
        &ctx.tenant,
        period,
        state.services.metering.usage(&ctx.tenant, period).await?,
    )))
}
