//! The write side's front door.
//!
//! `application` holds the use cases that need more than one aggregate or the
//! store's answers (get-or-open, cancel-and-recreate) and the single command
//! execution path that stamps every event with tenant, actor, time and
//! correlation/causation ids. The HTTP API (actix-web) lands on top of it with
//! the command-API issue.

pub mod application;
pub mod auth;
pub mod challenges;
pub mod compute;
pub mod http;
pub mod idempotency;
pub mod metering;
pub mod rate_limit;
pub mod read_models;
mod sql;
