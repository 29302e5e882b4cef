//! The organisation's and the individual's endpoints (seed 000).

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use veritrail_domain::case::{CaseAction, CaseError, CheckKind};
use veritrail_domain::{ActorKind, CaseId};

use super::auth::Auth;
use super::dto::{
    CancelVerification, CreateVerification, RecreateVerification, ResubmitEvidence, RetryCheck,
    SubmitData, VerificationView,
};
use super::error::{ApiError, ErrorBody};
use super::etag::{etag, if_match};
use super::identity::Identity;
use super::{invitations, AppState};
use veritrail_application::cases::Recreation;
use veritrail_application::{CaseOpening, RequestContext};

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
    let (case, version) = state.services.cases.load(ctx, case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    Ok(HttpResponse::build(status)
        .insert_header(etag(version))
        .json(VerificationView::of(opened, version)))
}

/// The case just opened (or found), with the invitation issued for it.
fn render_opening(
    auth: &Auth,
    opening: CaseOpening,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let opened = opening.case.opened().ok_or(CaseError::NotFound)?;
    let mut view = VerificationView::of(opened, opening.version);
    let secret = opening.invitation.is_some();
    view.invitation = opening
        .invitation
        .map(|issued| invitations::announce(auth, opening.case_id, issued));
    let mut response = HttpResponse::build(status);
    response.insert_header(etag(opening.version));
    if secret {
        response.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    if status == StatusCode::CREATED {
        if let Ok(location) =
            header::HeaderValue::from_str(&format!("/verifications/{}", opening.case_id))
        {
            response.insert_header((header::LOCATION, location));
        }
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
        .services
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
        .services
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
    identity: Identity,
    body: web::Json<CreateVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Operator])?;
    let request = body.into_inner().into_request()?;
    let opening = state.services.open_case(ctx, request).await?;
    let (case_id, created) = (opening.case_id, opening.created);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = render_opening(&auth, opening, status)?;
    if created {
        read_your_writes(&state, case_id, 1, &mut response).await;
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
        .services
        .read_models
        .case(ctx.tenant.as_str(), &case_id.to_string())
        .await?;
    let (case, checks) = found.ok_or(CaseError::NotFound)?;
    let view = VerificationView::from_rows(&case, &checks)?;
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
pub async fn recreate(
    state: web::Data<AppState>,
    auth: web::Data<Auth>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: web::Json<RecreateVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let (reason, trigger, comment) = body.parts()?;
    let recreation = Recreation {
        reason,
        trigger,
        comment,
        expected: if_match(&req)?,
        invitation: None,
    };
    let opening = state
        .services
        .recreate_case(ctx, parse_case_id(&id)?, recreation)
        .await?;
    let case_id = opening.case_id;
    let mut response = render_opening(&auth, opening, StatusCode::CREATED)?;
    read_your_writes(&state, case_id, 1, &mut response).await;
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
