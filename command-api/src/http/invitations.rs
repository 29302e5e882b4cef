//! Individuals' invitations over HTTP (AUTH-4): issued with every new case,
//! issued again or revoked by the organisation.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use veritrail_domain::case::CaseError;
use veritrail_domain::{ActorKind, CaseId};

use super::dto::InvitationView;
use super::error::{ApiError, ErrorBody};
use super::identity::Identity;
use super::respond::{announce, parse_case_id};
use super::AppState;
use veritrail_application::RequestContext;

use ActorKind::{Officer, Operator, Organisation};

/// Issues an invitation to `case_id` on its own.
pub(super) async fn issue(
    state: &AppState,
    ctx: &RequestContext,
    case_id: CaseId,
) -> Result<InvitationView, ApiError> {
    let issued = state.services.invitations.issue(ctx, case_id).await?;
    Ok(announce(&state.auth, case_id, issued))
}

/// Issue another invitation for a case still waiting for its individual.
/// Earlier invitations keep working until they expire or are revoked.
#[utoipa::path(
    post, path = "/verifications/{id}/invitations", tag = "verifications", operation_id = "create_invitation",
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 201, body = InvitationView),
        (status = 404, description = "No such case for this tenant", body = ErrorBody),
        (status = 409, description = "The case is closed", body = ErrorBody),
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let case_id = parse_case_id(&id)?;
    let (case, _) = state.services.cases.load(ctx, case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    if !opened.status.is_active() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "case_closed",
            format!("the case is {}: nobody needs to be invited", opened.status),
        ));
    }
    let view = issue(&state, ctx, case_id).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(view))
}

/// Revoke an invitation: its token stops working at once.
#[utoipa::path(
    post, path = "/verifications/{id}/invitations/{invitation_id}/revoke", tag = "verifications",
    params(("id" = String, Path, description = "Case id"), ("invitation_id" = String, Path)),
    responses(
        (status = 204),
        (status = 404, description = "No such invitation for this case and tenant", body = ErrorBody),
        (status = 409, description = "Already revoked", body = ErrorBody),
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(&[Organisation, Officer, Operator])?;
    let (case, invitation) = path.into_inner();
    let case_id = parse_case_id(&case)?;
    let invitation =
        uuid::Uuid::parse_str(&invitation).map_err(|_| ApiError::not_found("invitation"))?;
    state
        .services
        .invitations
        .revoke(ctx, case_id, invitation)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
