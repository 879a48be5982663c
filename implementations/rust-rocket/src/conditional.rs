//! Conditional requests (RFC 9110 §13), by hand: Rocket has no ETag support of its own.
//!
//! `GET /api/users/{id}` carries the user's `ETag` and answers `If-None-Match` with 304;
//! PUT, PATCH and DELETE with an `If-Match` that does not hold the current tag get 412. The
//! `If-Match` check runs inside the store's lock (`Store::update`, `Store::delete`), so of
//! two writes made with one tag only the first can succeed.

use rocket::http::{Header, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::response::{self, Responder, Response};
use rocket::serde::json::Json;

use crate::users::{Precondition, User};

/// Does a list of entity-tags (`"a", W/"b"`) or `*` hold `etag`? Strong comparison for
/// If-Match (§13.1.1), weak for If-None-Match (§13.1.2).
fn list_holds(list: &str, etag: &str, weak: bool) -> bool {
    list.split(',').map(str::trim).any(|tag| match tag.strip_prefix("W/") {
        _ if tag == "*" => true,
        Some(weak_tag) => weak && weak_tag == etag,
        None => tag == etag,
    })
}

/// The request's `If-Match`, checked against the user under the store's lock.
pub struct IfMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfMatch {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let list: Vec<&str> = req.headers().get("If-Match").collect();
        request::Outcome::Success(IfMatch((!list.is_empty()).then(|| list.join(","))))
    }
}

impl Precondition for IfMatch {
    fn holds(&self, current: &User) -> bool {
        self.0.as_deref().is_none_or(|list| list_holds(list, &current.etag(), false))
    }
}

/// The request's `If-None-Match`.
pub struct IfNoneMatch(Option<String>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IfNoneMatch {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let list: Vec<&str> = req.headers().get("If-None-Match").collect();
        request::Outcome::Success(IfNoneMatch((!list.is_empty()).then(|| list.join(","))))
    }
}

/// A user with its `ETag`; 304 without a body when `If-None-Match` holds the tag.
pub struct Tagged {
    user: User,
    not_modified: bool,
}

impl Tagged {
    pub fn new(user: User, if_none_match: &IfNoneMatch) -> Self {
        let not_modified =
            if_none_match.0.as_deref().is_some_and(|list| list_holds(list, &user.etag(), true));
        Tagged { user, not_modified }
    }

    /// A write's answer: the user as it now is, and its tag.
    pub fn written(user: User) -> Self {
        Tagged { user, not_modified: false }
    }
}

impl<'r> Responder<'r, 'static> for Tagged {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let etag = Header::new("ETag", self.user.etag());
        if self.not_modified {
            return Response::build().status(Status::NotModified).header(etag).ok();
        }
        Response::build_from(Json(self.user).respond_to(req)?).header(etag).ok()
    }
}
