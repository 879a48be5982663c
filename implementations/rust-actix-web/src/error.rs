//! The one error type: every 4xx/5xx leaves as an RFC 9457 problem+json document.

use std::fmt;

use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::{StatusCode, header},
};
use serde::Serialize;

/// One member at fault in a request body (RFC 6901 pointer into the body).
#[derive(Debug, Serialize)]
pub struct FieldError {
    pub pointer: String,
    pub detail: String,
}

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
    allow: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: Vec::new(),
            allow: None,
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        )
    }

    pub fn method_not_allowed(allow: &'static str) -> Self {
        Self {
            allow: Some(allow),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("allowed methods: {allow}"),
            )
        }
    }

    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{} {}", e.pointer, e.detail).trim().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // RFC 9110 names; the `http` crate still says "Payload Too Large" / "Unprocessable Entity".
        let title = match self.status {
            StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
            StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
            s => s.canonical_reason().unwrap_or("Error"),
        };
        let mut res = HttpResponse::build(self.status);
        res.content_type("application/problem+json");
        if let Some(allow) = self.allow {
            res.insert_header((header::ALLOW, allow));
        }
        res.json(Problem {
            kind: "about:blank",
            title,
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        })
    }
}

// actix answers 400 text/plain for every JSON rejection, a wrong Content-Type included;
// the contract wants 413 for size, 415 for the media type and 400 only for bad JSON.
pub fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::unsupported_media_type(),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
        _ => ApiError::bad_request("could not read the request body"),
    }
    .into()
}

// actix answers 404 when a path segment does not deserialize; the contract wants 400.
pub fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    let PathError::Deserialize(e) = err else {
        return ApiError::bad_request("invalid path parameter").into();
    };
    ApiError::bad_request(e.to_string()).into()
}

// actix answers 400 text/plain; keep the 400, render it as a problem.
pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let QueryPayloadError::Deserialize(e) = err else {
        return ApiError::bad_request("invalid query string").into();
    };
    ApiError::bad_request(e.to_string()).into()
}
