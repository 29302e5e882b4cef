//! Request and response bodies of the HTTP API.

mod requests;
mod usage;
mod views;

pub use requests::*;
pub use usage::*;
pub use views::*;
