//! Veritrail's event store.
//!
//! One cqrs-es [`PersistedEventRepository`](cqrs_es::persist::PersistedEventRepository)
//! with two backends — PostgreSQL through `postgres-es` and embedded SQLite
//! through `sqlite-es` — over schemas from `migrations/` that add what those
//! crates lack: a global position a catch-up reader can follow without
//! skipping late commits (ADR 0002), `recorded_at`, `tenant_id`, and
//! database-enforced append-only (AUD-1).
//!
//! [`subscription`] follows the global log from a checkpoint under a lease,
//! applying events and moving the checkpoint in one transaction: the read
//! models (`projections/`) and the processors' feed (`processors/`) both
//! run on it (ADR 0005).
//!
//! The store knows the domain only through cqrs-es traits.

mod append;
mod database;
mod global;
mod postgres;
mod repository;
pub mod sql;
mod sqlite;
pub mod subscription;
mod unavailable;

pub use append::AppendError;
pub use database::{Backend, EventDatabase, StoreError};
pub use global::{GlobalPosition, RecordedEvent};
pub use repository::EventRepository;
pub use unavailable::is_unavailable;

/// The cqrs-es event store over whichever backend is configured.
pub type EventStore<A> = cqrs_es::persist::PersistedEventStore<EventRepository, A>;
