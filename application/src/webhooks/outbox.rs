//! The webhook outbox (`webhook_messages`), its delivery log
//! (`webhook_attempts`) and the endpoints' health: claimed under leases by
//! the dispatchers of every instance (PostgreSQL skips rows another one
//! holds), read and redelivered through the API.

use veritrail_event_store::sql::{claim_due, execute, fetch, Param};
use veritrail_event_store::subscription::Tx;
use veritrail_event_store::EventDatabase;
use veritrail_event_store::{fetch_optional, run};

/// A new message (the webhook feed writes it with its checkpoint): id,
/// endpoint, tenant, type, case, case version, source position, body,
/// created at (= first attempt at).
pub const INSERT_MESSAGE: &str = "INSERT INTO webhook_messages
    (message_id, endpoint_id, tenant_id, event_type, case_id, case_version, source_position,
     body, created_at_ms, next_attempt_ms, updated_at_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)";

/// When an endpoint stops (disabled or deleted), what it had not received
/// fails; "redeliver failed since" brings it back once it is enabled.
pub const FAIL_PENDING: &str = "UPDATE webhook_messages
    SET state = 'failed', last_error = $2, owner = NULL, lease_until_ms = 0, updated_at_ms = $3
    WHERE endpoint_id = $1 AND state = 'pending'";

pub(super) const MESSAGE_COLUMNS: &str =
    "message_id, endpoint_id, tenant_id, event_type, case_id, case_version,
    body, state, round_attempts, total_attempts, next_attempt_ms, last_status, last_error,
    created_at_ms, delivered_at_ms";

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub message_id: String,
    pub endpoint_id: String,
    pub tenant_id: String,
    pub event_type: String,
    pub case_id: Option<String>,
    pub case_version: Option<i64>,
    pub body: String,
    pub state: String,
    pub round_attempts: i64,
    pub total_attempts: i64,
    pub next_attempt_ms: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub delivered_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i64,
    pub at_ms: i64,
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

/// An endpoint as the feed projected it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EndpointRow {
    pub endpoint_id: String,
    pub tenant_id: String,
    pub url: String,
    pub event_types: String,
    pub enabled: i64,
    pub secrets: String,
}

/// One attempt's outcome, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at_ms: i64,
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub response_excerpt: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    pub(super) db: EventDatabase,
}

pub(super) fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

impl Outbox {
    pub fn new(db: EventDatabase) -> Self {
        Self { db }
    }

    /// Takes up to `limit` due messages nobody holds, for `owner`, until
    /// `now_ms + lease_ms`.
    pub async fn claim(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        let table = (
            "webhook_messages",
            "message_id",
            "next_attempt_ms",
            MESSAGE_COLUMNS,
        );
        claim_due(&self.db, table, owner, now_ms, lease_ms, limit).await
    }

    pub async fn endpoint(&self, endpoint_id: &str) -> Result<Option<EndpointRow>, sqlx::Error> {
        let rows: Vec<EndpointRow> = fetch(
            &self.db,
            "SELECT endpoint_id, tenant_id, url, event_types, enabled, secrets
               FROM webhook_endpoints WHERE endpoint_id = $1",
            &[text(endpoint_id)],
        )
        .await?;
        Ok(rows.into_iter().next())
    }

    /// The end of one attempt, in one transaction: the attempt logged (once:
    /// a replay after a crash keeps the first record), the message settled
    /// as `state` (pending with its next attempt at `next_ms`, delivered or
    /// failed) if `owner` still holds it, and the endpoint's health. Whether
    /// the claim was still held, and since when the endpoint has been
    /// failing (none after a success).
    pub async fn conclude(
        &self,
        message: &MessageRow,
        owner: &str,
        state: &str,
        next_ms: i64,
        attempt: &Attempt,
    ) -> Result<(bool, Option<i64>), sqlx::Error> {
        let mut tx = Tx::begin(&self.db).await?;
        let status = attempt.status.map(i64::from);
        run!(
            &mut tx,
            sqlx::query(
                "INSERT INTO webhook_attempts
                    (message_id, attempt, endpoint_id, at_ms, status, latency_ms, error, response_excerpt)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            )
            .bind(&message.message_id)
            .bind(message.total_attempts + 1)
            .bind(&message.endpoint_id)
            .bind(attempt.at_ms)
            .bind(status)
            .bind(attempt.latency_ms)
            .bind(&attempt.error)
            .bind(&attempt.response_excerpt)
        )?;
        let kept = run!(
            &mut tx,
            sqlx::query(
                "UPDATE webhook_messages
                    SET state = $3, next_attempt_ms = $4, owner = NULL, lease_until_ms = 0,
                        round_attempts = round_attempts + 1, total_attempts = total_attempts + 1,
                        last_status = $5, last_error = $6, updated_at_ms = $7,
                        delivered_at_ms = CASE WHEN $3 = 'delivered' THEN $7 ELSE delivered_at_ms END
                  WHERE message_id = $1 AND owner = $2"
            )
            .bind(&message.message_id)
            .bind(owner)
            .bind(state)
            .bind(next_ms)
            .bind(status)
            .bind(&attempt.error)
            .bind(attempt.at_ms)
        )? == 1;
        let ok = attempt.status.is_some_and(|s| (200..300).contains(&s));
        let health = if ok {
            "INSERT INTO webhook_health (endpoint_id, failing_since_ms, last_success_ms)
             VALUES ($1, NULL, $2)
             ON CONFLICT (endpoint_id) DO UPDATE SET failing_since_ms = NULL, last_success_ms = $2"
        } else {
            "INSERT INTO webhook_health (endpoint_id, failing_since_ms) VALUES ($1, $2)
             ON CONFLICT (endpoint_id) DO UPDATE
                SET failing_since_ms = COALESCE(webhook_health.failing_since_ms, $2)"
        };
        run!(
            &mut tx,
            sqlx::query(health)
                .bind(&message.endpoint_id)
                .bind(attempt.at_ms)
        )?;
        let since: Option<(Option<i64>,)> = fetch_optional!(
            &mut tx,
            sqlx::query_as("SELECT failing_since_ms FROM webhook_health WHERE endpoint_id = $1")
                .bind(&message.endpoint_id)
        )?;
        tx.commit().await?;
        Ok((kept, since.and_then(|(s,)| s)))
    }

    /// Fails a claimed message that cannot be sent (its endpoint stopped).
    pub async fn drop_claimed(
        &self,
        message_id: &str,
        owner: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        execute(
            &self.db,
            "UPDATE webhook_messages SET state = 'failed', owner = NULL, lease_until_ms = 0,
                    last_error = $3, updated_at_ms = $4
              WHERE message_id = $1 AND owner = $2",
            &[
                text(message_id),
                text(owner),
                text(reason),
                Param::Int(now_ms),
            ],
        )
        .await?;
        Ok(())
    }
}
