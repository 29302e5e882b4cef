//! Notifications (issue 18 item 4): emails to the individual (their
//! invitation, reminders, requests to act) and to the tenant's officers
//! (new submissions, escalations). What a tenant wants is an event stream
//! (`NotificationSettings`); the queue is fed from the event log; sending
//! is the processors' (`processors::notices`).

mod outbox;
mod service;
pub mod settings;

pub use outbox::{
    ContactRow, NoticeRow, Notices, Settle, DROP_INVITATION, INSERT_CONTACT, INSERT_NOTICE,
    INSERT_NOTICE_IF_ADDRESSED, SET_INVITATION,
};
pub use service::NotificationService;
pub use settings::MailSettings;
