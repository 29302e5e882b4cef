//! Storage of idempotency keys and the responses they produced.

use time::{Duration, OffsetDateTime};
use veritrail_event_store::EventDatabase;

use crate::sql::{execute, fetch, Param};

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The outcome of trying to reserve a key.
#[derive(Debug)]
pub enum Reservation {
    /// Ours: run the request.
    Reserved,
    /// Another request with this key is running.
    InProgress { request_hash: String },
    /// Already answered.
    Completed {
        request_hash: String,
        response: StoredResponse,
    },
}

/// Idempotency keys in the service's database (`idempotency_keys` table).
#[derive(Debug, Clone)]
pub struct IdempotencyStore {
    db: EventDatabase,
    ttl: Duration,
}

type Row = (String, Option<i32>, Option<String>, Option<Vec<u8>>);

impl IdempotencyStore {
    pub fn new(db: EventDatabase, ttl: Duration) -> Self {
        Self { db, ttl }
    }

    /// Reserves `key` for this request unless it is already known and unexpired.
    pub async fn reserve(
        &self,
        tenant: &str,
        actor: &str,
        key: &str,
        request_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Reservation, sqlx::Error> {
        let id = [
            Param::Text(tenant.to_owned()),
            Param::Text(actor.to_owned()),
            Param::Text(key.to_owned()),
        ];
        // Forget an expired key first (keys are a cache, not history).
        let mut purge = id.to_vec();
        purge.push(Param::Int(now.unix_timestamp()));
        execute(
            &self.db,
            "DELETE FROM idempotency_keys
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3 AND expires_at <= $4",
            &purge,
        )
        .await?;
        let mut insert = id.to_vec();
        insert.extend([
            Param::Text(request_hash.to_owned()),
            Param::Int(now.unix_timestamp()),
            Param::Int((now + self.ttl).unix_timestamp()),
        ]);
        let inserted = execute(
            &self.db,
            "INSERT INTO idempotency_keys (tenant_id, actor_id, idempotency_key, request_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            &insert,
        )
        .await?;
        if inserted == 1 {
            return Ok(Reservation::Reserved);
        }
        let row: Option<Row> = fetch(
            &self.db,
            "SELECT request_hash, status_code, response_headers, response_body FROM idempotency_keys
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3",
            &id,
        )
        .await?
        .into_iter()
        .next();
        Ok(match row {
            // Released between our insert and select: treat as running; the client retries.
            None => Reservation::InProgress {
                request_hash: request_hash.to_owned(),
            },
            Some((hash, None, _, _)) => Reservation::InProgress { request_hash: hash },
            Some((hash, Some(status), headers, body)) => Reservation::Completed {
                request_hash: hash,
                response: StoredResponse {
                    status: u16::try_from(status).unwrap_or(500),
                    headers: headers
                        .and_then(|h| serde_json::from_str(&h).ok())
                        .unwrap_or_default(),
                    body: body.unwrap_or_default(),
                },
            },
        })
    }

    /// Stores the response of a reserved key.
    pub async fn complete(
        &self,
        tenant: &str,
        actor: &str,
        key: &str,
        response: StoredResponse,
    ) -> Result<(), sqlx::Error> {
        let headers = serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into());
        execute(
            &self.db,
            "UPDATE idempotency_keys SET status_code = $4, response_headers = $5, response_body = $6
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3",
            &[
                Param::Text(tenant.to_owned()),
                Param::Text(actor.to_owned()),
                Param::Text(key.to_owned()),
                Param::Int(i64::from(response.status)),
                Param::OptText(Some(headers)),
                Param::Bytes(response.body),
            ],
        )
        .await?;
        Ok(())
    }

    /// Forgets a reservation whose request failed in a retryable way.
    pub async fn release(&self, tenant: &str, actor: &str, key: &str) -> Result<(), sqlx::Error> {
        execute(
            &self.db,
            "DELETE FROM idempotency_keys
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3 AND status_code IS NULL",
            &[Param::Text(tenant.to_owned()), Param::Text(actor.to_owned()), Param::Text(key.to_owned())],
        )
        .await?;
        Ok(())
    }
}
