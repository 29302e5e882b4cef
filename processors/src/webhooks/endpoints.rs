//! The webhook feed's projection of the endpoints' events into
//! `webhook_endpoints`: what the fan-out and the dispatcher read.

use serde_json::{json, Value};
use veritrail_application::webhooks::FAIL_PENDING;
use veritrail_domain::webhook::{rotated, EndpointSecret, WebhookEvent};
use veritrail_event_store::sql::millis;
use veritrail_event_store::subscription::{decode, ProjectionError, Tx};
use veritrail_event_store::{fetch_optional, run, RecordedEvent};

/// Secrets as the `secrets` column keeps them.
fn secrets_json(secrets: &[EndpointSecret]) -> String {
    let rows: Vec<Value> = secrets
        .iter()
        .map(|s| json!({"secret_id": s.secret_id, "valid_until_ms": s.valid_until.map(millis)}))
        .collect();
    Value::Array(rows).to_string()
}

/// Reads the `secrets` column back.
pub fn parse_secrets(column: &str) -> Vec<EndpointSecret> {
    let rows: Vec<Value> = serde_json::from_str(column).unwrap_or_default();
    rows.iter()
        .filter_map(|r| {
            Some(EndpointSecret {
                secret_id: r.get("secret_id")?.as_str()?.to_owned(),
                valid_until: r
                    .get("valid_until_ms")
                    .and_then(Value::as_i64)
                    .and_then(|ms| {
                        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                            .ok()
                    }),
            })
        })
        .collect()
}

/// Applies one `WebhookEndpoints` event to `webhook_endpoints`; an
/// endpoint that stops fails what it had pending.
pub(super) async fn project(
    tx: &mut Tx<'_>,
    event: &RecordedEvent,
    now: i64,
) -> Result<(), ProjectionError> {
    let tenant = event.aggregate_id.as_str();
    match decode::<WebhookEvent>(event, &[])? {
        WebhookEvent::WebhookEndpointCreated {
            endpoint_id,
            settings,
            secret_id,
            ..
        } => {
            let secrets = [EndpointSecret {
                secret_id,
                valid_until: None,
            }];
            run!(
                    tx,
                    sqlx::query(
                        "INSERT INTO webhook_endpoints (endpoint_id, tenant_id, url, event_types, enabled, secrets)
                         VALUES ($1, $2, $3, $4, 1, $5)"
                    )
                    .bind(&endpoint_id)
                    .bind(tenant)
                    .bind(&settings.url)
                    .bind(json!(settings.event_types).to_string())
                    .bind(secrets_json(&secrets))
                )?;
        }
        WebhookEvent::WebhookEndpointUpdated {
            endpoint_id,
            settings,
        } => {
            run!(
                    tx,
                    sqlx::query(
                        "UPDATE webhook_endpoints SET url = $2, event_types = $3 WHERE endpoint_id = $1"
                    )
                    .bind(&endpoint_id)
                    .bind(&settings.url)
                    .bind(json!(settings.event_types).to_string())
                )?;
        }
        WebhookEvent::WebhookSecretRotated {
            endpoint_id,
            secret_id,
            previous_valid_until,
        } => {
            let row: Option<(String,)> = fetch_optional!(
                tx,
                sqlx::query_as("SELECT secrets FROM webhook_endpoints WHERE endpoint_id = $1")
                    .bind(&endpoint_id)
            )?;
            let current = parse_secrets(&row.map(|(s,)| s).unwrap_or_default());
            let secrets = rotated(&current, secret_id, previous_valid_until);
            run!(
                tx,
                sqlx::query("UPDATE webhook_endpoints SET secrets = $2 WHERE endpoint_id = $1")
                    .bind(&endpoint_id)
                    .bind(secrets_json(&secrets))
            )?;
        }
        WebhookEvent::WebhookEndpointEnabled { endpoint_id } => {
            run!(
                tx,
                sqlx::query("UPDATE webhook_endpoints SET enabled = 1 WHERE endpoint_id = $1")
                    .bind(&endpoint_id)
            )?;
        }
        WebhookEvent::WebhookEndpointDisabled {
            endpoint_id,
            reason,
            ..
        } => {
            run!(
                tx,
                sqlx::query("UPDATE webhook_endpoints SET enabled = 0 WHERE endpoint_id = $1")
                    .bind(&endpoint_id)
            )?;
            let why = format!("endpoint disabled ({})", reason.as_str());
            run!(
                tx,
                sqlx::query(FAIL_PENDING)
                    .bind(&endpoint_id)
                    .bind(why)
                    .bind(now)
            )?;
        }
        WebhookEvent::WebhookEndpointDeleted { endpoint_id } => {
            run!(
                tx,
                sqlx::query("DELETE FROM webhook_endpoints WHERE endpoint_id = $1")
                    .bind(&endpoint_id)
            )?;
            run!(
                tx,
                sqlx::query(FAIL_PENDING)
                    .bind(&endpoint_id)
                    .bind("endpoint deleted")
                    .bind(now)
            )?;
        }
    }
    Ok(())
}
