//! `OperatorAccess`: the record of one operator reading another tenant's
//! data (queue, dashboards, a case). Each read is its own one-event stream,
//! written under the tenant that was read, so that tenant's audit trail says
//! which operator looked at what, and no stream grows with every read.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCommand {
    /// `tenant` is the tenant read, or `*` for every tenant.
    RecordRead { tenant: String, resource: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessEvent {
    OperatorRead { tenant: String, resource: String },
}

impl DomainEvent for AccessEvent {
    fn event_type(&self) -> String {
        match self {
            AccessEvent::OperatorRead { .. } => "OperatorRead",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// An access record is written once; its id is never reused.
    #[error("this access is already recorded")]
    AlreadyRecorded,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorAccess {
    recorded: bool,
}

impl OperatorAccess {
    pub fn decide(&self, command: AccessCommand) -> Result<Vec<AccessEvent>, AccessError> {
        if self.recorded {
            return Err(AccessError::AlreadyRecorded);
        }
        let AccessCommand::RecordRead { tenant, resource } = command;
        Ok(vec![AccessEvent::OperatorRead { tenant, resource }])
    }
}

impl Aggregate for OperatorAccess {
    const TYPE: &'static str = "OperatorAccess";
    type Command = AccessCommand;
    type Event = AccessEvent;
    type Error = AccessError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let decided = self.decide(command);
        crate::record::record(self, sink, decided).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AccessEvent::OperatorRead { .. } => self.recorded = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_is_recorded_once() {
        let read = AccessCommand::RecordRead {
            tenant: "globex".into(),
            resource: "case 1".into(),
        };
        let mut access = OperatorAccess::default();
        let events = access.decide(read.clone()).expect("recorded");
        assert_eq!(
            events,
            [AccessEvent::OperatorRead {
                tenant: "globex".into(),
                resource: "case 1".into()
            }]
        );
        access.apply(events[0].clone());
        assert_eq!(access.decide(read), Err(AccessError::AlreadyRecorded));
    }
}
