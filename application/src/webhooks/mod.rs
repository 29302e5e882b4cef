//! Webhooks (issue 18, PLAT-1): the tenants' endpoints and their secrets,
//! the outbox the processors deliver from, and the delivery log. Sending is
//! the processors' (`processors::webhooks`); deciding what may be sent
//! where, and signing, is here.

mod deliveries;
mod endpoints;
mod log;
mod outbox;
pub mod settings;
pub mod signing;
pub mod target;

pub use endpoints::{EndpointChange, NewEndpoint, WebhookService};
pub use outbox::{
    Attempt, AttemptRow, EndpointRow, MessageRow, Outbox, FAIL_PENDING, INSERT_MESSAGE,
};
pub use settings::WebhookSettings;
