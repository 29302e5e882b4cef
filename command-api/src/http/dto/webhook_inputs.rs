//! What callers send to the webhook endpoints API (issue 18, PLAT-1).

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use veritrail_application::webhooks::{EndpointChange, NewEndpoint};
use veritrail_domain::webhook::EndpointSettings;

use crate::http::ApiError;

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// Where messages are POSTed: https, on a public address.
    #[schema(example = "https://hooks.example.com/veritrail")]
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event types (GET /webhooks/event-types); empty or absent = all.
    #[serde(default)]
    #[schema(example = json!(["case.decided", "check.action_required"]))]
    pub event_types: Vec<String>,
    /// Whether messages are sent (default true).
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

impl EndpointInput {
    pub fn into_new(self) -> NewEndpoint {
        NewEndpoint {
            settings: EndpointSettings {
                url: self.url,
                description: self.description,
                event_types: self.event_types,
            },
            enabled: self.enabled,
        }
    }
}

/// A change to an endpoint: the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

impl EndpointPatch {
    pub fn into_change(self) -> EndpointChange {
        EndpointChange {
            url: self.url,
            description: self.description,
            event_types: self.event_types,
            enabled: self.enabled,
        }
    }
}

/// A secret rotation.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateInput {
    /// How long the current secret keeps signing beside the new one
    /// (0–604800 s; default 86400).
    pub previous_valid_for_secs: Option<u32>,
}

impl RotateInput {
    pub fn overlap(&self) -> Result<time::Duration, ApiError> {
        match self.previous_valid_for_secs.unwrap_or(86_400) {
            secs @ 0..=604_800 => Ok(time::Duration::seconds(i64::from(secs))),
            _ => Err(ApiError::validation(
                "previous_valid_for_secs",
                "at most 604800 (7 days)",
            )),
        }
    }
}

/// "Redeliver every failed message since".
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeliverInput {
    /// RFC 3339: messages created at or after this time.
    #[schema(example = "2026-12-01T00:00:00Z")]
    pub since: String,
}

impl RedeliverInput {
    pub fn since_ms(&self) -> Result<i64, ApiError> {
        parse_time("since", &self.since)
    }
}

fn parse_time(field: &str, text: &str) -> Result<i64, ApiError> {
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| ApiError::validation(field, "an RFC 3339 time, e.g. 2026-12-01T00:00:00Z"))?;
    Ok(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
}

/// Filters of an endpoint's delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessagesQuery {
    /// pending, delivered or failed.
    pub state: Option<String>,
    /// RFC 3339: messages created at or after this time.
    pub since: Option<String>,
    /// At most this many (1–500, default 100), newest first.
    pub limit: Option<u32>,
    /// Operators: the tenant whose endpoints these are.
    pub tenant: Option<String>,
}

impl MessagesQuery {
    /// The state, the earliest creation time (ms) and the limit.
    pub fn filters(&self) -> Result<(Option<&str>, i64, i64), ApiError> {
        let state = self.state.as_deref();
        if state.is_some_and(|s| !["pending", "delivered", "failed"].contains(&s)) {
            return Err(ApiError::validation(
                "state",
                "pending, delivered or failed",
            ));
        }
        let since = match &self.since {
            Some(text) => parse_time("since", text)?,
            None => 0,
        };
        let limit = match self.limit.unwrap_or(100) {
            n @ 1..=500 => i64::from(n),
            _ => return Err(ApiError::validation("limit", "between 1 and 500")),
        };
        Ok((state, since, limit))
    }
}

/// Operators name the tenant whose endpoints they manage.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TenantQuery {
    pub tenant: Option<String>,
}
