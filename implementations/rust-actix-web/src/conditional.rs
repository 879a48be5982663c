//! Profile `conditional` (RFC 9110 §13): a strong ETag for each user, `If-None-Match` on reads
//! (weak comparison, 304) and `If-Match` on writes (strong comparison, 412).
//!
//! actix-web has the typed headers (`ETag`, `IfMatch`, `IfNoneMatch`, `EntityTag`) but, unlike
//! `actix-files`, no middleware that evaluates them for a handler's response: that part is here.

use std::hash::{DefaultHasher, Hash, Hasher};

use actix_web::{
    HttpRequest,
    http::{
        StatusCode,
        header::{self, EntityTag, Header, IfMatch, IfNoneMatch},
    },
};

use crate::{error::ApiError, users::User};

/// A strong entity-tag of the user's JSON representation: any change of a member changes it.
pub fn etag(user: &User) -> EntityTag {
    let json = serde_json::to_vec(user).expect("a user serialises");
    let mut hasher = DefaultHasher::new(); // fixed keys: the same tag for the same bytes
    json.hash(&mut hasher);
    EntityTag::new_strong(format!("{:016x}", hasher.finish()))
}

/// True when `If-None-Match` holds the tag (or `*`): the read answers 304. An unparsable header
/// is ignored.
pub fn not_modified(req: &HttpRequest, tag: &EntityTag) -> bool {
    if !req.headers().contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        Err(_) => false,
    }
}

/// A write's `If-Match`, read before the store is locked and checked under the lock, so that of
/// two writes made with one tag only the first succeeds.
pub enum Precondition {
    None,
    IfMatch(IfMatch),
    /// An `If-Match` that does not parse matches no representation.
    Unparsable,
}

impl Precondition {
    pub fn from_request(req: &HttpRequest) -> Self {
        if !req.headers().contains_key(header::IF_MATCH) {
            return Precondition::None;
        }
        IfMatch::parse(req).map_or(Precondition::Unparsable, Precondition::IfMatch)
    }

    /// 412 unless the current user's tag is among those of `If-Match` (strong comparison).
    pub fn check(&self, current: &User) -> Result<(), ApiError> {
        let holds = match self {
            Precondition::None | Precondition::IfMatch(IfMatch::Any) => true,
            Precondition::IfMatch(IfMatch::Items(tags)) => {
                let tag = etag(current);
                tags.iter().any(|t| t.strong_eq(&tag))
            }
            Precondition::Unparsable => false,
        };
        if holds {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            format!(
                "If-Match does not hold the user's current ETag {}: read it again and retry",
                etag(current)
            ),
        ))
    }
}
