//! `WebhookDeadLetter`: the record that one webhook message was given up
//! after its last attempt. Each is its own one-event stream (`aggregate_id`
//! = the message id) under the tenant, so a receiver that is down for days
//! does not lengthen the endpoints' stream with every lost message.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadLetterCommand {
    Record {
        endpoint_id: String,
        event_type: String,
        attempts: u32,
        last_error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeadLetterEvent {
    WebhookMessageDeadLettered {
        endpoint_id: String,
        /// The webhook event type (`case.decided`, …).
        event_type: String,
        attempts: u32,
        last_error: String,
    },
}

impl DomainEvent for DeadLetterEvent {
    fn event_type(&self) -> String {
        "WebhookMessageDeadLettered".to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadLetterError {
    #[error("this message is already dead-lettered")]
    AlreadyRecorded,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeadLetter {
    recorded: bool,
}

impl WebhookDeadLetter {
    /// A message redelivered by hand and given up again is recorded once:
    /// the second time decides nothing.
    pub fn decide(&self, command: DeadLetterCommand) -> Vec<DeadLetterEvent> {
        if self.recorded {
            return vec![];
        }
        let DeadLetterCommand::Record {
            endpoint_id,
            event_type,
            attempts,
            last_error,
        } = command;
        vec![DeadLetterEvent::WebhookMessageDeadLettered {
            endpoint_id,
            event_type,
            attempts,
            last_error,
        }]
    }
}

impl Aggregate for WebhookDeadLetter {
    const TYPE: &'static str = "WebhookDeadLetter";
    type Command = DeadLetterCommand;
    type Event = DeadLetterEvent;
    type Error = DeadLetterError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let decided = Ok(self.decide(command));
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, _event: Self::Event) {
        self.recorded = true;
    }
}
