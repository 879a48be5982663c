//! Exit as soon as the last in-flight connection is done.
//!
//! Once shutdown starts, Rocket closes the listener and idle connections and lets the
//! others finish, but `launch()` then waits out the whole grace period (30 s here) if any
//! connection was still open at that instant, even after it closed. The contract wants the
//! process gone within 2 s of its last response, so `drained` watches the connections.
//!
//! A request-counting fairing would miss a request whose body has not started to arrive:
//! Rocket reads the first body bytes (for its `_method` form field) before any fairing
//! runs. So this looks at the server's TCP connections in /proc/net/tcp{,6} instead, four times
//! a second: the kernel walks its whole TCP hash table for each read, and the table lists every
//! connection of the network namespace, so polling every 20 ms cost a quarter of a core.

use std::time::Duration;

use rocket::futures::future::pending;
use rocket::tokio::time::sleep;

/// Resolves once shutdown was requested and no connection to `port` is left open.
/// Where /proc is not readable it never resolves, and Rocket's own timing applies.
pub async fn drained(shutdown: rocket::Shutdown, port: u16) {
    shutdown.await;
    loop {
        match open_connections(port) {
            Ok(0) => return,
            Ok(_) => sleep(Duration::from_millis(250)).await,
            Err(_) => pending().await,
        }
    }
}

/// Server-side TCP connections on `port` that are established or half-closed by the peer.
fn open_connections(port: u16) -> std::io::Result<usize> {
    let mut open = 0;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = match std::fs::read_to_string(table) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && table.ends_with('6') => continue,
            result => result?,
        };
        // "sl local_address rem_address st ...", e.g. "0: 0100007F:1F90 0100007F:D2C4 01 ..."
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let Some((local, state)) = fields.get(1).zip(fields.get(3)) else { continue };
            let local_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            // 01 ESTABLISHED, 08 CLOSE_WAIT
            if local_port == Some(port) && matches!(*state, "01" | "08") {
                open += 1;
            }
        }
    }
    Ok(open)
}
