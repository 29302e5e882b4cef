//! Request and response bodies of the HTTP API.

mod media;
mod requests;
mod scoring;
mod usage;
mod views;

pub use media::*;
pub use requests::*;
pub use scoring::*;
pub use usage::*;
pub use views::*;
