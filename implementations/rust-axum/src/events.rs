//! The `websocket` profile: `GET /api/users/events` streams every committed change.
//!
//! The store publishes into a tokio broadcast channel while it still holds its lock, so the
//! channel's order is the commit order. Each socket subscribes before the 101 goes out (no change
//! committed after the upgrade is missed) and on shutdown gets a close frame with 1001.

use std::time::Duration;

use axum::{
    extract::{
        State,
        ws::{
            CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code,
            rejection::WebSocketUpgradeRejection,
        },
    },
    response::Response,
};
use serde::Serialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tracing::{info, warn};

use crate::{
    error::ApiError,
    users::{Db, User},
};

/// Messages a socket may be behind before it is closed (it would otherwise miss changes).
const BACKLOG: usize = 1024;
/// How long a closing socket waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// One committed change, as the socket sends it.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event<'a> {
    Created { user: &'a User },
    Updated { user: &'a User },
    Deleted { id: i64 },
}

/// The publishing side, the sockets' shutdown signal and the tracker that waits for them.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Utf8Bytes>,
    stop: CancellationToken,
    sockets: TaskTracker,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            tx: broadcast::channel(BACKLOG).0,
            stop: CancellationToken::new(),
            sockets: TaskTracker::new(),
        }
    }
}

impl Hub {
    /// Sends a change to every open socket; call it under the store's lock.
    pub fn publish(&self, event: &Event) {
        let text = serde_json::to_string(event).expect("events serialize");
        // An error only means that no socket is open.
        let _ = self.tx.send(text.into());
    }

    /// Closes every socket with 1001 and waits for them, at most `limit`.
    pub async fn close_all(&self, limit: Duration) {
        self.stop.cancel();
        self.sockets.close();
        if !self.sockets.is_empty() {
            info!("closing {} event socket(s) with 1001", self.sockets.len());
        }
        if tokio::time::timeout(limit, self.sockets.wait())
            .await
            .is_err()
        {
            warn!("event sockets still open after {limit:?}");
        }
    }
}

/// Without an RFC 6455 upgrade, a 400 problem (axum's rejection is text/plain).
pub async fn upgrade(
    State(db): State<Db>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let ws =
        ws.map_err(|e| ApiError::BadRequest(format!("{}: {}", EVENTS_NEEDS, e.body_text())))?;
    let hub = db.hub().clone();
    let rx = hub.tx.subscribe();
    Ok(ws.on_upgrade(move |socket| {
        // Tracked from the upgrade on, so that shutdown waits for its close frame.
        hub.sockets
            .track_future(stream(socket, rx, hub.stop.clone()))
    }))
}

const EVENTS_NEEDS: &str = "GET /api/users/events needs a WebSocket upgrade (RFC 6455)";

/// Writes the changes until the client leaves, the socket falls behind, or shutdown.
async fn stream(
    mut socket: WebSocket,
    mut rx: broadcast::Receiver<Utf8Bytes>,
    stop: CancellationToken,
) {
    let close = loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break (close_code::AWAY, "the server is shutting down"),
            change = rx.recv() => match change {
                Ok(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => break (close_code::POLICY, "too far behind: changes were missed"),
                Err(RecvError::Closed) => break (close_code::AWAY, "the server is shutting down"),
            },
            // Reading is what answers pings (tungstenite queues the pong and flushes it).
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    };
    let (code, reason) = close;
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    if socket.send(Message::Close(Some(frame))).await.is_ok() {
        // Let the client answer the close handshake, briefly.
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            while let Some(Ok(message)) = socket.recv().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}
