//! `GET /invitations?token=…`: the page an invitation link opens. It tells
//! the individual who asks, what is asked and how to answer (the full
//! applicant flow comes later); the token stays in the page, never in a log.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use veritrail_application::RequestContext;
use veritrail_domain::case::CaseError;
use veritrail_domain::{Actor, ActorId, ActorKind};

use super::error::{ApiError, ErrorBody};
use super::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// The invitation token from the link.
    pub token: Option<String>,
}

/// Text made safe to put in HTML.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn invalid() -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "invalid_token",
        "the invitation is invalid, expired or revoked; ask the organisation for a new link",
    )
}

/// The page an individual's invitation link opens: who asks, the checks
/// asked for, and how to submit.
#[utoipa::path(
    get, path = "/invitations", tag = "verifications", params(InvitationQuery), security(()),
    responses(
        (status = 200, description = "An HTML page", content_type = "text/html"),
        (status = 401, description = "invalid_token", body = ErrorBody),
    )
)]
pub async fn page(
    state: web::Data<AppState>,
    query: web::Query<InvitationQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.token.as_deref().ok_or_else(invalid)?;
    let invited = state
        .services
        .invitations
        .authenticate(token)
        .await?
        .ok_or_else(invalid)?;
    let actor = ActorId::parse(&invited.invitation_id.to_string()).map_err(|_| invalid())?;
    let ctx = RequestContext::new(
        invited.tenant.clone(),
        Actor::new(ActorKind::Individual, actor),
    );
    let (case, _) = state.services.cases.load(&ctx, invited.case_id).await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    let checks: String = opened
        .checks
        .iter()
        .map(|(kind, record)| {
            format!(
                "<li>{} — {}</li>",
                escape(&kind.as_str().replace('_', " ")),
                escape(record.state.as_str())
            )
        })
        .collect();
    let id = invited.case_id;
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Identity verification</title></head>
<body>
<h1>Identity verification</h1>
<p><strong>{tenant}</strong> asks you to verify your identity (case <code>{id}</code>, status {status}).</p>
<h2>What is asked</h2>
<ul>{checks}</ul>
<h2>How to answer</h2>
<p>Send your details and evidence with this link's token as a bearer token:</p>
<pre>PUT /verifications/{id}/data
Authorization: Bearer {token}
Content-Type: application/json

{{"given_names": "…", "family_name": "…", "date_of_birth": "YYYY-MM-DD",
 "nationality": "ISO 3166-1 alpha-3", "email": "…", "evidence": […]}}</pre>
<p>Read your case with <code>GET /verifications/{id}</code> and the same token.
The fields are described in the <a href="/docs">API documentation</a>.
Keep this link private: it opens your case.</p>
</body>
</html>"#,
        tenant = escape(invited.tenant.as_str()),
        status = escape(opened.status.as_str()),
        token = escape(token),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html))
}
