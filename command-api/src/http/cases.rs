//! The organisation's and the individual's endpoints (seed 000).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use veritrail_domain::case::{CaseAction, CaseError, CheckKind};
use veritrail_domain::tenant::Module;
use veritrail_domain::{ActorKind, CaseId};

use super::auth::Auth;
use super::dto::{
    CancelVerification, CreateVerification, InvitationView, RecreateVerification, ResubmitEvidence,
    RetryCheck, SubmitData, VerificationView,
};
use super::error::{ApiError, ErrorBody};
use super::etag::{etag, if_match};
use super::identity::Identity;
use super::usage::bill;
use super::{invitations, AppState};
use crate::application::{Recreation, RequestContext};
use crate::metering::Metering;

use ActorKind::{Individual, Officer, Operator, Organisation};

pub(super) fn parse_case_id(raw: &str) -> Result<CaseId, ApiError> {
    // An id that cannot exist is simply not found.
    raw.parse().map_err(|_| CaseError::NotFound.into())
}

/// Renders the case's current state with its `ETag`.
pub(super) async fn view(
    state: &AppState,
    ctx: &RequestContext,
    case_id: CaseId,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    view_with(state, ctx, case_id, status, None).await
}

/// The case with the invitation that was just issued for it.
async fn view_with(
    state: &AppState,
    ctx: &RequestContext,
    case_id: CaseId,
    status: StatusCode,
    invitation: Option<InvitationView>,
) -> Result<HttpResponse, ApiError> {
    let (case, version) = state.cases.load(ctx, case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    let mut view = VerificationView::of(opened, version);
    let secret = invitation.is_some();
    view.invitation = invitation;
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(version));
    if secret {
        response.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    Ok(response.json(view))
}

/// Response header saying whether the read model already shows this
/// write: `read-your-writes` (a read now sees it) or `eventual` (the read
/// model lags; a read may show the previous version for a while).
pub const READ_CONSISTENCY: header::HeaderName =
    header::HeaderName::from_static("x-read-consistency");

/// Waits (bounded) for the read model to show `version` of the case and
/// says in `response` whether it does. While the read model is known to lag
/// (a previous wait timed out), waits only briefly: a command is not held
/// for seconds while no projection runner is alive.
pub(super) async fn read_your_writes(
    state: &AppState,
    case_id: CaseId,
    version: usize,
    response: &mut HttpResponse,
) {
    let Some(timeout) = state.read_your_writes else {
        return;
    };
    let lagging = state.read_model_lagging.load(Ordering::Relaxed);
    let timeout = if lagging {
        timeout.min(Duration::from_millis(100))
    } else {
        timeout
    };
    let version = i64::try_from(version).unwrap_or(i64::MAX);
    let seen = state
        .read_models
        .wait_for_version(&case_id.to_string(), version, timeout)
        .await;
    state.read_model_lagging.store(!seen, Ordering::Relaxed);
    if !seen && !lagging {
        tracing::warn!(%case_id, version, "read model lagging behind a command");
    }
    let value = if seen { "read-your-writes" } else { "eventual" };
    response
        .headers_mut()
        .insert(READ_CONSISTENCY, header::HeaderValue::from_static(value));
}

/// Runs one command honouring `If-Match`, then renders the case.
pub(super) async fn command(
    state: &AppState,
    req: &HttpRequest,
    ctx: &RequestContext,
    case_id: CaseId,
    action: CaseAction,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let committed = state
        .cases
        .execute_expecting(ctx, case_id, action, expected)
        .await?;
    let mut response = view(state, ctx, case_id, StatusCode::OK).await?;
    read_your_writes(state, case_id, committed.version, &mut response).await;
    Ok(response)
}

/// Open a verification case, or get the subject's active one (CASE-1, CASE-6).
#[utoipa::path(
    post, path = "/verifications", tag = "verifications",
    request_body = CreateVerification,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, description = "Case opened", body = VerificationView,
         headers(("Location" = String), ("ETag" = String))),
        (status = 200, description = "The subject already has an active case; here it is", body = VerificationView),
        (status = 422, description = "Invalid request", body = ErrorBody),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
    metering: web::Data<Arc<Metering>>,
    identity: Identity,
    body: web::Json<CreateVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Operator])?;
    let mut request = body.into_inner().into_request()?;
    metering.check(&ctx.tenant, Module::Workflow).await?;
    let (grant, issued) = auth.invitations.mint();
    request.invitation = Some(grant);
    let opened = state.cases.get_or_open(ctx, request).await?;
    let invitation = opened
        .invited
        .then(|| invitations::announce(&auth, opened.case_id, issued));
    let status = if opened.created {
        bill(&metering, ctx, Module::Workflow).await?;
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = view_with(&state, ctx, opened.case_id, status, invitation).await?;
    if opened.created {
        read_your_writes(&state, opened.case_id, 1, &mut response).await;
        if let Ok(location) =
            header::HeaderValue::from_str(&format!("/verifications/{}", opened.case_id))
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    Ok(response)
}

/// A case's consolidated status (READ-1), from the case-status read model.
#[utoipa::path(
    get, path = "/verifications/{id}", tag = "verifications",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, body = VerificationView, headers(("ETag" = String))),
        (status = 404, description = "No such case for this tenant", body = ErrorBody),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Individual, Officer, Operator])?;
    let case_id = parse_case_id(&id)?;
    let found = state
        .read_models
        .case(ctx.tenant.as_str(), &case_id.to_string())
        .await
        .map_err(|error| ApiError::database(&error, "read model query"))?;
    let (case, checks) = found.ok_or(CaseError::NotFound)?;
    let view = VerificationView::from_rows(&case, &checks);
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

/// The individual submits their data and evidence (CASE-2): → PENDING_ADMIN.
#[utoipa::path(
    put, path = "/verifications/{id}/data", tag = "verifications",
    request_body = SubmitData,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = VerificationView),
        (status = 409, description = "Illegal in the case's state", body = ErrorBody),
        (status = 412, description = "Stale If-Match", body = ErrorBody),
    )
)]
pub async fn submit_data(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: web::Json<SubmitData>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Individual])?;
    let case_id = parse_case_id(&id)?;
    let submission = body.into_inner().into_domain()?;
    command(
        &state,
        &req,
        ctx,
        case_id,
        CaseAction::SubmitData(submission),
    )
    .await
}

/// Retry a failed or expired check (seed 001).
#[utoipa::path(
    post, path = "/verifications/{id}/retry", tag = "verifications",
    request_body = RetryCheck,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn retry(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: web::Json<RetryCheck>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let action = CaseAction::RetryCheck { check: body.check };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

/// Cancel a case; the reason is mandatory (CASE-5).
#[utoipa::path(
    post, path = "/verifications/{id}/cancel", tag = "verifications",
    request_body = CancelVerification,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: web::Json<CancelVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let action = CaseAction::Cancel {
        reason: body.reason()?,
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

/// Cancel a case (open or failed) and open its replacement with a restart
/// context (seed 002).
#[utoipa::path(
    post, path = "/verifications/{id}/recreate", tag = "verifications",
    request_body = RecreateVerification,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, description = "The replacement case", body = VerificationView),
        (status = 409, body = ErrorBody),
    )
)]
#[allow(clippy::too_many_arguments)]
pub async fn recreate(
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
    metering: web::Data<Arc<Metering>>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: web::Json<RecreateVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let (reason, trigger, comment) = body.parts()?;
    let expected = if_match(&req)?;
    metering.check(&ctx.tenant, Module::Workflow).await?;
    let (grant, issued) = auth.invitations.mint();
    let recreation = Recreation {
        reason,
        trigger,
        comment,
        expected,
        invitation: Some(grant),
    };
    let recreated = state
        .cases
        .cancel_and_recreate(ctx, parse_case_id(&id)?, recreation)
        .await?;
    bill(&metering, ctx, Module::Workflow).await?;
    let invitation = invitations::announce(&auth, recreated.replacement, issued);
    let mut response = view_with(
        &state,
        ctx,
        recreated.replacement,
        StatusCode::CREATED,
        Some(invitation),
    )
    .await?;
    read_your_writes(&state, recreated.replacement, 1, &mut response).await;
    if let Ok(location) =
        header::HeaderValue::from_str(&format!("/verifications/{}", recreated.replacement))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The individual answers a requested action with new evidence (CASE-3).
#[utoipa::path(
    post, path = "/verifications/{id}/checks/{check}/resubmit", tag = "verifications",
    request_body = ResubmitEvidence,
    params(("id" = String, Path), ("check" = CheckKind, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn resubmit(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    path: web::Path<(String, CheckKind)>,
    body: web::Json<ResubmitEvidence>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Individual])?;
    let (id, check) = path.into_inner();
    let action = CaseAction::Resubmit {
        check,
        evidence: body.into_inner().into_domain(),
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}
