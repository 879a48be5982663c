//! CORS as a fairing (Rocket has none built in): a preflight `OPTIONS` (with `Origin` and
//! `Access-Control-Request-Method`) is answered 204 with the allowed methods and headers,
//! whatever route or catcher it reached; any other request with `Origin` gets
//! `Access-Control-Allow-Origin` and the response headers a script may read.

use std::io::Cursor;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::{Request, Response};

pub struct Cors;

const METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const REQUEST_HEADERS: &str = "Content-Type, If-Match, If-None-Match, X-Request-Id";
const EXPOSED: &str = "Location, Link, X-Total-Count, X-Request-Id, ETag";

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        Info { name: "CORS", kind: Kind::Response }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        add_headers(req, res);
    }
}

/// The fairing's work, also for the one answer Rocket sends without running fairings (see
/// `api::Unfaired`).
pub fn add_headers(req: &Request<'_>, res: &mut Response<'_>) {
    let Some(origin) = req.headers().get_one("Origin") else { return };
    let preflight =
        req.method() == Method::Options && req.headers().contains("Access-Control-Request-Method");
    if preflight {
        // The 405 (or 404) of a plain OPTIONS becomes the preflight's answer.
        for name in ["Allow", "Content-Type"] {
            res.remove_header(name);
        }
        res.set_status(Status::NoContent);
        res.set_sized_body(0, Cursor::new(""));
        res.set_raw_header("Access-Control-Allow-Methods", METHODS);
        res.set_raw_header("Access-Control-Allow-Headers", REQUEST_HEADERS);
        res.set_raw_header("Access-Control-Max-Age", "600");
    } else {
        res.set_raw_header("Access-Control-Expose-Headers", EXPOSED);
    }
    res.set_raw_header("Access-Control-Allow-Origin", origin.to_owned());
    // Once, even when both the fairing and `api::Unfaired` ran.
    if !res.headers().get("Vary").any(|v| v.eq_ignore_ascii_case("Origin")) {
        res.adjoin_raw_header("Vary", "Origin");
    }
}
