//! `NotificationSettings`: one stream per tenant saying where officers'
//! notices go, whether individuals are emailed, and the tenant's own
//! templates (a kind without one uses the default). Changing them is an
//! event, so who changed what and when is on record.

mod template;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::case::EmailAddress;
use crate::ids::TenantId;

pub use template::{Audience, NoticeKind, Template, TemplateError};

/// At most this many officer addresses.
pub const MAX_OFFICERS: usize = 20;

/// A tenant's notification settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSettings {
    /// Email the individual (invitation, reminders, requests to act).
    pub notify_individuals: bool,
    /// Where new submissions and escalations go (none: not sent).
    pub officers: Vec<EmailAddress>,
    /// The tenant's templates; other kinds use the defaults.
    pub templates: BTreeMap<NoticeKind, Template>,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        Self {
            notify_individuals: true,
            officers: Vec::new(),
            templates: BTreeMap::new(),
        }
    }
}

impl NoticeSettings {
    /// The template for `kind`: the tenant's, else the default.
    pub fn template(&self, kind: NoticeKind) -> Template {
        self.templates
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| kind.default_template())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationCommand {
    Replace {
        tenant: TenantId,
        settings: NoticeSettings,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationEvent {
    NotificationSettingsChanged {
        tenant: TenantId,
        settings: NoticeSettings,
    },
}

impl DomainEvent for NotificationEvent {
    fn event_type(&self) -> String {
        "NotificationSettingsChanged".to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error("at most {MAX_OFFICERS} officer addresses")]
    TooManyOfficers,
    #[error("officer address {0} is listed twice")]
    DuplicateOfficer(String),
}

/// The aggregate: the current settings (defaults until changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub settings: NoticeSettings,
    pub changed: bool,
}

impl NotificationSettings {
    pub fn decide(
        &self,
        command: NotificationCommand,
    ) -> Result<Vec<NotificationEvent>, NotificationError> {
        let NotificationCommand::Replace { tenant, settings } = command;
        if settings.officers.len() > MAX_OFFICERS {
            return Err(NotificationError::TooManyOfficers);
        }
        for (i, officer) in settings.officers.iter().enumerate() {
            if settings.officers[..i].contains(officer) {
                return Err(NotificationError::DuplicateOfficer(
                    officer.as_str().to_owned(),
                ));
            }
        }
        if self.settings == settings {
            // Nothing changes: nothing is recorded (idempotent).
            return Ok(vec![]);
        }
        Ok(vec![NotificationEvent::NotificationSettingsChanged {
            tenant,
            settings,
        }])
    }
}

impl Aggregate for NotificationSettings {
    const TYPE: &'static str = "NotificationSettings";
    type Command = NotificationCommand;
    type Event = NotificationEvent;
    type Error = NotificationError;
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
        let NotificationEvent::NotificationSettingsChanged { settings, .. } = event;
        self.settings = settings;
        self.changed = true;
    }
}
