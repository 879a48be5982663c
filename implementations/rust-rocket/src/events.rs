//! `GET /api/users/events`: a WebSocket (rocket_ws) carrying one JSON text message per
//! committed change, in commit order.
//!
//! The store publishes each change to a tokio broadcast channel while it holds its lock
//! (`Store::publish`), so the channel's order is the commit order. The route subscribes
//! before the upgrade, so no change committed after the 101 is missed. On shutdown each
//! socket gets what was already committed, then a close frame with 1001 (Going Away).

use std::time::Duration;

use rocket::futures::{SinkExt, StreamExt};
use rocket::tokio::sync::broadcast::error::{RecvError, TryRecvError};
use rocket::tokio::time::timeout;
use rocket::{get, Shutdown, State};
use rocket_ws::frame::{CloseCode, CloseFrame};
use rocket_ws::result::{Error, Result};
use rocket_ws::stream::DuplexStream;
use rocket_ws::{Channel, Message, WebSocket};

use crate::guards::ExactPath;
use crate::users::Store;

/// How long a closing socket waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

#[get("/api/users/events")]
pub fn events(
    _path: ExactPath,
    ws: WebSocket,
    store: &State<Store>,
    shutdown: Shutdown,
) -> Channel<'static> {
    let mut changes = store.subscribe();
    ws.channel(move |mut socket| {
        Box::pin(async move {
            rocket::tokio::pin!(shutdown);
            loop {
                rocket::tokio::select! {
                    biased;
                    () = &mut shutdown => {
                        // What was committed before the shutdown still goes out, then 1001.
                        loop {
                            match changes.try_recv() {
                                Ok(text) => socket.send(Message::Text(text)).await?,
                                Err(TryRecvError::Lagged(_)) => continue,
                                Err(_) => break,
                            }
                        }
                        let reason = "the server is shutting down";
                        return close(socket, CloseCode::Away, reason).await;
                    }
                    change = changes.recv() => match change {
                        Ok(text) => socket.send(Message::Text(text)).await?,
                        // A gap would break the commit order: make the client start over.
                        Err(RecvError::Lagged(missed)) => {
                            let reason = format!("{missed} changes were dropped: reconnect and list again");
                            return close(socket, CloseCode::Again, &reason).await;
                        }
                        Err(RecvError::Closed) => return Ok(()),
                    },
                    // Reading is what answers pings (tungstenite queues the pong and sends it);
                    // the client's own messages are ignored.
                    message = socket.next() => match message {
                        Some(Ok(_)) => {}
                        Some(Err(Error::ConnectionClosed)) | None => return Ok(()),
                        Some(Err(e)) => return Err(e),
                    },
                }
            }
        })
    })
}

/// Sends a close frame and waits (at most CLOSE_WAIT) for the client's, which ends the stream.
async fn close(mut socket: DuplexStream, code: CloseCode, reason: &str) -> Result<()> {
    socket.close(Some(CloseFrame { code, reason: reason.to_owned().into() })).await?;
    let _ = timeout(CLOSE_WAIT, async { while let Some(Ok(_)) = socket.next().await {} }).await;
    Ok(())
}
