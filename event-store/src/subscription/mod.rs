//! The subscription runner (moved here from `projections/` so the read
//! models and the processors share it without importing each other).
//!
//! One step: begin a transaction; claim or renew the projection's lease while
//! reading its checkpoint (`UPDATE … RETURNING`, which also locks the row);
//! read the next events after the checkpoint; apply each in the transaction;
//! move the checkpoint — only if we still own it — and commit. So a read-model
//! change and its checkpoint are committed together, a crash loses nothing
//! and applies nothing twice, and of two runners only the lease holder can
//! commit (ADR 0005). While its lease is fresh a runner reads from the
//! checkpoint it last wrote, kept in memory, and renews the lease only in
//! the transaction that applies events (or once a third of the lease has
//! passed), so an idle wake-up costs one read of the log.

mod checkpoint;
mod tx;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use tokio::time::Instant;
use uuid::Uuid;

use crate::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

pub use tx::Tx;

use crate::sql::millis;

/// Why a projection could not apply an event.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot read event {event_type} v{version}: {reason}")]
    Decode {
        event_type: String,
        version: String,
        reason: String,
    },
    #[error("{0}")]
    Other(String),
}

/// Reads a stored event's payload as `E`, upgraded by `upcasters` as the
/// write side does; a payload that does not decode is a projection error.
pub fn decode<E: serde::de::DeserializeOwned>(
    event: &RecordedEvent,
    upcasters: &[Box<dyn cqrs_es::persist::EventUpcaster>],
) -> Result<E, ProjectionError> {
    event
        .decode(upcasters)
        .map_err(|e| ProjectionError::Decode {
            event_type: event.event_type.clone(),
            version: event.event_version.clone(),
            reason: e.to_string(),
        })
}

/// A read model fed from the global log.
pub trait Projection: Send + Sync + 'static {
    /// Stable name: the checkpoint key.
    fn name(&self) -> &'static str;

    /// The tables this projection writes (rebuilt and swapped together).
    fn tables(&self) -> &'static [&'static str];

    /// Applies one event inside the runner's transaction. Must only write
    /// through `tx`, so the write commits or rolls back with the checkpoint.
    /// Table names must be unqualified: a rebuild points them at shadow tables.
    fn apply(
        &self,
        tx: &mut Tx<'_>,
        event: &RecordedEvent,
    ) -> impl std::future::Future<Output = Result<(), ProjectionError>> + Send;

    /// Applies a batch in order. The default applies one event at a time; a
    /// projection may write a batch at once (e.g. a multi-row INSERT) as long
    /// as the result is the same. On error the caller falls back to `apply`
    /// per event to find the failing one.
    fn apply_batch(
        &self,
        tx: &mut Tx<'_>,
        events: &[RecordedEvent],
    ) -> impl std::future::Future<Output = Result<(), ProjectionError>> + Send {
        async move {
            for event in events {
                self.apply(tx, event).await?;
            }
            Ok(())
        }
    }
}

/// Runner settings.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub batch_size: u32,
    /// How long a claim lasts without renewal.
    pub lease: Duration,
    /// Polling interval when no notification arrives.
    pub poll_interval: Duration,
    /// Attempts at one failing event before it is parked.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt.
    pub backoff: Duration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        Self {
            batch_size: 500,
            // Renewed at every step (at least every poll interval), so a
            // dead runner's projection is taken over within ~3 s.
            lease: Duration::from_secs(3),
            poll_interval: Duration::from_millis(250),
            max_attempts: 5,
            backoff: Duration::from_millis(50),
        }
    }
}

/// Runs one projection.
#[derive(Debug)]
pub struct Runner<P> {
    projection: P,
    db: EventDatabase,
    config: RunnerConfig,
    owner: String,
    /// The checkpoint row exists (inserted once, not at every step).
    row_ready: AtomicBool,
    /// When this runner last claimed or renewed its lease (ms): while the
    /// lease is fresh, a step reads the checkpoint without writing, and
    /// only the transaction that applies events renews it.
    renewed_ms: AtomicI64,
    /// The checkpoint as this runner last claimed or moved it.
    known: std::sync::Mutex<Option<GlobalPosition>>,
    /// Woken after every commit that applied events (readers waiting to
    /// see their own writes).
    applied: Option<std::sync::Arc<tokio::sync::Notify>>,
}

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Applied (or parked) this many events.
    Applied(usize),
    /// Another runner holds the lease.
    NotOwner,
}

/// Runner failures (not event failures: those are retried and parked).
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("another runner holds projection {0}")]
    NotOwner(&'static str),
    /// The checkpoint moved under us (a rebuild swapped the read model in).
    #[error("the checkpoint of projection {0} moved")]
    Moved(&'static str),
    /// An event the projection could not apply where it must (a rebuild, or
    /// events that applied before and fail on their retry).
    #[error("projection {projection} cannot apply the event at {at}: {reason}")]
    Apply {
        projection: &'static str,
        at: String,
        reason: String,
    },
}

fn now_ms() -> i64 {
    millis(time::OffsetDateTime::now_utc())
}

impl<P: Projection> Runner<P> {
    pub fn new(projection: P, db: EventDatabase, config: RunnerConfig) -> Self {
        Self {
            projection,
            db,
            config,
            owner: format!("runner-{}", Uuid::now_v7()),
            row_ready: AtomicBool::new(false),
            renewed_ms: AtomicI64::new(i64::MIN / 2),
            known: std::sync::Mutex::new(None),
            applied: None,
        }
    }

    /// Wakes `applied`'s waiters after every commit that applied events.
    pub fn with_notify(mut self, applied: std::sync::Arc<tokio::sync::Notify>) -> Self {
        self.applied = Some(applied);
        self
    }

    /// Names the runner after its instance (`veritrail serve` uses the
    /// configured `instance_id`): a restarted instance recognises its own
    /// lease and resumes at once instead of waiting for it to expire.
    pub fn with_owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = owner.into();
        self
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.config.lease.as_millis()).unwrap_or(i64::MAX)
    }

    /// Applies events in one transaction; on an event's failure returns its
    /// index and error (the transaction is rolled back).
    async fn apply_all(
        &self,
        after: GlobalPosition,
        events: &[RecordedEvent],
    ) -> Result<Result<(), (usize, ProjectionError)>, RunnerError> {
        let mut tx = Tx::begin(&self.db).await?;
        match self.claim(&mut tx).await? {
            None => {
                tx.rollback().await?;
                return Err(RunnerError::NotOwner(self.projection.name()));
            }
            Some(checkpoint) if checkpoint != after => {
                tx.rollback().await?;
                return Err(RunnerError::Moved(self.projection.name()));
            }
            Some(_) => {}
        }
        if events.len() > 1 {
            match self.projection.apply_batch(&mut tx, events).await {
                Ok(()) => {
                    if let Some(last) = events.last() {
                        if !self.advance(&mut tx, last.global, events.len()).await? {
                            tx.rollback().await?;
                            return Err(RunnerError::NotOwner(self.projection.name()));
                        }
                    }
                    tx.commit().await?;
                    return Ok(Ok(()));
                }
                Err(_) => {
                    // Find the failing event one by one in a fresh transaction.
                    tx.rollback().await?;
                    tx = Tx::begin(&self.db).await?;
                    if self.claim(&mut tx).await? != Some(after) {
                        tx.rollback().await?;
                        return Err(RunnerError::Moved(self.projection.name()));
                    }
                }
            }
        }
        for (index, event) in events.iter().enumerate() {
            let span = tracing::debug_span!(
                "project",
                projection = self.projection.name(),
                event = %event.global,
                event_type = %event.event_type
            );
            let _enter = span.enter();
            if let Err(error) = self.projection.apply(&mut tx, event).await {
                tx.rollback().await?;
                return Ok(Err((index, error)));
            }
        }
        if let Some(last) = events.last() {
            if !self.advance(&mut tx, last.global, events.len()).await? {
                tx.rollback().await?;
                return Err(RunnerError::NotOwner(self.projection.name()));
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// One batch: claim, read, apply (retrying and parking a failing event).
    pub async fn step(&self) -> Result<Step, RunnerError> {
        self.ensure_row().await?;
        let cursor = match self.fresh_cursor() {
            Some(cursor) => cursor,
            None => {
                // Claim or renew the lease, learning the checkpoint under it.
                let started = now_ms();
                let mut tx = Tx::begin(&self.db).await?;
                let Some(cursor) = self.claim(&mut tx).await? else {
                    tx.rollback().await?;
                    return Ok(Step::NotOwner);
                };
                tx.commit().await?;
                self.renewed_ms.store(started, Ordering::Relaxed);
                self.remember(Some(cursor));
                cursor
            }
        };
        let events = self.db.read_all(cursor, self.config.batch_size).await?;
        if events.is_empty() {
            return Ok(Step::Applied(0));
        }
        let started = now_ms();
        match self.apply_all(cursor, &events).await {
            Err(RunnerError::NotOwner(_)) => {
                self.renewed_ms.store(i64::MIN / 2, Ordering::Relaxed);
                self.remember(None);
                Ok(Step::NotOwner)
            }
            Err(RunnerError::Moved(_)) => {
                self.remember(None);
                Ok(Step::Applied(0))
            }
            Err(other) => {
                self.remember(None);
                Err(other)
            }
            Ok(Ok(())) => {
                // Its transaction renewed the lease and moved the checkpoint.
                self.renewed_ms.store(started, Ordering::Relaxed);
                self.remember(events.last().map(|e| e.global));
                if let Some(applied) = &self.applied {
                    applied.notify_waiters();
                }
                Ok(Step::Applied(events.len()))
            }
            Ok(Err((index, _))) => {
                // The checkpoint moves below: look it up again next time.
                self.remember(None);
                // Commit what precedes the failing event, then retry it alone.
                if index > 0 {
                    if let Ok(Err((at, error))) = self.apply_all(cursor, &events[..index]).await {
                        return Err(RunnerError::Apply {
                            projection: self.projection.name(),
                            at: events[at].global.to_string(),
                            reason: error.to_string(),
                        });
                    }
                }
                let failing = &events[index];
                let before = if index > 0 {
                    events[index - 1].global
                } else {
                    cursor
                };
                let mut delay = self.config.backoff;
                let mut last_error = None;
                for attempt in 1..=self.config.max_attempts {
                    match self
                        .apply_all(before, std::slice::from_ref(failing))
                        .await?
                    {
                        Ok(()) => return Ok(Step::Applied(index + 1)),
                        Err((_, error)) => {
                            tracing::warn!(
                                projection = self.projection.name(),
                                event = %failing.global,
                                attempt,
                                error = %error,
                                "projection failed to apply an event; retrying"
                            );
                            last_error = Some(error);
                            if attempt < self.config.max_attempts {
                                tokio::time::sleep(delay).await;
                                delay *= 2;
                            }
                        }
                    }
                }
                if let Some(error) = last_error {
                    self.park(failing, &error).await?;
                }
                Ok(Step::Applied(index + 1))
            }
        }
    }

    /// Applies everything committed before the call, then returns. Fails if
    /// another runner holds the projection.
    pub async fn catch_up(&self) -> Result<usize, RunnerError> {
        self.db.settle(Duration::from_secs(30)).await?;
        let mut total = 0;
        loop {
            match self.step().await? {
                Step::Applied(0) => return Ok(total),
                Step::Applied(n) => total += n,
                Step::NotOwner => return Err(RunnerError::NotOwner(self.projection.name())),
            }
        }
    }

    /// Runs forever: catches up, then waits for a notification (PostgreSQL
    /// LISTEN) or the polling interval. A runner that does not hold the
    /// lease stands by and takes over when it expires.
    pub async fn run(self) {
        let mut listener = match &self.db {
            EventDatabase::Postgres(pool) => {
                match sqlx::postgres::PgListener::connect_with(pool).await {
                    Ok(mut listener) => match listener.listen("veritrail_events").await {
                        Ok(()) => Some(listener),
                        Err(error) => {
                            tracing::warn!(%error, "LISTEN failed; polling only");
                            None
                        }
                    },
                    Err(error) => {
                        tracing::warn!(%error, "no listener connection; polling only");
                        None
                    }
                }
            }
            EventDatabase::Sqlite(_) => None,
        };
        let name = self.projection.name();
        tracing::info!(projection = name, owner = %self.owner, "projection runner started");
        loop {
            let wait = match self.step().await {
                Ok(Step::Applied(0)) => self.config.poll_interval,
                Ok(Step::Applied(_)) => continue,
                Ok(Step::NotOwner) => self.config.lease / 3,
                Err(error) => {
                    tracing::error!(projection = name, %error, "projection step failed");
                    self.config.poll_interval * 4
                }
            };
            let deadline = Instant::now() + wait;
            match listener.as_mut() {
                Some(listener) => {
                    tokio::select! {
                        notification = listener.recv() => {
                            if let Err(error) = notification {
                                tracing::warn!(%error, "listener failed; it reconnects on next recv");
                                tokio::time::sleep_until(deadline).await;
                            }
                        }
                        () = tokio::time::sleep_until(deadline) => {}
                    }
                }
                None => tokio::time::sleep_until(deadline).await,
            }
        }
    }
}
