//! Storage of idempotency keys and the responses they produced.
//!
//! A key in progress names the process running it (`owner`) and the
//! request's id. Every process heartbeats in `instances`; a key whose owner
//! has not heartbeated for [`OWNER_DEAD_AFTER`] (it crashed or was killed)
//! is taken over by the next retry ([`Reservation::Recovered`]), which
//! continues the interrupted request under its id: commands it already
//! recorded are not decided again, and what it billed is not billed again.
//! A request that ends with a retryable answer abandons its key the same
//! way (`running`): its retry continues it rather than starting over.

mod abandoned;
mod running;

pub use running::RunningKey;
use running::{running_id, Running};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use veritrail_event_store::EventDatabase;

use crate::ServiceError;
use veritrail_event_store::sql::{execute, fetch, millis, Param};

/// What identifies a request's content under its key: SHA-256 of the
/// method, the path and the body. A key reused with another fingerprint is
/// refused.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update(b"\n");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A key in progress is taken over once its process has been silent this long.
pub const OWNER_DEAD_AFTER: Duration = Duration::seconds(5);
/// How often a process says it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The outcome of trying to reserve a key.
#[derive(Debug)]
pub enum Reservation {
    /// Ours: run the request.
    Reserved,
    /// Ours, taken over from a process that died while running it: continue
    /// that request (its id is `request_id`).
    Recovered { request_id: Uuid },
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
    /// This process (a new id at every start).
    process: String,
    running: Running,
    pending: abandoned::Pending,
}

/// request hash, status, headers, body, owner, request id.
type Row = (
    String,
    Option<i32>,
    Option<String>,
    Option<Vec<u8>>,
    Option<String>,
    Option<String>,
);

impl IdempotencyStore {
    pub fn new(db: EventDatabase, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            process: Uuid::now_v7().to_string(),
            running: Running::default(),
            pending: abandoned::Pending::default(),
        }
    }

    /// Says this process is alive (call before serving, then every
    /// [`HEARTBEAT_EVERY`]).
    pub async fn heartbeat(&self, instance: &str, now: OffsetDateTime) -> Result<(), ServiceError> {
        execute(
            &self.db,
            "INSERT INTO instances (process_id, instance_id, started_at, heartbeat_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (process_id) DO UPDATE SET heartbeat_ms = $4",
            &[
                Param::Text(self.process.clone()),
                Param::Text(instance.to_owned()),
                Param::Int(now.unix_timestamp()),
                Param::Int(millis(now)),
            ],
        )
        .await?;
        Ok(())
    }

    /// Heartbeats forever (spawned beside the server); forgets processes
    /// silent for a day.
    pub async fn keep_alive(self, instance: String) {
        let mut ticks = 0u64;
        loop {
            let now = OffsetDateTime::now_utc();
            if let Err(error) = self.heartbeat(&instance, now).await {
                tracing::warn!(%error, "idempotency heartbeat failed");
            }
            self.retry_abandons().await;
            if ticks.is_multiple_of(3600) {
                let _ = execute(
                    &self.db,
                    "DELETE FROM instances WHERE heartbeat_ms < $1",
                    &[Param::Int(millis(now - Duration::days(1)))],
                )
                .await;
            }
            ticks += 1;
            tokio::time::sleep(HEARTBEAT_EVERY).await;
        }
    }

    /// Marks the key running in this process for as long as the guard
    /// lives (claim before [`Self::reserve`]); `None` if it already runs here.
    pub fn claim(&self, tenant: &str, actor: &str, key: &str) -> Option<RunningKey> {
        self.running.claim(running_id(tenant, actor, key))
    }

    /// Whether `owner` may still be running a key the caller has claimed:
    /// never this process (the claim is the only request here that could
    /// run it), another process if it heartbeated within [`OWNER_DEAD_AFTER`].
    async fn alive(&self, owner: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
        if owner == self.process {
            return Ok(false);
        }
        let rows: Vec<(i64,)> = fetch(
            &self.db,
            "SELECT heartbeat_ms FROM instances WHERE process_id = $1",
            &[Param::Text(owner.to_owned())],
        )
        .await?;
        let limit = millis(now - OWNER_DEAD_AFTER);
        Ok(rows.first().is_some_and(|(beat,)| *beat >= limit))
    }

    /// Reserves `key` for request `request_id` unless it is already known
    /// and unexpired, or takes it over from a dead process or from an
    /// earlier request of this one that gave it up. The caller holds the
    /// key's claim ([`Self::claim`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn reserve(
        &self,
        _claim: &RunningKey,
        tenant: &str,
        actor: &str,
        key: &str,
        request_hash: &str,
        request_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Reservation, ServiceError> {
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
            Param::Text(self.process.clone()),
            Param::Text(request_id.to_string()),
        ]);
        let inserted = execute(
            &self.db,
            "INSERT INTO idempotency_keys (tenant_id, actor_id, idempotency_key, request_hash, created_at, expires_at, owner, request_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            &insert,
        )
        .await?;
        if inserted == 1 {
            return Ok(Reservation::Reserved);
        }
        let row: Option<Row> = fetch(
            &self.db,
            "SELECT request_hash, status_code, response_headers, response_body, owner, request_id FROM idempotency_keys
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
            Some((hash, None, _, _, owner, original)) => {
                let owner = owner.unwrap_or_default();
                if hash != request_hash || self.alive(&owner, now).await? {
                    return Ok(Reservation::InProgress { request_hash: hash });
                }
                self.take_over(&id, &owner, original.as_deref(), request_hash)
                    .await?
            }
            Some((hash, Some(status), headers, body, _, _)) => Reservation::Completed {
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

    /// Takes a key in progress over from the dead `owner` (compare and
    /// swap: of two retries racing, one wins, the other sees it running).
    async fn take_over(
        &self,
        id: &[Param; 3],
        owner: &str,
        original: Option<&str>,
        request_hash: &str,
    ) -> Result<Reservation, ServiceError> {
        let mut take = id.to_vec();
        take.extend([
            Param::Text(self.process.clone()),
            Param::Text(owner.to_owned()),
        ]);
        let taken = execute(
            &self.db,
            "UPDATE idempotency_keys SET owner = $4
              WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3
                AND status_code IS NULL AND COALESCE(owner, '') = $5",
            &take,
        )
        .await?;
        let request_id = original.and_then(|r| Uuid::parse_str(r).ok());
        Ok(match (taken, request_id) {
            (1, Some(request_id)) => Reservation::Recovered { request_id },
            // A key reserved before owners were recorded: nothing to continue.
            (1, None) => Reservation::Reserved,
            _ => Reservation::InProgress {
                request_hash: request_hash.to_owned(),
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
    ) -> Result<(), ServiceError> {
        let headers = serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into());
        // The command has committed: a database that is restarting (a few
        // seconds) must not leave its key in progress, so the answer is
        // stored once it is back, within a bound.
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut pause = std::time::Duration::from_millis(100);
        loop {
            let stored: Result<_, ServiceError> = execute(
                &self.db,
                "UPDATE idempotency_keys SET status_code = $4, response_headers = $5, response_body = $6
                  WHERE tenant_id = $1 AND actor_id = $2 AND idempotency_key = $3",
                &[
                    Param::Text(tenant.to_owned()),
                    Param::Text(actor.to_owned()),
                    Param::Text(key.to_owned()),
                    Param::Int(i64::from(response.status)),
                    Param::OptText(Some(headers.clone())),
                    Param::Bytes(response.body.clone()),
                ],
            )
            .await
            .map_err(Into::into);
            match stored {
                Ok(_) => return Ok(()),
                Err(ServiceError::Unavailable(_))
                    if std::time::Instant::now() + pause < give_up =>
                {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_secs(2));
                }
                Err(error) => return Err(error),
            }
        }
    }
}
