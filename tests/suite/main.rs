//! The integration suite: one binary, fresh database per test.
//!
//! `contract` runs the same event-store contract against PostgreSQL and the
//! embedded SQLite backend: `cargo test -p veritrail-tests --test suite
//! contract::postgres` or `… contract::sqlite`.

mod api_document_ocr;
mod api_documents;
mod api_errors;
mod api_flow;
mod api_idempotency;
mod api_transitions;
mod append_only;
mod atomic_open;
mod blob_store;
mod contract;
mod crash_recovery;
mod dashboards;
mod database_faults;
mod demo;
mod faces;
mod global_order;
mod image_bombs;
mod liveness;
mod liveness_attacks;
mod metering;
mod notifications;
mod one_active_case;
mod openapi;
mod parser_errors;
mod photo_eval;
mod pipeline;
mod projections;
mod read_api;
mod rebuild;
mod security;
mod timers;
mod uploads;
mod vision;
mod webhooks;
