//! Profile `websocket`: `GET /api/users/events` streams one JSON text message per committed change.
//!
//! The store publishes into a tokio broadcast channel while it still holds its lock, so every
//! socket sees the changes in commit order; shutdown goes through the same channel (and the same
//! lock), so a socket gets everything committed before it, then a close frame with 1001.

use std::sync::Arc;

use actix_web::{
    HttpRequest, HttpResponse,
    http::StatusCode,
    rt,
    web::{self, Payload},
};
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::future::{Either, select};
use serde::Serialize;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::{
    error::ApiError,
    users::{SharedStore, User, lock},
};

/// Messages a slow socket may fall behind by before it is closed (1008).
const BACKLOG: usize = 4096;

#[derive(Clone)]
enum Event {
    /// One committed change, already serialised.
    Change(Arc<str>),
    /// The server is stopping: close with 1001.
    Shutdown,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Change<'a> {
    Created { user: &'a User },
    Updated { user: &'a User },
    Deleted { id: i64 },
}

/// Lives inside the store, so publishing happens under the store's lock.
pub struct Events {
    tx: broadcast::Sender<Event>,
    closed: bool,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            tx: broadcast::channel(BACKLOG).0,
            closed: false,
        }
    }
}

impl Events {
    /// Sends a committed change to every open socket (none open is fine).
    pub fn publish(&self, change: Change<'_>) {
        if self.tx.receiver_count() == 0 {
            return;
        }
        let json = serde_json::to_string(&change).expect("a change serialises");
        let _ = self.tx.send(Event::Change(json.into()));
    }

    /// Closes every socket with 1001 after the changes already committed; no new ones open.
    pub fn shut_down(&mut self) {
        self.closed = true;
        let _ = self.tx.send(Event::Shutdown);
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users/events")
            .route(web::get().to(subscribe))
            .default_service(crate::users::method_not_allowed("GET")),
    );
}

async fn subscribe(
    req: HttpRequest,
    body: Payload,
    store: SharedStore,
) -> Result<HttpResponse, ApiError> {
    // Subscribed before the 101 goes out: no change committed after the upgrade is missed.
    let rx = {
        let store = lock(&store);
        if store.events.closed {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            return Err(ApiError::new(status, "the server is shutting down"));
        }
        store.events.tx.subscribe()
    };
    let (response, session, stream) = actix_ws::handle(&req, body).map_err(|e| {
        ApiError::bad_request(format!(
            "GET /api/users/events must be a WebSocket upgrade: {e}"
        ))
    })?;
    rt::spawn(forward(rx, session, stream));
    Ok(response)
}

/// Writes the changes to the socket and answers what the client sends, until either side closes.
async fn forward(
    mut rx: broadcast::Receiver<Event>,
    mut session: Session,
    mut stream: MessageStream,
) {
    let reason = loop {
        match select(Box::pin(rx.recv()), Box::pin(stream.recv())).await {
            Either::Left((Ok(Event::Change(json)), _)) => {
                if session.text(json.to_string()).await.is_err() {
                    return;
                }
            }
            Either::Left((Ok(Event::Shutdown) | Err(RecvError::Closed), _)) => {
                break Some(CloseReason {
                    code: CloseCode::Away,
                    description: Some("the server is shutting down".into()),
                });
            }
            Either::Left((Err(RecvError::Lagged(n)), _)) => {
                break Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some(format!("fell {n} messages behind")),
                });
            }
            Either::Right((Some(Ok(Message::Ping(payload))), _)) => {
                if session.pong(&payload).await.is_err() {
                    return;
                }
            }
            Either::Right((Some(Ok(Message::Close(reason))), _)) => break reason,
            Either::Right((Some(Ok(_)), _)) => {} // text, binary, pongs: nothing to do
            Either::Right((Some(Err(_)), _)) => break Some(CloseCode::Protocol.into()),
            Either::Right((None, _)) => return, // the connection is gone
        }
    };
    let _ = session.close(reason).await;
}
