//! The verification officer's endpoints (CASE-4, CASE-8).

use actix_web::{web, HttpRequest, HttpResponse};
use veritrail_domain::case::{CaseAction, CaseError, CheckKind};

use super::body::Body;
use super::dto::{
    AdminVerificationView, AssignReviewer, BypassCheck, Decide, RequestAction, ReviewCheck,
};
use super::error::{ApiError, ErrorBody};
use super::etag::{etag, if_match};
use super::identity::{Identity, OFFICERS};
use super::respond::{command, parse_case_id, render_committed};
use super::scope::{self, CaseTenant};
use super::AppState;

/// A case with everything submitted, for review.
#[utoipa::path(
    get, path = "/admin/verifications/{id}", tag = "admin", operation_id = "get_review",
    params(("id" = String, Path), CaseTenant),
    responses((status = 200, body = AdminVerificationView, headers(("ETag" = String))), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<CaseTenant>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let case_id = parse_case_id(&id)?;
    let reader =
        scope::case_reader(&state, ctx, query.tenant.as_deref(), case_id, "review").await?;
    let (case, version) = state.services.cases.load(&reader, case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(version))
        .json(AdminVerificationView::of(opened, version)))
}

/// Decide: `{"status":"COMPLETED","outcome":"PASS"}` or `{"status":"FAILED","reason":"…"}`.
#[utoipa::path(
    patch, path = "/admin/verifications/{id}", tag = "admin",
    request_body = Decide,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = super::dto::VerificationView),
        (status = 409, description = "Illegal now, e.g. checks outstanding", body = ErrorBody),
        (status = 412, body = ErrorBody),
    )
)]
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: Body<Decide>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let decision = body.into_inner().into_domain()?;
    command(
        &state,
        &req,
        ctx,
        parse_case_id(&id)?,
        CaseAction::Decide(decision),
    )
    .await
}

/// Assign the case to a verification officer (the caller by default).
#[utoipa::path(
    post, path = "/admin/verifications/{id}/assign", tag = "admin",
    request_body = AssignReviewer,
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = super::dto::VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn assign(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: Body<AssignReviewer>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let reviewer = match &body.reviewer {
        Some(r) => {
            veritrail_domain::ActorId::parse(r).map_err(|e| ApiError::validation("reviewer", e))?
        }
        None => ctx.actor.id.clone(),
    };
    state.services.check_reviewer(ctx, &reviewer).await?;
    let action = CaseAction::AssignReviewer { reviewer };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

// Traces to: CASE-8
/// Waive a check with a comment; who and why are recorded.
#[utoipa::path(
    post, path = "/admin/verifications/{id}/checks/{check}/bypass", tag = "admin",
    request_body = BypassCheck,
    params(("id" = String, Path), ("check" = CheckKind, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = super::dto::VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn bypass(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    path: web::Path<(String, CheckKind)>,
    body: Body<BypassCheck>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let (id, check) = path.into_inner();
    let action = CaseAction::BypassCheck {
        check,
        comment: body.comment()?,
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

// Traces to: CHK-10
/// Record an officer's judgement of a check on the evidence:
/// starts the check if it is waiting, then records the result.
#[utoipa::path(
    post, path = "/admin/verifications/{id}/checks/{check}/review", tag = "admin",
    request_body = ReviewCheck,
    params(("id" = String, Path), ("check" = CheckKind, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = super::dto::VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn review(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    path: web::Path<(String, CheckKind)>,
    body: Body<ReviewCheck>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let (id, check) = path.into_inner();
    let case_id = parse_case_id(&id)?;
    let result = body.into_inner().into_domain()?;
    let mut expected = if_match(&req)?;
    let (case, _) = state.services.cases.load(ctx, case_id).await?;
    let waiting = case
        .opened()
        .and_then(|c| c.checks.get(&check))
        .is_some_and(|r| r.state.can_start());
    if waiting {
        let started = state
            .services
            .cases
            .execute_expecting(ctx, case_id, CaseAction::StartCheck { check }, expected)
            .await?;
        expected = Some(started.version);
    }
    let committed = state
        .services
        .cases
        .execute_expecting(
            ctx,
            case_id,
            CaseAction::RecordCheckResult { check, result },
            expected,
        )
        .await?;
    render_committed(&state, ctx, case_id, committed).await
}

/// Ask the individual to act on a check (e.g. retake a photo) within a period.
#[utoipa::path(
    post, path = "/admin/verifications/{id}/checks/{check}/request-action", tag = "admin",
    request_body = RequestAction,
    params(("id" = String, Path), ("check" = CheckKind, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = super::dto::VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn request_action(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    path: web::Path<(String, CheckKind)>,
    body: Body<RequestAction>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let (id, check) = path.into_inner();
    let (hint, respond_within) = body.parts()?;
    let action = CaseAction::RequestAction {
        check,
        hint,
        respond_within,
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

/// Close an action request whose deadline has passed without an answer: the
/// check becomes `expired` and may then be retried. Refused with
/// `deadline_not_reached` before the deadline.
#[utoipa::path(
    post, path = "/admin/verifications/{id}/checks/{check}/expire", tag = "admin",
    params(("id" = String, Path), ("check" = CheckKind, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = super::dto::VerificationView), (status = 409, description = "deadline_not_reached or illegal_check_transition", body = ErrorBody))
)]
pub async fn expire(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    path: web::Path<(String, CheckKind)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let (id, check) = path.into_inner();
    let action = CaseAction::ExpireCheck { check };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}
