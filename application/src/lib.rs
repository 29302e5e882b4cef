//! The application layer: every use case and check of Veritrail, free of
//! any transport. The HTTP API (`command-api`), the processors and the
//! command line call it; only it and the projections touch the store.

pub mod auth;
mod batch;
pub mod cases;
pub mod challenges;
pub mod checks;
pub mod compute;
mod context;
mod error;
mod execute;
pub mod idempotency;
pub mod kyc;
pub mod media;
pub mod metering;
pub mod notifications;
pub mod providers;
pub mod rate_limit;
pub mod read_models;
mod services;
pub mod webhooks;

pub use context::{IdGenerator, RandomIds, RequestContext, SystemClock};
pub use error::{Cause, ServiceError};
pub use execute::{execute, Committed};
pub use services::{CaseOpening, Services};
