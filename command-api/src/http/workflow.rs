//! The organisation's verification workflow (issue 16 item 3).

use actix_web::{web, HttpResponse};
use veritrail_domain::ActorKind;

use super::body::Body;
use super::dto::{WorkflowInput, WorkflowView};
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::AppState;

use ActorKind::{Officer, Organisation};

// Traces to: CHK-5, CHK-7
/// The tenant's workflow: automatic checks and their order, mandatory
/// checks and fields, weights, thresholds, time limits, version.
#[utoipa::path(get, path = "/workflow", tag = "workflow", operation_id = "get_workflow",
    responses((status = 200, body = WorkflowView)))]
pub async fn get(state: web::Data<AppState>, identity: Identity) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer])?;
    let policy = state.services.tenants.workflow(ctx).await?;
    Ok(HttpResponse::Ok().json(WorkflowView::of(&policy)))
}

// Traces to: CHK-5, CHK-7
/// Replace the tenant's workflow; the answer carries its new version.
#[utoipa::path(put, path = "/workflow", tag = "workflow", operation_id = "replace_workflow", request_body = WorkflowInput,
    responses((status = 200, body = WorkflowView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put(
    state: web::Data<AppState>,
    identity: Identity,
    body: Body<WorkflowInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation])?;
    let policy = body.into_inner().into_domain()?;
    let policy = state.services.configure_workflow(ctx, policy).await?;
    Ok(HttpResponse::Ok().json(WorkflowView::of(&policy)))
}
