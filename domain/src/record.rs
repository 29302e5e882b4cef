//! The one way every aggregate's `handle` ends: the events its pure
//! `decide` chose are written to the sink (and applied), or the refusal is
//! returned and nothing is written.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;

pub(crate) async fn record<A: Aggregate>(
    aggregate: &mut A,
    sink: &EventSink<A>,
    decided: Result<Vec<A::Event>, A::Error>,
) -> Result<(), A::Error> {
    for event in decided? {
        sink.write(event, aggregate).await;
    }
    Ok(())
}
