//! The users resource: in-memory store, validation and handlers.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::{
    conditional,
    error::{ApiError, FieldError},
    events::{self, Event, Hub},
    extract::{Id, Int, JsonBody, Path, Query},
};

/// The store, and the hub its commits are published to (under its lock).
#[derive(Clone, Default)]
pub struct Db {
    store: Arc<Mutex<Store>>,
    hub: Hub,
}

impl Db {
    pub fn hub(&self) -> &Hub {
        &self.hub
    }
}

#[derive(Default)]
pub struct Store {
    last_id: i64,
    /// Counts writes; a user's ETag is its id and the revision of its last write.
    revision: u64,
    users: BTreeMap<i64, User>,
}

#[derive(Clone, Serialize)]
pub struct User {
    #[serde(skip)]
    revision: u64,
    id: i64,
    name: String,
    email: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

pub fn router() -> Router<Db> {
    Router::new()
        .route("/api/users", get(list).post(create))
        // Before {id}: a static segment wins over a capture in axum's router.
        .route("/api/users/events", get(events::upgrade))
        .route(
            "/api/users/{id}",
            get(show).put(replace).patch(update).delete(remove),
        )
}

fn lock(db: &Db) -> MutexGuard<'_, Store> {
    db.store.lock().expect("store lock poisoned")
}

impl User {
    fn etag(&self) -> header::HeaderValue {
        conditional::etag(self.id, self.revision)
    }
}

/// The user as JSON, with its ETag.
fn with_etag(user: User) -> impl IntoResponse {
    ([(header::ETAG, user.etag())], Json(user))
}

const NO_USER: ApiError = ApiError::NotFound("no user with this id");

#[derive(Deserialize)]
pub struct Pagination {
    page: Option<Int>,
    per_page: Option<Int>,
}

#[derive(Serialize)]
struct Page {
    data: Vec<User>,
    page: i64,
    per_page: i64,
    total: i64,
}

async fn list(State(db): State<Db>, Query(q): Query<Pagination>) -> impl IntoResponse {
    let page = q.page.map_or(1, |Int(n)| n.max(1));
    let per_page = q.per_page.map_or(20, |Int(n)| n.clamp(1, 100));
    // Saturating: page=2^63-1 must give an empty page, not an overflow.
    let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);

    let (total, data) = {
        let store = lock(&db);
        let data: Vec<User> = store
            .users
            .values()
            .skip(skip)
            .take(per_page as usize)
            .cloned()
            .collect();
        (store.users.len() as i64, data)
    };

    let last = ((total + per_page - 1) / per_page).max(1);
    let link =
        |p: i64, rel: &str| format!("</api/users?page={p}&per_page={per_page}>; rel=\"{rel}\"");
    let mut links = vec![link(1, "first")];
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
    }
    links.push(link(last, "last"));

    (
        [
            ("x-total-count", total.to_string()),
            (header::LINK.as_str(), links.join(", ")),
        ],
        Json(Page {
            data,
            page,
            per_page,
            total,
        }),
    )
}

async fn show(
    State(db): State<Db>,
    Path(Id(id)): Path<Id>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = lock(&db).users.get(&id).cloned().ok_or(NO_USER)?;
    let tag = user.etag();
    if conditional::none_match_hit(&headers, &tag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok(with_etag(user).into_response())
}

async fn create(
    State(db): State<Db>,
    JsonBody(body): JsonBody,
) -> Result<impl IntoResponse, ApiError> {
    let Changes {
        name: Some(name),
        email: Some(email),
    } = Changes::parse(body, true)?
    else {
        unreachable!("parse requires both members")
    };
    // Check and insert under one lock: concurrent creates with one email give one 201.
    let mut store = lock(&db);
    store.ensure_email_free(&email, None)?;
    store.last_id += 1;
    store.revision += 1;
    let now = OffsetDateTime::now_utc();
    let user = User {
        revision: store.revision,
        id: store.last_id,
        name,
        email,
        created_at: now,
        updated_at: now,
    };
    store.users.insert(user.id, user.clone());
    db.hub.publish(&Event::Created { user: &user });
    drop(store);
    let location = format!("/api/users/{}", user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        with_etag(user),
    ))
}

async fn replace(
    State(db): State<Db>,
    Path(Id(id)): Path<Id>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<impl IntoResponse, ApiError> {
    save(&db, id, &headers, Changes::parse(body, true)?)
}

async fn update(
    State(db): State<Db>,
    Path(Id(id)): Path<Id>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<impl IntoResponse, ApiError> {
    save(&db, id, &headers, Changes::parse(body, false)?)
}

async fn remove(
    State(db): State<Db>,
    Path(Id(id)): Path<Id>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let mut store = lock(&db);
    store.precondition(id, &headers)?;
    match store.users.remove(&id) {
        Some(_) => {
            store.revision += 1;
            db.hub.publish(&Event::Deleted { id });
            Ok(StatusCode::NO_CONTENT)
        }
        None => Err(NO_USER),
    }
}

fn save(
    db: &Db,
    id: i64,
    headers: &HeaderMap,
    changes: Changes,
) -> Result<impl IntoResponse + use<>, ApiError> {
    // Check and write under one lock: of two writes with one If-Match tag, one wins.
    let mut store = lock(db);
    store.precondition(id, headers)?;
    if let Some(email) = &changes.email {
        store.ensure_email_free(email, Some(id))?;
    }
    store.revision += 1;
    let revision = store.revision;
    let user = store.users.get_mut(&id).ok_or(NO_USER)?;
    if let Some(name) = changes.name {
        user.name = name;
    }
    if let Some(email) = changes.email {
        user.email = email;
    }
    user.revision = revision;
    // Never earlier than before, even if the wall clock steps back.
    user.updated_at = user.updated_at.max(OffsetDateTime::now_utc());
    let user = user.clone();
    db.hub.publish(&Event::Updated { user: &user });
    Ok(with_etag(user))
}

impl Store {
    /// 412 when If-Match does not hold the user's current tag; a missing user is a 404 first
    /// (RFC 9110 §13.2.1: preconditions only matter for what would otherwise be a 2xx).
    fn precondition(&self, id: i64, headers: &HeaderMap) -> Result<(), ApiError> {
        if !headers.contains_key(header::IF_MATCH) {
            return Ok(());
        }
        let user = self.users.get(&id).ok_or(NO_USER)?;
        if conditional::match_fails(headers, &user.etag()) {
            return Err(ApiError::PreconditionFailed);
        }
        Ok(())
    }

    /// Emails are unique ASCII-case-insensitively; a user may keep or re-case its own.
    fn ensure_email_free(&self, email: &str, owner: Option<i64>) -> Result<(), ApiError> {
        let taken = self
            .users
            .values()
            .any(|u| Some(u.id) != owner && u.email.eq_ignore_ascii_case(email));
        if taken {
            Err(ApiError::Conflict)
        } else {
            Ok(())
        }
    }
}

/// The members of a POST, PUT or PATCH body, each checked against its rule.
struct Changes {
    name: Option<String>,
    email: Option<String>,
}

impl Changes {
    /// Collects every member at fault into one 422 instead of stopping at the first.
    fn parse(body: Value, require_all: bool) -> Result<Self, ApiError> {
        let Value::Object(mut members) = body else {
            return Err(ApiError::Unprocessable(vec![FieldError {
                pointer: String::new(),
                detail: "must be a JSON object",
            }]));
        };
        let mut errors = Vec::new();
        let mut member = |key: &str, rule: fn(&str) -> Result<(), &'static str>| {
            let fault = match members.remove(key) {
                None if require_all => "is required",
                None => return None,
                Some(Value::String(s)) => match rule(&s) {
                    Ok(()) => return Some(s),
                    Err(fault) => fault,
                },
                Some(Value::Null) => "must not be null",
                Some(_) => "must be a string",
            };
            errors.push(FieldError {
                pointer: format!("/{key}"),
                detail: fault,
            });
            None
        };
        let changes = Changes {
            name: member("name", check_name),
            email: member("email", check_email),
        };
        errors.extend(unknown_members(&members));
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(ApiError::Unprocessable(errors))
        }
    }
}

fn unknown_members(rest: &Map<String, Value>) -> impl Iterator<Item = FieldError> + '_ {
    rest.keys().map(|key| FieldError {
        // RFC 6901 escaping.
        pointer: format!("/{}", key.replace('~', "~0").replace('/', "~1")),
        detail: "is not a known member (only name and email)",
    })
}

/// 1 to 100 code points, at least one of them not Unicode White_Space.
fn check_name(name: &str) -> Result<(), &'static str> {
    let len = name.chars().count();
    if !(1..=100).contains(&len) {
        Err("must be 1 to 100 characters long")
    } else if name.chars().all(char::is_whitespace) {
        Err("must contain a character that is not whitespace")
    } else {
        Ok(())
    }
}

/// `^[^\s@]+@[^\s@]+\.[^\s@]+$` (with `\s` = Unicode White_Space), at most 254 code points.
fn check_email(email: &str) -> Result<(), &'static str> {
    let shape_ok = email.split_once('@').is_some_and(|(local, domain)| {
        let allowed = |s: &str| !s.contains(|c: char| c == '@' || c.is_whitespace());
        let dot_inside = domain
            .char_indices()
            .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len());
        !local.is_empty() && allowed(local) && allowed(domain) && dot_inside
    });
    if email.chars().count() > 254 {
        Err("must be at most 254 characters long")
    } else if !shape_ok {
        Err("must look like name@domain.tld")
    } else {
        Ok(())
    }
}
