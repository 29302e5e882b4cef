//! The organisation's and the individual's endpoints (seed 000).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use veritrail_domain::case::{CaseAction, CaseError, CheckKind};
use veritrail_domain::ActorKind;

use super::body::Body;
use super::dto::{
    CancelVerification, CreateVerification, RecreateVerification, ResubmitEvidence, RetryCheck,
    SubmitData, VerificationView,
};
use super::error::{ApiError, ErrorBody};
use super::etag::{etag, if_match};
use super::identity::Identity;
use super::respond::{command, parse_case_id, read_your_writes, render_committed, render_opening};
use super::scope::{self, CaseTenant};
use super::AppState;
use veritrail_application::cases::Recreation;

use ActorKind::{Individual, Officer, Operator, Organisation};

// Traces to: CASE-1, CASE-6
/// Open a verification case, or get the subject's active one.
#[utoipa::path(
    post, path = "/verifications", tag = "verifications", operation_id = "create_verification",
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
    identity: Identity,
    body: Body<CreateVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Operator])?;
    let request = body.into_inner().into_request()?;
    let opening = state.services.open_case(ctx, request).await?;
    let (case_id, version) = (opening.case_id, opening.version);
    let status = if opening.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = render_opening(&state.auth, opening, status)?;
    // Also for the active case returned: it may just have been linked to
    // the request's entities.
    read_your_writes(&state, case_id, version, &mut response).await;
    Ok(response)
}

// Traces to: READ-1
/// A case's consolidated status, from the case-status read model.
#[utoipa::path(
    get, path = "/verifications/{id}", tag = "verifications", operation_id = "get_verification",
    params(("id" = String, Path, description = "Case id"), CaseTenant),
    responses(
        (status = 200, body = VerificationView, headers(("ETag" = String))),
        (status = 403, description = "Another tenant, not an operator", body = ErrorBody),
        (status = 404, description = "No such case (or tenant)", body = ErrorBody),
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<CaseTenant>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Individual, Officer, Operator])?;
    let case_id = parse_case_id(&id)?;
    let reader =
        scope::case_reader(&state, ctx, query.tenant.as_deref(), case_id, "status").await?;
    let found = state
        .services
        .read_models
        .case(reader.tenant.as_str(), &case_id.to_string())
        .await?;
    let (case, checks) = found.ok_or(CaseError::NotFound)?;
    let view = VerificationView::from_rows(&case, &checks)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

// Traces to: CASE-2
/// The individual submits their data and evidence: → PENDING_ADMIN.
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
    body: Body<SubmitData>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Individual])?;
    let case_id = parse_case_id(&id)?;
    let (submission, challenge) = body.into_inner().into_domain()?;
    let expected = if_match(&req)?;
    let committed = state
        .services
        .submit(ctx, case_id, submission, challenge, expected)
        .await?;
    render_committed(&state, ctx, case_id, committed).await
}

// Traces to: seed 001
/// Retry a failed or expired check.
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
    body: Body<RetryCheck>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let action = CaseAction::RetryCheck { check: body.check };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

// Traces to: CASE-9
/// Remind the individual now (emailed when the case has their address):
/// only while the case waits for them, at most once per
/// `reminder_interval_secs` and `reminder_max` times in all, counting the
/// service's own reminders.
#[utoipa::path(
    post, path = "/verifications/{id}/remind", tag = "verifications", operation_id = "remind_individual",
    params(("id" = String, Path), ("If-Match" = Option<String>, Header), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = VerificationView), (status = 409, body = ErrorBody))
)]
pub async fn remind(
    state: web::Data<AppState>,
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let policy = veritrail_domain::case::ReminderPolicy {
        // By hand, whatever the case's age.
        after: time::Duration::ZERO,
        ..state.services.notifications.settings.reminders()
    };
    let action = CaseAction::RemindIndividual { policy };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

// Traces to: CASE-5
/// Cancel a case; the reason is mandatory.
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
    body: Body<CancelVerification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let action = CaseAction::Cancel {
        reason: body.reason()?,
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}

// Traces to: seed 002
/// Cancel a case (open or failed) and open its replacement with a restart
/// context.
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
    req: HttpRequest,
    identity: Identity,
    id: web::Path<String>,
    body: Body<RecreateVerification>,
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
    let mut response = render_opening(&state.auth, opening, StatusCode::CREATED)?;
    read_your_writes(&state, case_id, 1, &mut response).await;
    Ok(response)
}

// Traces to: CASE-3
/// The individual answers a requested action with new evidence.
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
    body: Body<ResubmitEvidence>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Individual])?;
    let (id, check) = path.into_inner();
    let action = CaseAction::Resubmit {
        check,
        evidence: body.into_inner().into_domain(),
    };
    command(&state, &req, ctx, parse_case_id(&id)?, action).await
}
