//! The `tls` profile: with TLS_CERT and TLS_KEY (PEM files), HTTPS on $PORT instead of cleartext.
//!
//! axum-server's rustls acceptor, on the ring provider (aws-lc-rs needs cmake and a C++ build
//! for the static binary). `RustlsConfig::from_pem_file` offers TLS 1.2 and 1.3 and ALPN h2,
//! http/1.1; a cleartext request gets a TLS alert, never an HTTP answer.

use std::{env, io};

use axum_server::tls_rustls::RustlsConfig;

/// The TLS configuration when both variables are set, `None` when neither is.
pub async fn from_env() -> io::Result<Option<RustlsConfig>> {
    let var = |name| env::var(name).ok().filter(|v| !v.is_empty());
    let (cert, key) = match (var("TLS_CERT"), var("TLS_KEY")) {
        (None, None) => return Ok(None),
        (Some(cert), Some(key)) => (cert, key),
        _ => {
            return Err(io::Error::other(
                "only one of TLS_CERT and TLS_KEY is set: set both (PEM file paths) or neither",
            ));
        }
    };
    // Fails only if a provider is already installed, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = RustlsConfig::from_pem_file(&cert, &key)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("TLS_CERT={cert} TLS_KEY={key}: {e}")))?;
    Ok(Some(config))
}
