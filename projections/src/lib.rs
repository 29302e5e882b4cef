//! Read side (READ-1..5): durable subscriptions that follow the global event
//! log (`veritrail_event_store::EventDatabase::read_all`) from their own
//! checkpoint, and the read models they maintain.
//!
//! - [`runtime`]: the runner (`veritrail_event_store::subscription`) — a
//!   lease per projection so at most one runner applies events, read-model
//!   writes and the checkpoint in one transaction, retries with backoff,
//!   dead letters, LISTEN/NOTIFY wake-ups on PostgreSQL and polling
//!   everywhere.
//! - [`case_status`]: cases, their checks and affected entities.
//! - [`audit_log`]: one row per event, filterable (READ-4).

pub mod audit_log;
mod case_entities;
pub mod case_status;
pub mod rebuild;
pub use veritrail_event_store::subscription as runtime;
pub use veritrail_event_store::{fetch_optional, run};

pub use runtime::{Projection, ProjectionError, Runner, RunnerConfig, RunnerError, Tx};

/// Every projection the service runs, by name.
pub const ALL: [&str; 2] = [case_status::NAME, audit_log::NAME];

/// When an event happened: the time its command was decided at (the
/// service's clock, `occurred_at` in its metadata), else when the store
/// recorded it. Read models date business facts (updated, decided) by it, as
/// the case's own events date opening and submission, so imported or demo
/// history keeps its dates; time travel (`?at=`) stays on `recorded_at`.
pub fn occurred_at(event: &veritrail_event_store::RecordedEvent) -> time::OffsetDateTime {
    event
        .metadata
        .get(veritrail_domain::metadata::OCCURRED_AT)
        .and_then(serde_json::Value::as_str)
        .and_then(|at| {
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()
        })
        .unwrap_or(event.recorded_at)
}

/// Epoch milliseconds of a timestamp (how read models store time).
pub use veritrail_event_store::sql::millis;

/// The UTC calendar day (`YYYY-MM-DD`) of a timestamp.
pub fn day(at: time::OffsetDateTime) -> String {
    let date = at.to_offset(time::UtcOffset::UTC).date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
