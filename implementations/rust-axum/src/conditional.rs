//! The `conditional` profile (RFC 9110 §13): entity-tags of a user, If-None-Match, If-Match.
//!
//! Neither axum nor tower-http evaluates preconditions for dynamic responses, so this is by hand.
//! A tag is the user's id and the store's revision at its last write: every write changes it, and
//! the If-Match check runs under the same lock as the write it guards (no lost update).

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

/// A strong entity-tag: `"<id>-<revision>"`.
pub fn etag(id: i64, revision: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{id}-{revision}\"")).expect("digits and quotes")
}

/// If-None-Match holds the tag (weak comparison, §13.1.2): answer 304.
pub fn none_match_hit(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    any_tag(headers, header::IF_NONE_MATCH, |t| {
        t == b"*" || t.strip_prefix(b"W/").unwrap_or(t) == tag.as_bytes()
    })
}

/// If-Match is present and does not hold the tag (strong comparison, §13.1.1): answer 412.
pub fn match_fails(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    headers.contains_key(header::IF_MATCH)
        && !any_tag(headers, header::IF_MATCH, |t| {
            t == b"*" || t == tag.as_bytes()
        })
}

/// Whether any member of the comma-separated lists in these header lines satisfies `hit`.
/// Members are `*` or entity-tags (`"..."`, `W/"..."`); an etagc may itself be a comma.
fn any_tag(headers: &HeaderMap, name: HeaderName, hit: impl Fn(&[u8]) -> bool) -> bool {
    headers.get_all(name).iter().any(|value| {
        let mut rest = value.as_bytes();
        loop {
            rest = rest.trim_ascii_start();
            while let Some(after) = rest.strip_prefix(b",") {
                rest = after.trim_ascii_start();
            }
            if rest.is_empty() {
                return false;
            }
            // Index of the opening quote, for an entity-tag.
            let open = match rest {
                [b'W', b'/', b'"', ..] => Some(2),
                [b'"', ..] => Some(0),
                _ => None,
            };
            let end = match open {
                Some(open) => rest[open + 1..]
                    .iter()
                    .position(|&b| b == b'"')
                    .map_or(rest.len(), |close| open + close + 2),
                // `*` or something malformed: up to the next comma.
                None => rest.iter().position(|&b| b == b',').unwrap_or(rest.len()),
            };
            if hit(rest[..end].trim_ascii_end()) {
                return true;
            }
            rest = &rest[end..];
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn lists_and_weak_tags() {
        let tag = etag(7, 3);
        assert!(none_match_hit(
            &headers(header::IF_NONE_MATCH, "\"1-1\", W/\"7-3\""),
            &tag
        ));
        assert!(none_match_hit(&headers(header::IF_NONE_MATCH, "*"), &tag));
        assert!(!none_match_hit(
            &headers(header::IF_NONE_MATCH, "\"7-2\""),
            &tag
        ));
        assert!(!match_fails(
            &headers(header::IF_MATCH, "\"a,b\", \"7-3\""),
            &tag
        ));
        assert!(match_fails(&headers(header::IF_MATCH, "W/\"7-3\""), &tag));
        assert!(match_fails(&headers(header::IF_MATCH, "\"7-2\""), &tag));
        assert!(!match_fails(&HeaderMap::new(), &tag));
    }
}
