//! Read-side endpoints: the review queue, the audit trail, time travel.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::IntoParams;
use veritrail_domain::case::CaseError;

use super::dto::{AdminVerificationView, AuditEntry, AuditPage, QueueItem, QueuePage};
use super::error::{ApiError, ErrorBody};
use super::etag::etag;
use super::identity::{Identity, CLIENTS, OFFICERS};
use super::respond::parse_case_id;
use super::scope::{self, CaseTenant};
use super::AppState;
use veritrail_application::read_models::millis;
use veritrail_application::read_models::{AuditFilter, QueueFilter};

/// Keeps `limit` of the `limit + 1` rows read; the cursor of the last kept
/// row when there was more.
fn page<T>(
    mut rows: Vec<T>,
    limit: u32,
    cursor: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}

fn now_ms() -> i64 {
    millis(OffsetDateTime::now_utc())
}

fn parse_time(field: &str, value: &str) -> Result<i64, ApiError> {
    let at = OffsetDateTime::parse(value, &Rfc3339).map_err(|e| ApiError::validation(field, e))?;
    Ok(millis(at))
}

/// The cut-off of `older_than_hours` (at most ten years).
fn older_than(hours: Option<u32>, now: i64) -> Result<Option<i64>, ApiError> {
    match hours {
        Some(h @ 0..=87_600) => Ok(Some(now - i64::from(h) * 3_600_000)),
        Some(_) => Err(ApiError::validation("older_than_hours", "at most 87600")),
        None => Ok(None),
    }
}

fn limit(value: Option<u32>) -> Result<u32, ApiError> {
    match value.unwrap_or(50) {
        n @ 1..=200 => Ok(n),
        _ => Err(ApiError::validation("limit", "between 1 and 200")),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// PENDING_ORG, PENDING_ADMIN, COMPLETED, FAILED or CANCELLED.
    status: Option<String>,
    /// pending, failed, requires_action or all_cleared.
    check_outcome: Option<String>,
    /// Only cases opened at least this many hours ago.
    #[param(maximum = 87_600)]
    older_than_hours: Option<u32>,
    subject: Option<String>,
    /// Cases affecting this business entity.
    entity: Option<String>,
    /// An officer's id, or `none` for unassigned cases.
    assignee: Option<String>,
    /// Operators only: another tenant, or `*` for all.
    tenant: Option<String>,
    /// `opened_at` (oldest first, default) or `-opened_at`.
    sort: Option<String>,
    /// From the previous page's `next_cursor`.
    cursor: Option<String>,
    /// Default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

const STATUSES: [&str; 5] = [
    "PENDING_ORG",
    "PENDING_ADMIN",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
];
const OUTCOMES: [&str; 4] = ["pending", "failed", "requires_action", "all_cleared"];

// Traces to: READ-2
/// The verification officers' review queue, from the read model.
#[utoipa::path(
    get, path = "/admin/verifications", tag = "admin",
    params(QueueQuery),
    responses((status = 200, body = QueuePage), (status = 422, body = ErrorBody))
)]
pub async fn queue(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let q = query.into_inner();
    if let Some(s) = &q.status {
        if !STATUSES.contains(&s.as_str()) {
            return Err(ApiError::validation(
                "status",
                format!("one of {}", STATUSES.join(", ")),
            ));
        }
    }
    if let Some(o) = &q.check_outcome {
        if !OUTCOMES.contains(&o.as_str()) {
            return Err(ApiError::validation(
                "check_outcome",
                format!("one of {}", OUTCOMES.join(", ")),
            ));
        }
    }
    let newest_first = match q.sort.as_deref() {
        None | Some("opened_at") => false,
        Some("-opened_at") => true,
        Some(_) => return Err(ApiError::validation("sort", "opened_at or -opened_at")),
    };
    let after = q
        .cursor
        .as_deref()
        .map(|c| {
            c.split_once('.')
                .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id.to_owned())))
                .ok_or_else(|| ApiError::validation("cursor", "not a cursor from this API"))
        })
        .transpose()?;
    let now = now_ms();
    let mut filter = QueueFilter {
        tenant: None,
        status: text("status", q.status)?,
        check_outcome: text("check_outcome", q.check_outcome)?,
        subject: text("subject", q.subject)?,
        entity: text("entity", q.entity)?,
        reviewer: text("assignee", q.assignee)?.map(|a| if a == "none" { None } else { Some(a) }),
        opened_before_ms: older_than(q.older_than_hours, now)?,
        newest_first,
        after,
        limit: limit(q.limit)?,
    };
    // Last, once the query is valid: an operator's read of others is audited.
    filter.tenant = scope::tenants(&state, ctx, q.tenant.as_deref(), "review queue").await?;
    let rows = state.services.read_models.queue(&filter).await?;
    let (rows, next_cursor) = page(rows, filter.limit, |r| {
        format!("{}.{}", r.opened_at_ms, r.case_id)
    });
    Ok(HttpResponse::Ok().json(QueuePage {
        items: rows.iter().map(|r| QueueItem::of(r, now)).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Operators only: another tenant, or `*` for all.
    tenant: Option<String>,
    actor_id: Option<String>,
    actor_kind: Option<String>,
    /// A case id (or any stream id).
    case: Option<String>,
    event_type: Option<String>,
    /// RFC 3339.
    since: Option<String>,
    /// RFC 3339.
    until: Option<String>,
    cursor: Option<String>,
    /// Default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

// Traces to: READ-4, seed 004 `approval-logs`
/// The global audit log, newest first.
#[utoipa::path(
    get, path = "/admin/audit", tag = "admin",
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 422, body = ErrorBody))
)]
pub async fn audit(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let q = query.into_inner();
    let before = q
        .cursor
        .as_deref()
        .map(|c| {
            c.split_once(':')
                .and_then(|(t, p)| Some((t.parse::<i64>().ok()?, p.parse::<i64>().ok()?)))
                .ok_or_else(|| ApiError::validation("cursor", "not a cursor from this API"))
        })
        .transpose()?;
    if let Some(kind) = q.event_type.as_deref() {
        if !veritrail_domain::EVENT_TYPES.contains(&kind) {
            return Err(ApiError::validation(
                "event_type",
                format!("one of {}", veritrail_domain::EVENT_TYPES.join(", ")),
            ));
        }
    }
    let mut filter = AuditFilter {
        tenant: None,
        actor_id: text("actor_id", q.actor_id)?,
        actor_kind: text("actor_kind", q.actor_kind)?,
        aggregate_id: text("case", q.case)?,
        event_type: q.event_type,
        since_ms: q
            .since
            .as_deref()
            .map(|s| parse_time("since", s))
            .transpose()?,
        until_ms: q
            .until
            .as_deref()
            .map(|s| parse_time("until", s))
            .transpose()?,
        before,
        limit: limit(q.limit)?,
    };
    filter.tenant = scope::tenants(&state, ctx, q.tenant.as_deref(), "audit trail").await?;
    let rows = state.services.read_models.audit(&filter).await?;
    let (rows, next_cursor) = page(rows, filter.limit, |r| {
        format!("{}:{}", r.global_tx, r.global_position)
    });
    Ok(HttpResponse::Ok().json(AuditPage {
        items: rows.iter().map(AuditEntry::of).collect(),
        next_cursor,
    }))
}

/// Every event of one case, oldest first: its audit trail.
#[utoipa::path(
    get, path = "/admin/verifications/{id}/events", tag = "admin",
    params(("id" = String, Path), CaseTenant),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn case_events(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<CaseTenant>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let case_id = parse_case_id(&id)?;
    let reader =
        scope::case_reader(&state, ctx, query.tenant.as_deref(), case_id, "events").await?;
    let rows = state
        .services
        .read_models
        .stream_audit(reader.tenant.as_str(), &case_id.to_string())
        .await?;
    if rows.is_empty() {
        return Err(CaseError::NotFound.into());
    }
    Ok(HttpResponse::Ok().json(rows.iter().map(AuditEntry::of).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The state after this many events.
    #[param(minimum = 1)]
    version: Option<usize>,
    /// The state as of this time (RFC 3339).
    at: Option<String>,
    /// Operators only: the tenant whose case this is (the read is audited).
    tenant: Option<String>,
}

// Traces to: READ-6
/// Time travel: the case as it stood at an event number or a time,
/// computed by replaying its stream.
#[utoipa::path(
    get, path = "/admin/verifications/{id}/history", tag = "admin",
    params(("id" = String, Path), HistoryQuery),
    responses((status = 200, body = AdminVerificationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn history(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(OFFICERS)?;
    let case_id = parse_case_id(&id)?;
    let q = query.into_inner();
    if q.version.is_none() && q.at.is_none() {
        return Err(ApiError::validation("version", "give version or at"));
    }
    if q.version == Some(0) {
        return Err(ApiError::validation("version", "at least 1"));
    }
    let at =
        q.at.as_deref()
            .map(|s| OffsetDateTime::parse(s, &Rfc3339).map_err(|e| ApiError::validation("at", e)))
            .transpose()?;
    let reader = scope::case_reader(&state, ctx, q.tenant.as_deref(), case_id, "history").await?;
    let (case, version) = state
        .services
        .cases
        .load_at(&reader, case_id, q.version, at)
        .await?;
    let opened = case.opened().ok_or(CaseError::NotFound)?;
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header(etag(version))
        .json(AdminVerificationView::of(opened, version)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LastActiveQuery {
    /// The organisation's subject id.
    subject: Option<String>,
    /// A business entity the case affects.
    entity: Option<String>,
}

// Traces to: seed 002 `get_last_active_id_verification_request_for_*`
/// The last active case of a subject or an entity: a passed case wins,
/// otherwise the most recent.
#[utoipa::path(
    get, path = "/verifications/last-active", tag = "verifications",
    params(LastActiveQuery),
    responses((status = 200, body = super::dto::VerificationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn last_active(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<LastActiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = identity.require(CLIENTS)?;
    let q = query.into_inner();
    if q.subject.is_some() == q.entity.is_some() {
        return Err(ApiError::validation(
            "subject",
            "give exactly one of subject or entity",
        ));
    }
    let found = state
        .services
        .read_models
        .last_active(
            ctx.tenant.as_str(),
            text("subject", q.subject.clone())?.as_deref(),
            text("entity", q.entity.clone())?.as_deref(),
        )
        .await?;
    let (case, checks) = found.ok_or_else(|| ApiError::not_found("case"))?;
    let view = super::dto::VerificationView::from_rows(&case, &checks)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(view.version))
        .json(view))
}

/// A free-text query parameter: control characters (NUL above all, which
/// PostgreSQL refuses in text) cannot be in any id or code.
fn text(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if v.chars().any(char::is_control) => {
            Err(ApiError::validation(field, "no control characters"))
        }
        other => Ok(other),
    }
}
