//! The one path every command takes: load, decide, append with metadata.

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};
use veritrail_domain::EventMetadata;

use super::service::ServiceError;

/// What a successful command appended.
#[derive(Debug)]
pub struct Committed<A: Aggregate> {
    pub events: Vec<EventEnvelope<A>>,
    /// The stream's version (last sequence) after the append.
    pub version: usize,
}

/// Loads the aggregate, lets it decide, and appends the resulting events with
/// optimistic concurrency: if another writer appended first, the store
/// returns a conflict and nothing is written. With `expected`, a stream at
/// another version is refused before deciding.
pub async fn execute<A, R>(
    store: &PersistedEventStore<R, A>,
    aggregate_id: &str,
    command: A::Command,
    services: &A::Services,
    metadata: &EventMetadata,
    expected: Option<usize>,
) -> Result<Committed<A>, ServiceError>
where
    A: Aggregate,
    R: PersistedEventRepository,
    ServiceError: From<AggregateError<A::Error>>,
{
    let mut context = store.load_aggregate(aggregate_id).await?;
    if let Some(expected) = expected {
        if context.current_sequence != expected {
            return Err(ServiceError::VersionMismatch {
                expected,
                current: context.current_sequence,
            });
        }
    }
    let sink: EventSink<A> = EventSink::default();
    context
        .aggregate
        .handle(command, services, &sink)
        .await
        .map_err(AggregateError::UserError)?;
    let events = sink.collect().await;
    let committed = store.commit(events, context, metadata.to_map()).await?;
    let version = committed.last().map(|e| e.sequence).unwrap_or_default();
    Ok(Committed {
        events: committed,
        version,
    })
}
