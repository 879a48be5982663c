//! The `tls` profile: with TLS_CERT and TLS_KEY (paths of PEM files) in the environment,
//! Rocket's `tls` feature (rustls with ring) serves HTTPS on $PORT instead of cleartext:
//! TLS 1.2 and 1.3, ALPN `h2` and `http/1.1`. A cleartext request fails the handshake and
//! gets no HTTP answer.

use rocket::figment::providers::Env;

/// Rocket's `tls.certs` and `tls.key`, from TLS_CERT and TLS_KEY. With only one of them set,
/// Rocket refuses to start and names the one missing.
pub fn from_env() -> Env {
    Env::raw()
        .only(&["TLS_CERT", "TLS_KEY"])
        .map(|key| if key == "TLS_CERT" { "tls.certs" } else { "tls.key" }.into())
        .global()
}
