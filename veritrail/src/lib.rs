//! Composition of Veritrail: configuration, and the application that wires
//! the store, the use cases and the HTTP API together. The binary (`main.rs`)
//! and the integration tests both build it from here.

pub mod app;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod demo;
pub mod process;
pub mod rebuild;
pub mod replay;
pub mod runtime;
pub mod telemetry;
pub mod wiring;
