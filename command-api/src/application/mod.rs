//! Use cases over the event store.

mod batch;
mod context;
mod execute;
mod open_case;
mod recovery;
mod recreate;
mod service;

pub use context::{IdGenerator, RandomIds, RequestContext, SystemClock};
pub use execute::{execute, Committed};
pub use open_case::{InvitationGrant, OpenCaseRequest, Opened};
pub use recreate::{Recreated, Recreation};
pub use service::{CaseService, ServiceError};
