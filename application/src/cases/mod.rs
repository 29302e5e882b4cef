//! Use cases on verification cases and subjects: get-or-open,
//! cancel-and-recreate, one command with the caller's version.

mod open_case;
mod plan;
mod recovery;
mod recreate;
mod service;
mod slot;

pub use open_case::{InvitationGrant, OpenCaseRequest, Opened};
pub use recreate::{Recreated, Recreation};
pub use service::CaseService;
