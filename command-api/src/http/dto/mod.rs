//! Request and response bodies of the HTTP API.

mod requests;
mod views;

pub use requests::*;
pub use views::*;
