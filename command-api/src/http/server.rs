//! The HTTP server: the application on every worker, served over
//! connections wrapped in [`ShapedIo`] so that even the HTTP parser's own
//! refusals (400, 408, 431) carry the one error shape.

use std::net::TcpListener;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive, Protocol};
use actix_rt::net::TcpStream;
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Server};
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App};

use super::error::{framework_errors, json_error, path_error, query_error};
use super::shaped_io::ShapedIo;
use super::{idempotency, identity, routes, throttle, trace, AppState, HttpConfig, JSON_LIMIT};

/// How long a client may take to send a request head, and to keep an idle
/// connection (actix-web's defaults).
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Builds the server on an already bound listener (port 0 in tests).
pub fn server(
    listener: TcpListener,
    state: AppState,
    config: HttpConfig,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let addr = listener.local_addr()?;
    let mut builder = Server::build();
    if config.workers > 0 {
        builder = builder.workers(config.workers);
    }
    let server = builder.listen("veritrail-http", listener, move || {
        let app = App::new()
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(json_error),
            )
            .app_data(web::PayloadConfig::default().limit(JSON_LIMIT))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .configure(routes)
            // Innermost first: the outermost (request id) sees everything.
            .wrap(from_fn(idempotency::idempotency))
            .wrap(ErrorHandlers::new().default_handler(framework_errors))
            .wrap(from_fn(throttle::throttle))
            .wrap(from_fn(identity::authenticate))
            .wrap(from_fn(trace::request_id));
        let app = app.into_factory().map_err(|error| error.error_response());
        let http = HttpService::build()
            .keep_alive(KeepAlive::Timeout(KEEP_ALIVE))
            .client_request_timeout(HEAD_TIMEOUT)
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .finish(map_config(app, |()| AppConfig::default()));
        fn_service(|io: TcpStream| async move {
            let peer = io.peer_addr().ok();
            Ok((ShapedIo::new(io), Protocol::Http1, peer))
        })
        .and_then(http)
    })?;
    Ok(server.run())
}
