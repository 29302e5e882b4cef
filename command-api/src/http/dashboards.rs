//! Dashboards (READ-3, seed 004): overview, regions, countries, the stage
//! funnel, financial metrics and a timeline — from the read models.

use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorBody};
use super::identity::{Identity, OFFICERS};
use super::AppState;
use veritrail_application::read_models::StatusCounts;
use veritrail_application::RequestContext;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// Operators only: another tenant, or `*` for all.
    tenant: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// Operators only: another tenant, or `*` for all.
    tenant: Option<String>,
    /// Days back from today (default 30).
    #[param(minimum = 1, maximum = 366)]
    days: Option<u32>,
}

/// The tenant a dashboard covers (operators' reads of others are audited).
async fn scope(
    state: &AppState,
    ctx: &RequestContext,
    tenant: Option<&str>,
    dashboard: &str,
) -> Result<Option<String>, ApiError> {
    super::scope::tenants(state, ctx, tenant, &format!("{dashboard} dashboard")).await
}

/// A percentage with two decimals; 0 when there is nothing to divide.
fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    ((part as f64 / whole as f64) * 10_000.0).round() / 100.0
}

/// A rate of decided outcomes: `None` while nothing is decided (not 0 %).
fn decided_rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| rate(part, whole))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Counts {
    pub total: i64,
    /// COMPLETED (approved).
    pub approved: i64,
    /// FAILED (rejected).
    pub rejected: i64,
    /// PENDING_ORG or PENDING_ADMIN.
    pub pending: i64,
    pub cancelled: i64,
}

impl From<StatusCounts> for Counts {
    fn from(c: StatusCounts) -> Self {
        Self {
            total: c.total,
            approved: c.completed,
            rejected: c.failed,
            pending: c.pending,
            cancelled: c.cancelled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    #[serde(flatten)]
    pub counts: Counts,
    /// approved / total × 100 (as in seed 004).
    pub approval_rate: f64,
    /// approved / (approved + rejected) × 100.
    pub decided_approval_rate: f64,
}

/// Totals and approval rates.
#[utoipa::path(get, path = "/admin/dashboard/overview", tag = "dashboards", params(DashboardQuery),
    responses((status = 200, body = Overview), (status = 403, body = ErrorBody)))]
pub async fn overview(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "overview").await?;
    let c = state
        .services
        .read_models
        .overview(tenant.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(Overview {
        approval_rate: rate(c.completed, c.total),
        decided_approval_rate: rate(c.completed, c.completed + c.failed),
        counts: c.into(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionRow {
    /// AMERICAS, EMEA, APAC, OTHER, or UNKNOWN before data is submitted.
    pub region: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Counts by region of the individual's nationality.
#[utoipa::path(get, path = "/admin/dashboard/by-region", tag = "dashboards", params(DashboardQuery),
    responses((status = 200, body = Vec<RegionRow>)))]
pub async fn by_region(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "by-region").await?;
    let rows = state
        .services
        .read_models
        .by_region(tenant.as_deref())
        .await?;
    let regions: Vec<RegionRow> = rows
        .into_iter()
        .map(|(region, c)| RegionRow {
            region: region.unwrap_or_else(|| "UNKNOWN".to_owned()),
            counts: c.into(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(regions))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountryRow {
    /// ISO 3166-1 alpha-3.
    pub country: String,
    pub name: Option<String>,
    pub region: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Counts by nationality.
#[utoipa::path(get, path = "/admin/dashboard/by-country", tag = "dashboards", params(DashboardQuery),
    responses((status = 200, body = Vec<CountryRow>)))]
pub async fn by_country(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "by-country").await?;
    let rows = state
        .services
        .read_models
        .by_country(tenant.as_deref())
        .await?;
    let countries: Vec<CountryRow> = rows
        .into_iter()
        .map(|(code, c)| {
            let country = veritrail_domain::country::by_alpha3(&code);
            CountryRow {
                name: country.map(|c| c.name.to_owned()),
                region: veritrail_domain::country::region_of(&code).to_string(),
                country: code,
                counts: c.into(),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(countries))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stage {
    pub stage: String,
    pub count: i64,
    /// count / previous stage's count × 100.
    pub rate_from_previous: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckStage {
    pub check: String,
    pub total: i64,
    pub verified: i64,
    pub failed: i64,
    pub bypassed: i64,
    /// verified / (verified + failed) × 100; null while none is decided.
    pub pass_rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Funnel {
    pub stages: Vec<Stage>,
    pub checks: Vec<CheckStage>,
}

/// The stage funnel (opened → submitted → decided → completed) and pass rates per check.
#[utoipa::path(get, path = "/admin/dashboard/funnel", tag = "dashboards", params(DashboardQuery),
    responses((status = 200, body = Funnel)))]
pub async fn funnel(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "funnel").await?;
    let ((opened, submitted, decided, completed), checks) =
        state.services.read_models.funnel(tenant.as_deref()).await?;
    let mut stages = Vec::new();
    let mut previous = opened;
    for (stage, count) in [
        ("opened", opened),
        ("submitted", submitted),
        ("decided", decided),
        ("completed", completed),
    ] {
        stages.push(Stage {
            stage: stage.to_owned(),
            count,
            rate_from_previous: rate(count, previous),
        });
        previous = count;
    }
    let checks = checks
        .into_iter()
        .map(|c| CheckStage {
            pass_rate: decided_rate(c.verified, c.verified + c.failed),
            check: c.check,
            total: c.total,
            verified: c.verified,
            failed: c.failed,
            bypassed: c.bypassed,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Funnel { stages, checks }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyMetric {
    /// `requested_amount` or `declared_income`.
    pub metric: String,
    pub currency: String,
    /// Completed cases that declared it.
    pub cases: i64,
    /// Exact decimal strings.
    pub total: String,
    pub average: String,
}

/// Financial metrics over completed cases, per currency (amounts are never mixed).
#[utoipa::path(get, path = "/admin/dashboard/financial", tag = "dashboards", params(DashboardQuery),
    responses((status = 200, body = Vec<MoneyMetric>)))]
pub async fn financial(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "financial").await?;
    let rows = state.services.read_models.money(tenant.as_deref()).await?;
    let metrics: Vec<MoneyMetric> = rows
        .into_iter()
        .map(|(metric, currency, cases, total)| {
            let average = total
                .parse::<Decimal>()
                .ok()
                .filter(|_| cases > 0)
                .map(|t| (t / Decimal::from(cases)).round_dp(2).to_string())
                .unwrap_or_else(|| "0".to_owned());
            MoneyMetric {
                metric,
                currency,
                cases,
                total,
                average,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(metrics))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Day {
    /// UTC date.
    pub date: String,
    pub opened: i64,
    pub approved: i64,
    pub rejected: i64,
}

/// Cases opened and decided per day, for the last `days` days (every day listed).
#[utoipa::path(get, path = "/admin/dashboard/timeline", tag = "dashboards", params(TimelineQuery),
    responses((status = 200, body = Vec<Day>), (status = 422, body = ErrorBody)))]
pub async fn timeline(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<TimelineQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let days = query.days.unwrap_or(30);
    if !(1..=366).contains(&days) {
        return Err(ApiError::validation("days", "between 1 and 366"));
    }
    let tenant = scope(&state, ctx, query.tenant.as_deref(), "timeline").await?;
    let today = OffsetDateTime::now_utc().date();
    let first = today - Duration::days(i64::from(days) - 1);
    let fmt = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let counts = state
        .services
        .read_models
        .timeline(tenant.as_deref(), &fmt(first))
        .await?;
    let series: Vec<Day> = (0..i64::from(days))
        .map(|offset| {
            let key = fmt(first + Duration::days(offset));
            let c = counts.get(&key).cloned().unwrap_or_default();
            Day {
                date: key,
                opened: c.opened,
                approved: c.completed,
                rejected: c.failed,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(series))
}
