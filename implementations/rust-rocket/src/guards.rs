//! Guards: the exact path, the `{id}` parameter, the query integers and the JSON body.
//!
//! The id and body guards fail with a `Problem`; routes take `Result<Guard, Problem>` so
//! that the route answers it (Rocket would otherwise forward a bad parameter as 422, and
//! a catcher never sees a guard's error value).

use rocket::data::{self, ByteUnit, Data, DataStream, FromData, Limits};
use rocket::http::Status;
use rocket::outcome::Outcome;
use rocket::request::{self, FromParam, FromRequest, Request};
use rocket::serde::json::{serde_json, Value};
use rocket::tokio::io::AsyncReadExt;

use crate::problem::Problem;
use crate::users::FromJson;

/// Request guard for every route: Rocket's router skips empty path segments, so
/// `/api/users/` (or `/api//users`) would match `/api/users`; the contract wants 404.
pub struct ExactPath;

pub fn is_exact(req: &Request<'_>) -> bool {
    let path = req.uri().path().as_str();
    !path.contains("//") && (path == "/" || !path.ends_with('/'))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ExactPath {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, ()> {
        match is_exact(req) {
            true => Outcome::Success(ExactPath),
            false => Outcome::Forward(Status::NotFound),
        }
    }
}

/// `{id}`: ASCII digits only, within i64 (`007` is 7; `-1`, `+5`, `1.5` are 400).
pub struct UserId(pub i64);

impl<'a> FromParam<'a> for UserId {
    type Error = Problem;

    fn from_param(param: &'a str) -> Result<Self, Problem> {
        let digits = !param.is_empty() && param.bytes().all(|b| b.is_ascii_digit());
        match param.parse() {
            Ok(id) if digits => Ok(UserId(id)),
            _ => Err(Problem::new(
                Status::BadRequest,
                "the user id must be a non-negative 64-bit integer",
            )),
        }
    }
}

/// `page` and `per_page`: `^-?[0-9]+$` within i64, else 400; given twice, 400 too.
///
/// Routes take every value (`Vec<&str>`): an `Option<&str>` query guard parses strictly,
/// and turns the `Duplicate` error of `?per_page=abc&per_page=abc` into `None`, the default.
pub fn query_int(name: &str, values: &[&str], default: i64) -> Result<i64, Problem> {
    let value = match values {
        [] => return Ok(default),
        [value] => *value,
        _ => {
            return Err(Problem::new(
                Status::BadRequest,
                format!("{name} must be given at most once"),
            ))
        }
    };
    let digits = value.strip_prefix('-').unwrap_or(value);
    match value.parse() {
        Ok(n) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(Problem::new(Status::BadRequest, format!("{name} must be a 64-bit integer"))),
    }
}

/// How much of an oversized body, beyond the limit, is read and dropped before the 413.
const DRAIN: ByteUnit = ByteUnit::Mebibyte(16);

/// Reads and drops the rest of a body.
async fn drain(mut rest: DataStream<'_>) {
    let _ = rocket::tokio::io::copy(&mut rest, &mut rocket::tokio::io::sink()).await;
}

/// Data guard for a JSON request body, checked in the contract's order:
/// Content-Type (415), size (413), well-formedness (400), then the rules of `T` (422).
pub struct Input<T>(pub T);

#[rocket::async_trait]
impl<'r, T: FromJson> FromData<'r> for Input<T> {
    type Error = Problem;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        match read(req, data).await {
            Ok(value) => data::Outcome::Success(Input(value)),
            Err(problem) => data::Outcome::Error((problem.status, problem)),
        }
    }
}

async fn read<T: FromJson>(req: &Request<'_>, data: Data<'_>) -> Result<T, Problem> {
    // Rocket's `Json` ignores Content-Type; the contract wants 415 for anything but JSON.
    let json = req.content_type().is_some_and(|ct| {
        ct.top() == "application"
            && (ct.sub() == "json" || (T::MERGE_PATCH && ct.sub() == "merge-patch+json"))
    });
    if !json {
        let accepted = if T::MERGE_PATCH {
            "application/json or application/merge-patch+json"
        } else {
            "application/json"
        };
        return Err(Problem::new(
            Status::UnsupportedMediaType,
            format!("Content-Type must be {accepted}"),
        ));
    }

    // The `json` limit (1 MiB). Rocket dispatches only once the body has begun to arrive, so
    // the client is already sending it when we refuse: drain an oversized body (up to DRAIN)
    // before the 413, declared or chunked. Unlike `Json`, which leaves it unread: hyper then
    // closes with data pending, and a client still writing gets a reset instead of the 413.
    let limit = req.limits().get("json").unwrap_or(Limits::JSON);
    let too_large = || {
        Problem::new(
            Status::PayloadTooLarge,
            format!("the body must be at most {} bytes", limit.as_u64()),
        )
    };
    let declared = req.headers().get_one("Content-Length").and_then(|n| n.parse::<u64>().ok());
    let mut stream = data.open(limit + DRAIN);
    if declared.is_some_and(|n| n > limit.as_u64()) {
        drain(stream).await;
        return Err(too_large());
    }
    let mut body = Vec::new();
    let read = (&mut stream).take(limit.as_u64() + 1).read_to_end(&mut body).await;
    read.map_err(|e| Problem::new(Status::BadRequest, format!("the body could not be read: {e}")))?;
    if body.len() as u64 > limit.as_u64() {
        drain(stream).await;
        return Err(too_large());
    }

    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        Problem::new(Status::BadRequest, format!("the body is not well-formed JSON: {e}"))
    })?;
    T::from_json(value).map_err(Problem::unprocessable)
}
