//! Profile `tls`: with `TLS_CERT` and `TLS_KEY` (PEM file paths) the server speaks HTTPS on
//! `$PORT` instead of cleartext; TLS 1.2 and 1.3 through rustls with the `ring` provider
//! (aws-lc-rs, rustls' default, needs a C toolchain and cmake for a static build).
//! actix-web adds ALPN `h2` and `http/1.1` itself (`bind_rustls_0_23` with feature `http2`).

use std::{env, io, sync::Arc};

use rustls::{
    ServerConfig,
    crypto::ring,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};

/// The server's TLS configuration, or `None` when neither variable is set.
pub fn config_from_env() -> io::Result<Option<ServerConfig>> {
    let (cert, key) = match (env::var("TLS_CERT"), env::var("TLS_KEY")) {
        (Ok(cert), Ok(key)) => (cert, key),
        (Err(_), Err(_)) => return Ok(None),
        _ => {
            return Err(io::Error::other(
                "set both TLS_CERT and TLS_KEY (PEM file paths), or neither for cleartext",
            ));
        }
    };
    let chain = CertificateDer::pem_file_iter(&cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io::Error::other(format!("TLS_CERT {cert:?}: {e}")))?;
    if chain.is_empty() {
        return Err(io::Error::other(format!(
            "TLS_CERT {cert:?} holds no PEM certificate"
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| io::Error::other(format!("TLS_KEY {key:?}: {e}")))?;
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions() // TLS 1.2 and 1.3
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| io::Error::other(format!("TLS_CERT and TLS_KEY: {e}")))?;
    Ok(Some(config))
}
