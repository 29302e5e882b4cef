//! The full workflow (seed 003 §8.5, issue 16 item 3): `POST /kyc/verify`
//! opens a submitted case from one request and answers 202 with the job
//! (its case); `GET /kyc/verify/{id}` polls it.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use veritrail_domain::case::CaseError;
use veritrail_domain::ActorKind;

use super::body::Body;
use super::dto::{KycJobView, KycVerify};
use super::error::{ApiError, ErrorBody};
use super::etag::etag;
use super::identity::Identity;
use super::respond::{announce, parse_case_id};
use super::AppState;

use ActorKind::{Officer, Operator, Organisation};

// Traces to: CASE-2, CHK-5, CHK-7
/// Verify an individual in one call: data, document and selfie; the
/// checks, the score and the decision follow on their own.
#[utoipa::path(
    post, path = "/kyc/verify", tag = "workflow", operation_id = "verify",
    request_body = KycVerify,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 202, description = "Queued: poll the job", body = KycJobView,
         headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The subject already has an active case", body = ErrorBody),
        (status = 413, description = "An image or the body is too large", body = ErrorBody),
        (status = 415, description = "An image is not a JPEG, PNG or WebP", body = ErrorBody),
        (status = 422, description = "Invalid request", body = ErrorBody),
        (status = 429, description = "The workflow quota is used up", body = ErrorBody),
    )
)]
pub async fn verify(
    state: web::Data<AppState>,
    identity: Identity,
    body: Body<KycVerify>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation])?;
    let request = body.into_inner().into_request()?;
    let opening = state.services.verify(ctx, request).await?;
    let opened = opening.case.opened().ok_or(CaseError::NotFound)?;
    let mut view = KycJobView::of(opened, opening.version);
    view.case.invitation = opening
        .invitation
        .map(|issued| announce(&state.auth, opening.case_id, issued));
    let mut response = HttpResponse::build(StatusCode::ACCEPTED);
    response
        .insert_header(etag(opening.version))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if let Ok(location) = header::HeaderValue::from_str(&view.links.this) {
        response.insert_header((header::LOCATION, location));
    }
    Ok(response.json(view))
}

// Traces to: CHK-7, READ-1
/// A workflow job: where it stands, its decision and score.
#[utoipa::path(
    get, path = "/kyc/verify/{id}", tag = "workflow", operation_id = "get_kyc_job",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = KycJobView, headers(("ETag" = String))),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn job(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let case_id = parse_case_id(&id)?;
    let (case, version) = state.services.cases.load(ctx, case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(version))
        .json(KycJobView::of(opened, version)))
}
