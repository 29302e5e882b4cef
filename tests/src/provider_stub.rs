//! A local stand-in for an external verification provider (the one third
//! party that cannot run here), speaking the provider protocol of
//! docs/providers.md over real HTTP: `POST /checks` and `GET /checks/{id}`.
//! It records what it was sent and answers as the test scripts it.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// How the stub answers.
#[derive(Debug, Clone)]
pub enum StubMode {
    /// The answer at once, in the response to the request.
    Immediate(Value),
    /// `processing` to the first `pending` polls, then the answer.
    PollThen { pending: usize, answer: Value },
    /// Never more than `processing`: the answer comes by callback, or never.
    Pending,
}

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    pub idempotency_key: Option<String>,
    pub authorization: Option<String>,
}

#[derive(Debug)]
struct State {
    mode: StubMode,
    received: Vec<Received>,
    polls: usize,
}

/// A running stub provider.
#[derive(Debug, Clone)]
pub struct ProviderStub {
    pub url: String,
    state: Arc<Mutex<State>>,
}

fn header(request: &HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn with_id(answer: &Value, id: &str) -> Value {
    let mut answer = answer.clone();
    answer["id"] = json!(id);
    answer
}

async fn submit(
    state: web::Data<Arc<Mutex<State>>>,
    request: HttpRequest,
    body: web::Json<Value>,
) -> HttpResponse {
    let mut state = state.lock().expect("stub state");
    let key = header(&request, "Idempotency-Key");
    // The same idempotency key is the same request: the same id.
    let known = state
        .received
        .iter()
        .position(|r| r.idempotency_key.is_some() && r.idempotency_key == key);
    let n = match known {
        Some(i) => i + 1,
        None => {
            state.received.push(Received {
                body: body.into_inner(),
                idempotency_key: key,
                authorization: header(&request, "Authorization"),
            });
            state.received.len()
        }
    };
    let id = format!("p-{n}");
    let answer = match &state.mode {
        StubMode::Immediate(answer) => with_id(answer, &id),
        _ => json!({"id": id, "status": "submitted"}),
    };
    HttpResponse::Created().json(answer)
}

async fn poll(state: web::Data<Arc<Mutex<State>>>, id: web::Path<String>) -> HttpResponse {
    let mut state = state.lock().expect("stub state");
    state.polls += 1;
    let answer = match &state.mode {
        StubMode::Immediate(answer) => with_id(answer, &id),
        StubMode::PollThen { pending, answer } if state.polls > *pending => with_id(answer, &id),
        _ => json!({"id": *id, "status": "processing"}),
    };
    HttpResponse::Ok().json(answer)
}

impl ProviderStub {
    /// Starts a stub on a free loopback port.
    pub fn start(mode: StubMode) -> Self {
        let state = Arc::new(Mutex::new(State {
            mode,
            received: Vec::new(),
            polls: 0,
        }));
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::JsonConfig::default().limit(64 * 1024 * 1024))
                .route("/checks", web::post().to(submit))
                .route("/checks/{id}", web::get().to(poll))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .expect("bind the stub provider");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// The requests received so far (one per distinct idempotency key).
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("stub state").received.clone()
    }

    pub fn polls(&self) -> usize {
        self.state.lock().expect("stub state").polls
    }
}
