//! How a case command's outcome becomes a response: the case's view with
//! its `ETag`, the invitation shown once, `Location`, and whether the read
//! model already shows the write. Shared by the case routes, which never
//! import each other.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use time::format_description::well_known::Rfc3339;
use veritrail_application::auth::IssuedInvitation;
use veritrail_application::{CaseOpening, Committed, RequestContext};
use veritrail_domain::case::{CaseAction, CaseError, VerificationCase};
use veritrail_domain::CaseId;

use super::dto::{InvitationView, VerificationView};
use super::error::ApiError;
use super::etag::{etag, if_match};
use super::state::{AppState, Auth};

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
pub(super) fn render_opening(
    auth: &Auth,
    opening: CaseOpening,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let opened = opening.case.opened().ok_or(CaseError::NotFound)?;
    let mut view = VerificationView::of(opened, opening.version);
    let secret = opening.invitation.is_some();
    view.invitation = opening
        .invitation
        .map(|issued| announce(auth, opening.case_id, issued));
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
    render_committed(state, ctx, case_id, committed).await
}

/// The case after a command, as the command left it (loaded again only for
/// a recovered request), once the read model shows it (bounded wait).
pub(super) async fn render_committed(
    state: &AppState,
    ctx: &RequestContext,
    case_id: CaseId,
    committed: Committed<VerificationCase>,
) -> Result<HttpResponse, ApiError> {
    let mut response = match &committed.state {
        Some(case) => {
            let opened = case.opened().ok_or(CaseError::NotFound)?;
            HttpResponse::build(StatusCode::OK)
                .insert_header(etag(committed.version))
                .json(VerificationView::of(opened, committed.version))
        }
        None => view(state, ctx, case_id, StatusCode::OK).await?,
    };
    read_your_writes(state, case_id, committed.version, &mut response).await;
    Ok(response)
}

fn view_of(auth: &Auth, issued: IssuedInvitation) -> InvitationView {
    let url = format!("{}?token={}", auth.invitation_url, issued.token);
    InvitationView {
        invitation_id: issued.invitation_id.to_string(),
        token: issued.token,
        url,
        expires_at: issued.expires_at.format(&Rfc3339).unwrap_or_default(),
    }
}

/// The view of an invitation recorded for `case_id`; where configured, its
/// link is logged (the seed's stand-in for sending it by email or SMS).
pub(super) fn announce(auth: &Auth, case_id: CaseId, issued: IssuedInvitation) -> InvitationView {
    let view = view_of(auth, issued);
    if auth.log_invitation_links {
        tracing::info!(%case_id, invitation = %view.invitation_id, link = %view.url, "invitation issued");
    }
    view
}
