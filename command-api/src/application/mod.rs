//! Use cases over the event store.

mod context;
mod execute;
mod open_case;
mod recreate;
mod service;

pub use context::{IdGenerator, RandomIds, RequestContext, SystemClock};
pub use execute::{execute, Committed};
pub use open_case::{OpenCaseRequest, Opened};
pub use recreate::Recreated;
pub use service::{CaseService, ServiceError};
