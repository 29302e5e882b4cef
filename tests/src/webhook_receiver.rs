//! An organisation's webhook receiver over real HTTP: it records every
//! request (headers and exact body) and answers with the status the test
//! sets — 200, 503 while "down", 410 once "gone".

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;

/// One request received.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The status it was answered with.
    pub answered: u16,
    /// When it arrived.
    pub received_at: std::time::Instant,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Debug, Default)]
struct State {
    deliveries: Mutex<Vec<Delivery>>,
    status: AtomicU16,
}

#[derive(Debug, Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<State>,
}

fn header(request: &HttpRequest, name: &str) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn receive(
    state: web::Data<Arc<State>>,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let answered = state.status.load(Ordering::SeqCst);
    let delivery = Delivery {
        id: header(&request, "webhook-id"),
        timestamp: header(&request, "webhook-timestamp"),
        signature: header(&request, "webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered,
        received_at: std::time::Instant::now(),
    };
    state.deliveries.lock().expect("receiver").push(delivery);
    let status = actix_web::http::StatusCode::from_u16(answered).expect("a status");
    HttpResponse::build(status).body(format!("answered {answered}"))
}

impl Receiver {
    /// Starts a receiver answering 200.
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        state.status.store(200, Ordering::SeqCst);
        let shared = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .app_data(web::PayloadConfig::new(1 << 20))
                .default_service(web::post().to(receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind the receiver");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
        }
    }

    /// What the receiver answers from now on.
    pub fn answer(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    /// Every request so far, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state.deliveries.lock().expect("receiver").clone()
    }

    /// The requests it accepted (2xx).
    pub fn accepted(&self) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(|d| (200..300).contains(&d.answered))
            .collect()
    }

    /// Distinct `webhook-id`s accepted: what a receiver deduplicating by
    /// id has processed.
    pub fn processed_ids(&self) -> BTreeSet<String> {
        self.accepted().into_iter().map(|d| d.id).collect()
    }
}
