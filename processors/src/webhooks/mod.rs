//! Webhooks (issue 18): the feed that turns the log into outbox messages,
//! and the dispatcher that signs and delivers them.

pub mod dispatcher;
mod endpoints;
pub mod feed;
mod message;
pub mod sender;

pub use dispatcher::{Dispatcher, Outcome};
pub use feed::WebhookFeed;
