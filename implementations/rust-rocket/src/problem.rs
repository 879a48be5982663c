//! RFC 9457 problem details: the one error type every route and catcher answers with.

use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::serde::json::serde_json;
use rocket::serde::Serialize;

use crate::users::{StoreError, Violation};

#[derive(Debug)]
pub struct Problem {
    pub status: Status,
    detail: String,
    errors: Vec<Violation>,
    allow: Option<String>,
}

impl Problem {
    pub fn new(status: Status, detail: impl Into<String>) -> Self {
        Problem { status, detail: detail.into(), errors: vec![], allow: None }
    }

    /// 422 listing every member at fault.
    pub fn unprocessable(errors: Vec<Violation>) -> Self {
        let faults: Vec<String> = (errors.iter())
            .map(|e| format!("{} {}", e.pointer.trim_start_matches('/'), e.detail))
            .collect();
        Problem { errors, ..Problem::new(Status::UnprocessableEntity, faults.join("; ").trim()) }
    }

    /// 405 with the `Allow` header.
    pub fn method_not_allowed(detail: String, allow: String) -> Self {
        Problem { allow: Some(allow), ..Problem::new(Status::MethodNotAllowed, detail) }
    }

    /// RFC 9110 reason phrases; Rocket still uses the older names for 413 and 422.
    fn title(&self) -> &'static str {
        match self.status.code {
            413 => "Content Too Large",
            422 => "Unprocessable Content",
            _ => self.status.reason_lossy(),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(id) => {
                Problem::new(Status::NotFound, format!("no user has id {id}"))
            }
            StoreError::Conflict => {
                Problem::new(Status::Conflict, "another user already has this email")
            }
            StoreError::PreconditionFailed(etag) => Problem::new(
                Status::PreconditionFailed,
                format!("If-Match does not hold the user's current ETag {etag}: read it again"),
            ),
        }
    }
}

/// The problem object as sent, members in RFC 9457 order.
#[derive(Serialize)]
#[serde(crate = "rocket::serde")]
struct Body<'a> {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [Violation],
}

impl<'r> Responder<'r, 'static> for Problem {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = serde_json::to_string(&Body {
            r#type: "about:blank",
            title: self.title(),
            status: self.status.code,
            detail: &self.detail,
            errors: &self.errors,
        })
        .map_err(|_| Status::InternalServerError)?;
        let mut response = Response::build();
        response
            .status(self.status)
            .header(ContentType::new("application", "problem+json"))
            .sized_body(body.len(), Cursor::new(body));
        if let Some(allow) = self.allow {
            response.raw_header("Allow", allow);
        }
        response.ok()
    }
}
