//! The HTTP API (actix-web): transport only. Every use case and check is a
//! call into `veritrail_application`.

pub mod http;
