//! crud-conformance users API on actix-web 4.

mod conditional;
mod error;
mod events;
mod request_id;
mod tls;
mod users;

use std::{env, io, sync::Mutex, task::Poll, time::Duration};

use actix_cors::Cors;
use actix_web::{
    App, HttpResponse, HttpServer,
    http::header,
    middleware,
    rt::signal::unix::{SignalKind, signal},
    web::{self, JsonConfig, PathConfig, QueryConfig},
};
use serde_json::json;

use error::ApiError;

/// 1 MiB; a body of exactly this size is accepted, one byte more is 413.
const BODY_LIMIT: usize = 1_048_576;

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

// actix's fallback for unknown paths is an empty 404; the contract wants a problem body.
async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such resource"))
}

/// Profile `cors`: any origin, the API's methods, any request header; the API's own response
/// headers readable by scripts.
fn cors() -> Cors {
    Cors::default()
        .allow_any_origin()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allow_any_header()
        .expose_headers([
            header::LOCATION,
            header::LINK,
            header::ETAG,
            header::HeaderName::from_static("x-total-count"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .max_age(600)
}

/// Resolves on the first SIGTERM or SIGINT, once the event sockets are told to close (1001).
/// Handlers are installed now, before serving.
// actix stops gracefully on SIGTERM but forcibly on SIGINT (and SIGQUIT); the contract wants
// both graceful, so the server's own handlers are replaced by this future. A WebSocket is an
// in-flight response to actix, which would wait for it until the shutdown timeout: the sockets
// are closed here, after the changes already committed, while actix stops listening.
fn stop_signal(store: users::SharedStore) -> io::Result<impl Future<Output = ()> + Send + 'static> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let signalled = std::future::poll_fn(move |cx| {
        if term.poll_recv(cx).is_ready() || int.poll_recv(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    Ok(async move {
        signalled.await;
        users::lock(&store).events.shut_down();
    })
}

#[actix_web::main]
async fn main() -> io::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();

    let port: u16 = match env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| io::Error::other(format!("bad PORT {p:?}")))?,
        Err(_) => 8080,
    };
    let store: users::SharedStore = web::Data::new(Mutex::new(users::Store::default()));
    let tls = tls::config_from_env()?;
    let stop = stop_signal(store.clone())?;

    let server = HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .app_data(
                JsonConfig::default()
                    .limit(BODY_LIMIT)
                    .error_handler(error::json_error),
            )
            .app_data(PathConfig::default().error_handler(error::path_error))
            .app_data(QueryConfig::default().error_handler(error::query_error))
            .wrap(middleware::Logger::default())
            // profile `compression`: gzip when Accept-Encoding asks for it (never for 101/204/304)
            .wrap(middleware::Compress::default())
            .wrap(cors())
            .wrap_fn(request_id::middleware)
            .service(
                web::resource("/health")
                    .route(web::get().to(health))
                    .route(web::head().to(health))
                    .default_service(web::to(|| async {
                        Err::<HttpResponse, _>(ApiError::method_not_allowed("GET, HEAD"))
                    })),
            )
            .service(
                web::scope("/api")
                    // before /users/{id}, which would take "events" for an id
                    .configure(events::routes)
                    .configure(users::routes),
            )
            .default_service(web::to(not_found))
    })
    // The contract's slow-client line: headers get 10 s (actix-web's default is 5 s, which a busy
    // machine can exceed for a client that is not slow at all)
    .client_request_timeout(Duration::from_secs(10))
    // in-flight requests (bodies still arriving included) get 30 s to finish
    .shutdown_timeout(30)
    .shutdown_signal(stop);

    match tls {
        // ALPN h2 and http/1.1; a cleartext request gets a TLS alert, not HTTP
        Some(config) => server.bind_rustls_0_23(("0.0.0.0", port), config)?,
        // HTTP/1.1, and HTTP/2 with prior knowledge (h2c)
        None => server.bind_auto_h2c(("0.0.0.0", port))?,
    }
    .run()
    .await
}
