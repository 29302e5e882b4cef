//! Notification settings and the notification log (issue 18 item 4).
//! Organisations manage their own; operators name a tenant with `?tenant=`.

use actix_web::{web, HttpResponse};
use veritrail_application::RequestContext;
use veritrail_domain::ActorKind;

use super::body::Body;
use super::dto::{
    NoticeList, NoticeView, NoticesQuery, NotificationSettingsInput, NotificationSettingsView,
    TenantQuery,
};
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::AppState;

use ActorKind::{Operator, Organisation};

/// The context the caller manages notifications in.
async fn acting(
    state: &AppState,
    identity: &Identity,
    tenant: Option<&str>,
) -> Result<RequestContext, ApiError> {
    let ctx = identity.require(&[Organisation, Operator])?;
    let tenants = &state.services.tenants;
    Ok(tenants.case_reader(ctx, tenant, "notifications").await?)
}

// Traces to: CASE-1, CASE-9
/// The tenant's notification settings, with the template in force for every kind.
#[utoipa::path(get, path = "/notifications/settings", tag = "notifications",
    operation_id = "get_notification_settings", params(TenantQuery),
    responses((status = 200, body = NotificationSettingsView)))]
pub async fn settings(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let settings = state
        .services
        .notifications
        .settings_of(&ctx.tenant)
        .await?;
    Ok(HttpResponse::Ok().json(NotificationSettingsView::of(&settings)))
}

// Traces to: CASE-1, CASE-9
/// Replace the tenant's notification settings: whether individuals are
/// emailed, the officers' addresses and the tenant's own templates.
#[utoipa::path(put, path = "/notifications/settings", tag = "notifications",
    operation_id = "put_notification_settings", params(TenantQuery),
    request_body = NotificationSettingsInput,
    responses((status = 200, body = NotificationSettingsView), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<TenantQuery>,
    body: Body<NotificationSettingsInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let settings = body.into_inner().into_settings()?;
    let settings = state.services.notifications.replace(&ctx, settings).await?;
    Ok(HttpResponse::Ok().json(NotificationSettingsView::of(&settings)))
}

// Traces to: CASE-1, CASE-9
/// The tenant's notices, newest first: to whom, sent or why not.
#[utoipa::path(get, path = "/notifications", tag = "notifications",
    operation_id = "list_notifications", params(NoticesQuery),
    responses((status = 200, body = NoticeList), (status = 422, body = ErrorBody)))]
pub async fn log(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<NoticesQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let limit = match query.limit {
        None => 100,
        Some(n @ 1..=500) => i64::from(n),
        Some(_) => return Err(ApiError::validation("limit", "1 to 500")),
    };
    let case = query.case_id.map(|c| c.to_string());
    let rows = state
        .services
        .notifications
        .log(&ctx, case.as_deref(), limit)
        .await?;
    let notices = rows.into_iter().map(NoticeView::of).collect();
    Ok(HttpResponse::Ok().json(NoticeList { notices }))
}
