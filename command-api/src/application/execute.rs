//! The one path every command takes: load, decide, append with metadata.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, EventEnvelope, EventStore};
use veritrail_domain::EventMetadata;

/// What a successful command appended.
#[derive(Debug)]
pub struct Committed<A: Aggregate> {
    pub events: Vec<EventEnvelope<A>>,
    /// The stream's version (last sequence) after the append.
    pub version: usize,
}

/// Loads the aggregate, lets it decide, and appends the resulting events with
/// optimistic concurrency: if another writer appended first, the store
/// returns `AggregateConflict` and nothing is written.
pub async fn execute<A, S>(
    store: &S,
    aggregate_id: &str,
    command: A::Command,
    services: &A::Services,
    metadata: &EventMetadata,
) -> Result<Committed<A>, AggregateError<A::Error>>
where
    A: Aggregate,
    S: EventStore<A>,
{
    let mut context = store.load_aggregate(aggregate_id).await?;
    let sink: EventSink<A> = EventSink::default();
    context
        .aggregate()
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
