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
//! passed), so an idle wake-up costs no query at all. A batch holding no
//! event the projection wants opens no transaction: the runner moves on in
//! memory and writes that progress with its next renewal (ADR 0018). An
//! instance's runners share one [`LogTail`], which reads the log once per
//! commit for all of them.

mod checkpoint;
mod heads;
mod run;
mod step;
mod tail;
mod tx;

use std::sync::atomic::{AtomicBool, AtomicI64};
use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::{EventDatabase, GlobalPosition, RecordedEvent, StoreError};

pub use heads::AppliedHeads;
pub use tail::LogTail;
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

    /// Whether `event` can change anything here. The runner applies only
    /// the events a projection wants, and a batch without any opens no
    /// transaction, so `apply` must do nothing with an event this refuses.
    /// The default wants everything.
    fn wants(&self, event: &RecordedEvent) -> bool {
        let _ = event;
        true
    }

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
    /// The checkpoint as this runner last claimed or moved it, and how far
    /// past it the runner has read events it did not want.
    known: std::sync::Mutex<Option<Cursor>>,
    /// Told of every commit that applied events (readers waiting to see
    /// their own writes).
    applied: Option<Arc<AppliedHeads>>,
    /// The instance's shared reader of the log; without one the runner
    /// reads the database and listens for commits itself.
    tail: Option<Arc<LogTail>>,
}

/// Where a runner is: its stored checkpoint, and the position it has read
/// to (beyond the checkpoint only over events it does not want, `skipped`
/// of them, not yet written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    stored: GlobalPosition,
    read: GlobalPosition,
    skipped: usize,
}

impl Cursor {
    fn at(stored: GlobalPosition) -> Self {
        Self {
            stored,
            read: stored,
            skipped: 0,
        }
    }
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
            tail: None,
        }
    }

    /// Records in `applied` every batch this runner commits.
    pub fn with_heads(mut self, applied: Arc<AppliedHeads>) -> Self {
        self.applied = Some(applied);
        self
    }

    /// Reads the log through the instance's shared `tail` (which must be
    /// running) instead of on its own; `None` keeps it reading alone.
    pub fn with_tail(mut self, tail: Option<Arc<LogTail>>) -> Self {
        self.tail = tail;
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

    /// The next batch after `after`, through the tail if there is one.
    async fn read(&self, after: GlobalPosition) -> Result<Vec<RecordedEvent>, StoreError> {
        match &self.tail {
            Some(tail) => tail.read(after, self.config.batch_size).await,
            None => self.db.read_all(after, self.config.batch_size).await,
        }
    }
}
