//! gzip as a fairing (Rocket has no compression built in), with flate2: a 200 whose body is
//! over 1 KiB goes out gzipped to a request whose `Accept-Encoding` takes gzip (RFC 9110
//! §12.5.3: `gzip` or `*` with a q above 0).

use std::io::{Cursor, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Status;
use rocket::{Request, Response};

pub struct Gzip;

/// Smaller bodies are sent as they are: gzip would save little or even add bytes.
const MIN_SIZE: usize = 1024;

fn accepts_gzip(req: &Request<'_>) -> bool {
    let items = req.headers().get("Accept-Encoding").flat_map(|value| value.split(','));
    items.into_iter().any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let q = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && q > 0.0
    })
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

#[rocket::async_trait]
impl Fairing for Gzip {
    fn info(&self) -> Info {
        Info { name: "gzip", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if res.status() != Status::Ok || res.headers().contains("Content-Encoding") {
            return;
        }
        if res.body_mut().size().await.is_none_or(|size| size <= MIN_SIZE) {
            return;
        }
        res.adjoin_raw_header("Vary", "Accept-Encoding");
        if !accepts_gzip(req) {
            return;
        }
        let Ok(body) = res.body_mut().to_bytes().await else { return };
        match gzip(&body) {
            Ok(gzipped) => {
                res.set_raw_header("Content-Encoding", "gzip");
                res.set_sized_body(gzipped.len(), Cursor::new(gzipped));
            }
            Err(_) => res.set_sized_body(body.len(), Cursor::new(body)),
        }
    }
}
