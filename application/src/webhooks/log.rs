//! The delivery log as the API reads it, and redelivery.

use veritrail_event_store::sql::{execute, fetch, Param};

use super::outbox::{text, AttemptRow, MessageRow, Outbox, MESSAGE_COLUMNS};

impl Outbox {
    /// An endpoint's messages, newest first: all, or those in `state`,
    /// created at or after `since_ms`.
    pub async fn messages(
        &self,
        tenant: &str,
        endpoint_id: &str,
        state: Option<&str>,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM webhook_messages
              WHERE tenant_id = $1 AND endpoint_id = $2 AND created_at_ms >= $3
                AND ($4 = '' OR state = $4)
              ORDER BY created_at_ms DESC, message_id DESC LIMIT $5"
        );
        fetch(
            &self.db,
            &sql,
            &[
                text(tenant),
                text(endpoint_id),
                Param::Int(since_ms),
                text(state.unwrap_or_default()),
                Param::Int(limit),
            ],
        )
        .await
    }

    /// One message of the tenant's endpoint, with every attempt.
    pub async fn message(
        &self,
        tenant: &str,
        endpoint_id: &str,
        message_id: &str,
    ) -> Result<Option<(MessageRow, Vec<AttemptRow>)>, sqlx::Error> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM webhook_messages
              WHERE tenant_id = $1 AND endpoint_id = $2 AND message_id = $3"
        );
        let rows: Vec<MessageRow> = fetch(
            &self.db,
            &sql,
            &[text(tenant), text(endpoint_id), text(message_id)],
        )
        .await?;
        let Some(message) = rows.into_iter().next() else {
            return Ok(None);
        };
        let attempts = fetch(
            &self.db,
            "SELECT attempt, at_ms, status, latency_ms, error, response_excerpt
               FROM webhook_attempts WHERE message_id = $1 ORDER BY attempt",
            &[text(message_id)],
        )
        .await?;
        Ok(Some((message, attempts)))
    }

    /// Sends messages again from now, as a new round of attempts: one
    /// message (`message_id`) or every failed one created since `since_ms`.
    /// Messages on their way are left alone. How many were queued.
    pub async fn redeliver(
        &self,
        tenant: &str,
        endpoint_id: &str,
        message_id: Option<&str>,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<u64, sqlx::Error> {
        let which = match message_id {
            Some(_) => "message_id = $4 AND state <> 'pending' AND $5 >= 0",
            None => "state = 'failed' AND created_at_ms >= $5 AND $4 = ''",
        };
        let sql = format!(
            "UPDATE webhook_messages
                SET state = 'pending', round_attempts = 0, next_attempt_ms = $3,
                    owner = NULL, lease_until_ms = 0, updated_at_ms = $3
              WHERE tenant_id = $1 AND endpoint_id = $2 AND {which}"
        );
        execute(
            &self.db,
            &sql,
            &[
                text(tenant),
                text(endpoint_id),
                Param::Int(now_ms),
                text(message_id.unwrap_or_default()),
                Param::Int(since_ms),
            ],
        )
        .await
    }
}
