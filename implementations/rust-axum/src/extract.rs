//! Extractors whose rejections are `ApiError`s (problem+json) instead of axum's text/plain.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderMap, Method, header},
};
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiError;

/// Largest accepted request body: 1 MiB (axum's `DefaultBodyLimit` is 2 MB).
pub const MAX_BODY: usize = 1024 * 1024;

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// A user id in a path: `^[0-9]+$` within i64 (`str::parse` alone would take `+5`).
#[derive(Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct Id(pub i64);

impl TryFrom<String> for Id {
    type Error = &'static str;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        digits_only(&s)
            .then(|| s.parse().ok())
            .flatten()
            .map(Id)
            .ok_or("id must be a decimal integer between 0 and 2^63-1")
    }
}

/// A query integer: `^-?[0-9]+$` within i64; anything else (empty, `+5`, `1e2`) is a 400.
#[derive(Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub struct Int(pub i64);

impl TryFrom<String> for Int {
    type Error = &'static str;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        digits_only(s.strip_prefix('-').unwrap_or(&s))
            .then(|| s.parse().ok())
            .flatten()
            .map(Int)
            .ok_or("must be a decimal integer within 64 bits")
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A well-formed JSON request body, checked in the contract's order: 415, 413, 400.
///
/// Not `axum::Json`: it accepts any `application/*+json` media type and rejects
/// missing members or wrong types itself, while the contract wants strict
/// media types and a 422 that lists every member at fault.
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // PATCH also takes JSON Merge Patch; POST and PUT only plain JSON.
        let merge_patch_ok = req.method() == Method::PATCH;
        if !is_json(req.headers(), merge_patch_ok) {
            return Err(ApiError::UnsupportedMediaType);
        }
        // `DefaultBodyLimit` only counts bytes as they arrive; the contract wants a
        // too-large Content-Length answered at once, without waiting for the body.
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_BODY as u64) {
            return Err(ApiError::PayloadTooLarge);
        }
        // Chunked bodies are cut at `DefaultBodyLimit` (set to MAX_BODY in main): 413.
        let bytes = Bytes::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|e| ApiError::BadRequest(format!("body is not well-formed JSON: {e}")))
    }
}

fn is_json(headers: &HeaderMap, merge_patch_ok: bool) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || (merge_patch_ok && essence.eq_ignore_ascii_case("application/merge-patch+json"))
}
