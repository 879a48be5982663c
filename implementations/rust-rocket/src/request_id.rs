//! `X-Request-Id` as a fairing: echoed when the request has one, else a new UUID (v4), on
//! every response, errors included. It is set in `on_request` too, so that routes and logs
//! could read it from the request's local cache.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

pub struct RequestId;

/// The id of the request being served.
struct Id(String);

fn id_of<'r>(req: &'r Request<'_>) -> &'r str {
    &req.local_cache(|| {
        let sent = req.headers().get_one("X-Request-Id").filter(|id| !id.trim().is_empty());
        Id(sent.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
    })
    .0
}

#[rocket::async_trait]
impl Fairing for RequestId {
    fn info(&self) -> Info {
        Info { name: "X-Request-Id", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        id_of(req);
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        add_header(req, res);
    }
}

/// The fairing's work, also for the one answer Rocket sends without running fairings (see
/// `api::Unfaired`).
pub fn add_header(req: &Request<'_>, res: &mut Response<'_>) {
    res.set_raw_header("X-Request-Id", id_of(req).to_owned());
}
