//! One error type for the whole API, rendered as an RFC 9457 problem object.

use axum::{
    Json,
    extract::rejection::{BytesRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    NotFound(&'static str),
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable(Vec<FieldError>),
    Internal,
}

/// One entry of a 422's `errors`: an RFC 6901 pointer into the request body.
#[derive(Debug, Serialize)]
pub struct FieldError {
    pub pointer: String,
    pub detail: &'static str,
}

#[derive(Serialize)]
struct Problem<'a> {
    r#type: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::BadRequest(detail) => detail.clone(),
            Self::NotFound(detail) => (*detail).to_owned(),
            Self::MethodNotAllowed => "method not allowed on this resource, see Allow".into(),
            Self::Conflict => "email is already taken by another user".into(),
            Self::PreconditionFailed => {
                "If-Match does not hold the user's current ETag: read it again".into()
            }
            Self::PayloadTooLarge => "request body is larger than 1 MiB".into(),
            Self::UnsupportedMediaType => "Content-Type must be application/json".into(),
            Self::Unprocessable(errors) => errors
                .iter()
                .map(|e| match e.pointer.as_str() {
                    "" => format!("body {}", e.detail),
                    pointer => format!("{} {}", &pointer[1..], e.detail),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Self::Internal => "internal server error".into(),
        }
    }
}

/// RFC 9110 names for the codes where the `http` crate still uses the RFC 7231 ones.
fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
        StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let errors = match &self {
            Self::Unprocessable(errors) => errors.as_slice(),
            _ => &[],
        };
        let problem = Problem {
            r#type: "about:blank",
            title: title(status),
            status: status.as_u16(),
            detail: self.detail(),
            errors,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

// axum's rejections are text/plain; these turn them into problems.

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            _ => Self::BadRequest(rejection.body_text()),
        }
    }
}
