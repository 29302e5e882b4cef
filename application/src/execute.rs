//! The one path every command takes: load, decide, append with metadata.

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventRepository, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope, EventStore};
use veritrail_domain::metadata::CAUSATION_ID;
use veritrail_domain::EventMetadata;

use crate::error::ServiceError;

/// What a successful command appended.
#[derive(Debug)]
pub struct Committed<A: Aggregate> {
    pub events: Vec<EventEnvelope<A>>,
    /// The stream's version (last sequence) after the append. For a
    /// recovered request whose events were recorded earlier, nothing is
    /// appended now: `events` is empty and this is the stream's version.
    pub version: usize,
    /// The aggregate after the command (`None` for a recovered request):
    /// the caller renders it without loading the stream again.
    pub state: Option<A>,
}

/// Loads the aggregate, lets it decide, and appends the resulting events with
/// optimistic concurrency: if another writer appended first, the store
/// returns a conflict and nothing is written. With `expected`, a stream at
/// another version is refused before deciding.
///
/// When `recovering` (an idempotent retry of a request whose process died),
/// a stream that already holds events caused by that request is not decided
/// again: the command's outcome is those events, at the stream's version.
pub async fn execute<A, R>(
    store: &PersistedEventStore<R, A>,
    aggregate_id: &str,
    command: A::Command,
    services: &A::Services,
    metadata: &EventMetadata,
    expected: Option<usize>,
    recovering: bool,
) -> Result<Committed<A>, ServiceError>
where
    A: Aggregate + Clone,
    R: PersistedEventRepository,
    ServiceError: From<AggregateError<A::Error>>,
{
    if recovering {
        if let Some(version) = recorded_by(store, aggregate_id, metadata).await? {
            return Ok(Committed {
                events: Vec::new(),
                version,
                state: None,
            });
        }
    }
    let (events, context) = decide(store, aggregate_id, command, services, expected).await?;
    let mut state = context.aggregate.clone();
    let before = context.current_sequence;
    for event in &events {
        state.apply(event.clone());
    }
    let committed = store.commit(events, context, metadata.to_map()).await?;
    let version = committed.last().map_or(before, |e| e.sequence);
    Ok(Committed {
        events: committed,
        version,
        state: Some(state),
    })
}

/// Loads the aggregate and lets it decide; with `expected`, a stream at
/// another version is refused first. Returns the events and the context they
/// must be appended to.
pub(super) async fn decide<A, R>(
    store: &PersistedEventStore<R, A>,
    aggregate_id: &str,
    command: A::Command,
    services: &A::Services,
    expected: Option<usize>,
) -> Result<(Vec<A::Event>, EventStoreAggregateContext<A>), ServiceError>
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
    Ok((sink.collect().await, context))
}

/// The stream's version if it holds events caused by `metadata`'s request.
pub async fn recorded_by<A, R>(
    store: &PersistedEventStore<R, A>,
    aggregate_id: &str,
    metadata: &EventMetadata,
) -> Result<Option<usize>, ServiceError>
where
    A: Aggregate,
    R: PersistedEventRepository,
    ServiceError: From<AggregateError<A::Error>>,
{
    let events = store.load_events(aggregate_id).await?;
    let cause = metadata.causation_id.to_string();
    let caused = events
        .iter()
        .any(|e| e.metadata.get(CAUSATION_ID) == Some(&cause));
    Ok(caused.then(|| events.last().map_or(0, |e| e.sequence)))
}
