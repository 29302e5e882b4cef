//! Webhook endpoints, their event types and their delivery log (issue 18,
//! PLAT-1). Organisations manage their own; operators name a tenant with
//! `?tenant=` (recorded on that tenant's audit trail).

use actix_web::{web, HttpResponse};
use veritrail_application::RequestContext;
use veritrail_domain::webhook::CATALOGUE;
use veritrail_domain::ActorKind;

use super::body::Body;
use super::dto::{
    EndpointInput, EndpointList, EndpointPatch, EndpointView, EventTypeList, EventTypeView,
    MessageDetail, MessageList, MessageView, MessagesQuery, RedeliverInput, Redelivered,
    RotateInput, TenantQuery,
};
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::AppState;

use ActorKind::{Operator, Organisation};

/// The context the caller manages endpoints in.
async fn acting(
    state: &AppState,
    identity: &Identity,
    tenant: Option<&str>,
) -> Result<RequestContext, ApiError> {
    let ctx = identity.require(&[Organisation, Operator])?;
    let services = &state.services;
    Ok(services
        .tenants
        .case_reader(ctx, tenant, "webhook endpoints")
        .await?)
}

// Traces to: PLAT-1
/// What can be subscribed to.
#[utoipa::path(get, path = "/webhooks/event-types", tag = "webhooks", operation_id = "list_webhook_event_types",
    responses((status = 200, body = EventTypeList)))]
pub async fn event_types(identity: Identity) -> Result<HttpResponse, ApiError> {
    identity.require(&[Organisation, Operator])?;
    let event_types = CATALOGUE.iter().map(EventTypeView::of).collect();
    Ok(HttpResponse::Ok().json(EventTypeList { event_types }))
}

// Traces to: PLAT-1
/// Register an endpoint. The answer holds its signing secret, shown only here.
#[utoipa::path(post, path = "/webhooks/endpoints", tag = "webhooks", operation_id = "create_webhook_endpoint",
    params(TenantQuery), request_body = EndpointInput,
    responses((status = 201, body = EndpointView), (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<TenantQuery>,
    body: Body<EndpointInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let new = body.into_inner().into_new();
    let (endpoint, secret) = state.services.webhooks.create(&ctx, new).await?;
    Ok(HttpResponse::Created().json(EndpointView::of(&endpoint, Some(secret))))
}

// Traces to: PLAT-1
/// The tenant's endpoints.
#[utoipa::path(get, path = "/webhooks/endpoints", tag = "webhooks", operation_id = "list_webhook_endpoints",
    params(TenantQuery), responses((status = 200, body = EndpointList)))]
pub async fn list(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let endpoints = state.services.webhooks.endpoints(&ctx.tenant).await?;
    let endpoints = endpoints
        .endpoints
        .iter()
        .map(|e| EndpointView::of(e, None))
        .collect();
    Ok(HttpResponse::Ok().json(EndpointList { endpoints }))
}

// Traces to: PLAT-1
/// One endpoint.
#[utoipa::path(get, path = "/webhooks/endpoints/{id}", tag = "webhooks", operation_id = "get_webhook_endpoint",
    params(("id" = String, Path), TenantQuery),
    responses((status = 200, body = EndpointView), (status = 404, body = ErrorBody)))]
pub async fn get(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let endpoint = state.services.webhooks.endpoint(&ctx, &id).await?;
    Ok(HttpResponse::Ok().json(EndpointView::of(&endpoint, None)))
}

// Traces to: PLAT-1
/// Change an endpoint's URL, description, event types or whether it is enabled.
#[utoipa::path(patch, path = "/webhooks/endpoints/{id}", tag = "webhooks", operation_id = "update_webhook_endpoint",
    params(("id" = String, Path), TenantQuery), request_body = EndpointPatch,
    responses((status = 200, body = EndpointView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<TenantQuery>,
    body: Body<EndpointPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let change = body.into_inner().into_change();
    let endpoint = state.services.webhooks.update(&ctx, &id, change).await?;
    Ok(HttpResponse::Ok().json(EndpointView::of(&endpoint, None)))
}

// Traces to: PLAT-1
/// Delete an endpoint; its secrets are destroyed and what it had not received fails.
#[utoipa::path(delete, path = "/webhooks/endpoints/{id}", tag = "webhooks", operation_id = "delete_webhook_endpoint",
    params(("id" = String, Path), TenantQuery),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    state.services.webhooks.delete(&ctx, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// Traces to: PLAT-1
/// A new signing secret; the current one keeps signing for the overlap given.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/rotate-secret", tag = "webhooks", operation_id = "rotate_webhook_secret",
    params(("id" = String, Path), TenantQuery), request_body = RotateInput,
    responses((status = 200, body = EndpointView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn rotate(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<TenantQuery>,
    body: Body<RotateInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let overlap = body.overlap()?;
    let (endpoint, secret) = state.services.webhooks.rotate(&ctx, &id, overlap).await?;
    Ok(HttpResponse::Ok().json(EndpointView::of(&endpoint, Some(secret))))
}

// Traces to: PLAT-1
/// The endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/webhooks/endpoints/{id}/messages", tag = "webhooks", operation_id = "list_webhook_messages",
    params(("id" = String, Path), MessagesQuery),
    responses((status = 200, body = MessageList), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn messages(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<MessagesQuery>,
) -> Result<HttpResponse, ApiError> {
    let (status, since, limit) = query.filters()?;
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let webhooks = &state.services.webhooks;
    let rows = webhooks.messages(&ctx, &id, status, since, limit).await?;
    let messages = rows.iter().map(MessageView::of).collect();
    Ok(HttpResponse::Ok().json(MessageList { messages }))
}

// Traces to: PLAT-1
/// One message and every attempt at it.
#[utoipa::path(get, path = "/webhooks/endpoints/{id}/messages/{message_id}", tag = "webhooks", operation_id = "get_webhook_message",
    params(("id" = String, Path), ("message_id" = String, Path), TenantQuery),
    responses((status = 200, body = MessageDetail), (status = 404, body = ErrorBody)))]
pub async fn message(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let (id, message_id) = path.into_inner();
    let (row, attempts) = state
        .services
        .webhooks
        .message(&ctx, &id, &message_id)
        .await?;
    Ok(HttpResponse::Ok().json(MessageDetail::of(&row, &attempts)))
}

// Traces to: PLAT-1
/// Send one message again, as a new round of attempts.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/messages/{message_id}/redeliver", tag = "webhooks", operation_id = "redeliver_webhook_message",
    params(("id" = String, Path), ("message_id" = String, Path), TenantQuery),
    responses((status = 202, body = Redelivered), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn redeliver(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
    query: web::Query<TenantQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let (id, message_id) = path.into_inner();
    let webhooks = &state.services.webhooks;
    let queued = webhooks.redeliver(&ctx, &id, Some(&message_id), 0).await?;
    Ok(HttpResponse::Accepted().json(Redelivered { queued }))
}

// Traces to: PLAT-1
/// Send every failed message created since a time again.
#[utoipa::path(post, path = "/webhooks/endpoints/{id}/redeliver-failed", tag = "webhooks", operation_id = "redeliver_failed_webhook_messages",
    params(("id" = String, Path), TenantQuery), request_body = RedeliverInput,
    responses((status = 202, body = Redelivered), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn redeliver_failed(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<TenantQuery>,
    body: Body<RedeliverInput>,
) -> Result<HttpResponse, ApiError> {
    let since = body.since_ms()?;
    let ctx = acting(&state, &identity, query.tenant.as_deref()).await?;
    let queued = state
        .services
        .webhooks
        .redeliver(&ctx, &id, None, since)
        .await?;
    Ok(HttpResponse::Accepted().json(Redelivered { queued }))
}
