//! crud-conformance users API on axum 0.8.

mod error;
mod extract;
mod users;

use std::{any::Any, net::Ipv4Addr, time::Duration};

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use tokio::{
    net::TcpListener,
    signal::unix::{SignalKind, signal},
    sync::watch,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tracing::{Level, info, warn};

use crate::{error::ApiError, extract::MAX_BODY, users::Db};

/// How long in-flight requests may take to finish after SIGTERM/SIGINT.
const GRACE: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();

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
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(Db::default());

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    // Numeric address: a scratch image has no resolver.
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, port)).await?;
    info!("listening on {}", listener.local_addr()?);

    // axum installs no signal handlers, and as PID 1 the process would ignore
    // SIGTERM; the contract wants a graceful drain on SIGTERM and SIGINT.
    let signals = shutdown_signal()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        let signal = signals.await;
        info!("{signal}: closing the listener, draining in-flight requests");
        let _ = stop_tx.send(true);
    });

    // axum's graceful shutdown waits for ever; bound it so the process always exits 0.
    let server = axum::serve(listener, app).with_graceful_shutdown(stopped(stop_rx.clone()));
    tokio::select! {
        result = server => result?,
        () = async { stopped(stop_rx).await; tokio::time::sleep(GRACE).await } => {
            warn!("grace period of {GRACE:?} is over, exiting with requests still open");
        }
    }
    info!("stopped");
    Ok(())
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

async fn stopped(mut rx: watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it sent `true`.
    let _ = rx.wait_for(|&stop| stop).await;
}
