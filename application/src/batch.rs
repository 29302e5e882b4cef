//! A unit of work over several aggregates: each decides on the state it was
//! loaded at, and everything they decided is appended in one transaction
//! (`EventDatabase::append_atomic`). If any of the streams moved meanwhile
//! nothing is written and the caller decides again.

use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore, SerializedEvent};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope};
use veritrail_domain::EventMetadata;
use veritrail_event_store::{AppendError, EventDatabase};

use super::execute::decide;
use crate::error::ServiceError;

#[derive(Debug, Default)]
pub struct Batch {
    events: Vec<SerializedEvent>,
}

impl Batch {
    /// Loads `aggregate_id`, lets it decide `command` and keeps the events
    /// for [`Self::commit`]. With `expected`, a stream at another version is
    /// refused before deciding. One command per stream per batch. Returns the
    /// aggregate with the decided events applied and the stream's version
    /// once committed, so nobody replays the stream just written.
    pub async fn decide<A, R>(
        &mut self,
        store: &PersistedEventStore<R, A>,
        aggregate_id: &str,
        command: A::Command,
        services: &A::Services,
        metadata: &EventMetadata,
        expected: Option<usize>,
    ) -> Result<(A, usize), ServiceError>
    where
        A: Aggregate,
        R: PersistedEventRepository,
        ServiceError: From<AggregateError<A::Error>>,
    {
        let (events, context) = decide(store, aggregate_id, command, services, expected).await?;
        let mut state = context.aggregate;
        for event in &events {
            state.apply(event.clone());
        }
        let version = context.current_sequence + events.len();
        let map = metadata.to_map();
        for (payload, sequence) in events.into_iter().zip(context.current_sequence + 1..) {
            let envelope = EventEnvelope::<A> {
                aggregate_id: aggregate_id.to_owned(),
                sequence,
                payload,
                metadata: map.clone(),
            };
            let serialized = SerializedEvent::try_from(&envelope).map_err(ServiceError::store)?;
            self.events.push(serialized);
        }
        Ok((state, version))
    }

    /// As [`Self::decide`], for a stream whose id this request has just
    /// made (a new UUIDv7): nothing can be in it yet, so it is not read
    /// (issue 17: one round trip fewer per new stream). Were it to hold
    /// events after all, the append conflicts, nothing is written and the
    /// caller decides again with [`Self::decide`].
    pub async fn decide_fresh<A>(
        &mut self,
        aggregate_id: &str,
        command: A::Command,
        services: &A::Services,
        metadata: &EventMetadata,
    ) -> Result<(A, usize), ServiceError>
    where
        A: Aggregate,
        ServiceError: From<AggregateError<A::Error>>,
    {
        let (mut state, mut version) = (A::default(), 0);
        self.decide_next(
            (&mut state, &mut version),
            aggregate_id,
            command,
            services,
            metadata,
        )
        .await?;
        Ok((state, version))
    }

    /// Lets `state` — an aggregate this batch already decided on, at
    /// `version` — decide one more command, updating both, so a use case
    /// can write several commands to a stream it opens in one transaction.
    pub async fn decide_next<A>(
        &mut self,
        (state, version): (&mut A, &mut usize),
        aggregate_id: &str,
        command: A::Command,
        services: &A::Services,
        metadata: &EventMetadata,
    ) -> Result<(), ServiceError>
    where
        A: Aggregate,
        ServiceError: From<AggregateError<A::Error>>,
    {
        let sink = cqrs_es::event_sink::EventSink::<A>::default();
        state
            .handle(command, services, &sink)
            .await
            .map_err(AggregateError::UserError)?;
        let map = metadata.to_map();
        for payload in sink.collect().await {
            state.apply(payload.clone());
            *version += 1;
            let envelope = EventEnvelope::<A> {
                aggregate_id: aggregate_id.to_owned(),
                sequence: *version,
                payload,
                metadata: map.clone(),
            };
            let serialized = SerializedEvent::try_from(&envelope).map_err(ServiceError::store)?;
            self.events.push(serialized);
        }
        Ok(())
    }

    /// Appends everything decided, atomically.
    pub async fn commit(self, db: &EventDatabase) -> Result<(), ServiceError> {
        db.append_atomic(&self.events).await.map_err(|e| match e {
            AppendError::Conflict => ServiceError::Conflict,
            AppendError::Store(e) => ServiceError::store(e),
        })
    }
}
