//! crud-conformance users API on axum 0.8.

mod conditional;
mod error;
mod events;
mod extract;
mod tls;
mod users;

use std::{
    any::Any,
    net::{Ipv4Addr, SocketAddr},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    http::{Extensions, HeaderMap, HeaderName, Method, StatusCode, Version, header},
    response::{IntoResponse, Response},
    routing::get,
};
use axum_server::Handle;
use hyper_util::{
    rt::{TokioExecutor, TokioTimer},
    server::conn::auto::Builder,
};
use serde_json::json;
use tokio::signal::unix::{SignalKind, signal};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        CompressionLayer,
        predicate::{DefaultPredicate, Predicate, SizeAbove},
    },
    cors::{Any as AnyOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::{Level, info};

use crate::{error::ApiError, extract::MAX_BODY, users::Db};

/// How long in-flight requests may take to finish after SIGTERM/SIGINT.
const GRACE: Duration = Duration::from_secs(30);
/// How long the event sockets get to take their close frames (1001) on shutdown.
const SOCKETS_GRACE: Duration = Duration::from_secs(3);
/// `slow-client`: request headers must have arrived within this (hyper's default is 30 s).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// `compression`: bodies from this size up are gzipped.
const COMPRESS_FROM: u64 = 1024;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();

    let db = Db::default();
    let hub = db.hub().clone();
    let app = Router::new()
        .route("/health", get(health))
        .merge(users::router())
        // axum's defaults are an empty 404 and an empty 405 (with Allow, which
        // axum still adds to this fallback's response); the contract wants problems.
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // axum's default limit is 2 MB; the contract's is 1 MiB.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // A panic would otherwise drop the connection without a response.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(compression())
        .layer(cors())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // Outermost: every response, preflights and errors included, carries the id.
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .with_state(db);

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    // Numeric address: a scratch image has no resolver.
    let addr = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    let tls = tls::from_env().await?;

    // axum installs no signal handlers, and as PID 1 the process would ignore
    // SIGTERM; the contract wants a graceful drain on SIGTERM and SIGINT.
    let signals = shutdown_signal()?;
    let handle = Handle::new();
    let stopping = tokio::spawn({
        let handle = handle.clone();
        async move {
            let signal = signals.await;
            info!("{signal}: closing the listener, draining in-flight requests");
            // Stops accepting at once, closes idle keep-alive connections, lets in-flight
            // requests finish; the drain has no limit by default, so bound it.
            handle.graceful_shutdown(Some(GRACE));
            // Upgraded connections are no longer hyper's: close them side by side.
            hub.close_all(SOCKETS_GRACE).await;
        }
    });
    tokio::spawn({
        let handle = handle.clone();
        let scheme = if tls.is_some() { "https" } else { "http" };
        async move {
            if let Some(addr) = handle.listening().await {
                info!("listening on {scheme}://{addr}");
            }
        }
    });

    let service = app.into_make_service();
    match tls {
        Some(config) => {
            let mut server = axum_server::bind_rustls(addr, config).handle(handle);
            protocols(server.http_builder());
            server.serve(service).await?;
        }
        None => {
            let mut server = axum_server::bind(addr).handle(handle);
            protocols(server.http_builder());
            server.serve(service).await?;
        }
    }
    // Only a signal ends `serve`; wait for the sockets' close frames too.
    let _ = stopping.await;
    info!("stopped");
    Ok(())
}

/// HTTP/1.1 with a header read timeout, and HTTP/2: h2c by prior knowledge (hyper-util's
/// auto-detection of the preface), h2 by ALPN under TLS, and RFC 8441 WebSockets over h2.
fn protocols(builder: &mut Builder<TokioExecutor>) {
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().enable_connect_protocol();
}

/// gzip (the client's Accept-Encoding decides) for bodies of 1 KiB and more, but not for a
/// response with an ETag: that strong tag names the identity representation.
fn compression() -> CompressionLayer<impl Predicate> {
    let untagged = |_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        !headers.contains_key(header::ETAG)
    };
    CompressionLayer::new().gzip(true).compress_when(
        DefaultPredicate::new()
            .and(SizeAbove::new(COMPRESS_FROM))
            .and(untagged),
    )
}

/// Any origin may call the API (no credentials); tower-http answers every OPTIONS itself.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AnyOrigin)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            X_REQUEST_ID,
        ])
        .expose_headers([
            header::LOCATION,
            header::LINK,
            header::ETAG,
            X_TOTAL_COUNT,
            X_REQUEST_ID,
        ])
        .max_age(Duration::from_secs(600))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no resource at this path")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::Internal.into_response()
}

/// Installs the handlers at once (before serving); the future resolves on the first signal.
fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    })
}
