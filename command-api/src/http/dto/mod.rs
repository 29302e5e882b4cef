//! Request and response bodies of the HTTP API.

mod kyc;
mod media;
mod notifications;
mod requests;
mod scoring;
mod usage;
mod views;
mod webhook_inputs;
mod webhooks;
mod workflow;

pub use kyc::*;
pub use media::*;
pub use notifications::*;
pub use requests::*;
pub use scoring::*;
pub use usage::*;
pub use views::*;
pub use webhook_inputs::*;
pub use webhooks::*;
pub use workflow::*;
