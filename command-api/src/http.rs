//! The HTTP surface (actix-web). For now: liveness and readiness; the command
//! endpoints arrive with the command-API issue.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::json;

use crate::application::CaseService;

/// Shared state of every worker.
#[derive(Debug, Clone)]
pub struct AppState {
    pub cases: Arc<CaseService>,
}

async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "live"}))
}

async fn ready(state: web::Data<AppState>) -> HttpResponse {
    match state.cases.database().ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({
                "error": {
                    "code": "store_unavailable",
                    "message": "the event store is not reachable",
                    "details": null,
                    "trace_id": null
                }
            }))
        }
    }
}

/// Builds the server on an already bound listener (port 0 in tests).
pub fn server(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/health/live", web::get().to(live))
            .route("/health/ready", web::get().to(ready))
    })
    .listen(listener)?
    .run())
}
