//! The /api/users resources: routes, handlers, validation and the in-memory store.

use std::{
    collections::BTreeMap,
    sync::{Mutex, MutexGuard, PoisonError},
    time::SystemTime,
};

use actix_web::{
    HttpRequest, HttpResponse, Route,
    guard::{self, Guard},
    http::{StatusCode, header},
    web::{self, Data, Json, Path, Query},
};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use serde_json::{Map, Value};

use crate::{
    conditional::{self, Precondition},
    error::{ApiError, FieldError},
    events::{Change, Events},
};

const COLLECTION_METHODS: &str = "GET, HEAD, POST";
const ITEM_METHODS: &str = "GET, HEAD, PUT, PATCH, DELETE";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/users")
            .route(web::get().to(list))
            // actix does not route HEAD to GET handlers; HEAD responses are sent without a body.
            .route(web::head().to(list))
            .route(web::post().guard(json_body(false)).to(create))
            .route(web::post().to(unsupported_media_type))
            .default_service(method_not_allowed(COLLECTION_METHODS)),
    )
    .service(
        web::resource("/users/{id}")
            .route(web::get().to(fetch))
            .route(web::head().to(fetch))
            .route(web::put().guard(json_body(false)).to(replace))
            .route(web::patch().guard(json_body(true)).to(update))
            .route(web::put().to(unsupported_media_type))
            .route(web::patch().to(unsupported_media_type))
            .route(web::delete().to(remove))
            .default_service(method_not_allowed(ITEM_METHODS)),
    );
}

// web::Json accepts any `*/json` or `*/*+json` type (merge-patch on POST too) and answers a
// mismatch with 400; the contract wants exactly application/json (PATCH: also
// application/merge-patch+json) and 415 otherwise, so a guard picks the route and
// the unguarded route behind it answers 415.
fn json_body(merge_patch: bool) -> impl Guard {
    guard::fn_guard(move |ctx| {
        let Some(value) = ctx.head().headers().get(header::CONTENT_TYPE) else {
            return false;
        };
        let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("");
        let essence = essence.trim();
        essence.eq_ignore_ascii_case("application/json")
            || (merge_patch && essence.eq_ignore_ascii_case("application/merge-patch+json"))
    })
}

async fn unsupported_media_type() -> Result<HttpResponse, ApiError> {
    Err(ApiError::unsupported_media_type())
}

// A resource answers an unmatched method with an empty 405; the contract wants a problem body.
pub fn method_not_allowed(allow: &'static str) -> Route {
    web::to(move || async move { Err::<HttpResponse, _>(ApiError::method_not_allowed(allow)) })
}

#[derive(Clone, Serialize)]
pub struct User {
    id: i64,
    name: String,
    email: String,
    #[serde(serialize_with = "rfc3339")]
    created_at: SystemTime,
    #[serde(serialize_with = "rfc3339")]
    updated_at: SystemTime,
}

fn rfc3339<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_rfc3339_micros(*time))
}

#[derive(Default)]
pub struct Store {
    users: BTreeMap<i64, User>,
    last_id: i64,
    /// Every committed change is published here before the lock is released.
    pub events: Events,
}

pub type SharedStore = Data<Mutex<Store>>;

pub fn lock(store: &SharedStore) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    fn check_email(&self, email: Option<&str>, owner: i64) -> Result<(), ApiError> {
        let Some(email) = email else { return Ok(()) };
        let taken = self
            .users
            .values()
            .any(|u| u.id != owner && u.email.eq_ignore_ascii_case(email));
        if taken {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "email is already used by another user",
            ));
        }
        Ok(())
    }

    fn create(&mut self, input: Input) -> Result<User, ApiError> {
        self.check_email(input.email.as_deref(), 0)?;
        self.last_id += 1;
        let now = SystemTime::now();
        let user = User {
            id: self.last_id,
            name: input.name.unwrap_or_default(),
            email: input.email.unwrap_or_default(),
            created_at: now,
            updated_at: now,
        };
        self.users.insert(user.id, user.clone());
        self.events.publish(Change::Created { user: &user });
        Ok(user)
    }

    /// The user, checked against the write's precondition (404, then 412).
    fn current(&self, id: i64, precondition: &Precondition) -> Result<&User, ApiError> {
        let user = self.users.get(&id).ok_or_else(|| no_user(id))?;
        precondition.check(user)?;
        Ok(user)
    }

    fn update(
        &mut self,
        id: i64,
        input: Input,
        precondition: &Precondition,
    ) -> Result<User, ApiError> {
        self.current(id, precondition)?;
        self.check_email(input.email.as_deref(), id)?;
        let user = self.users.get_mut(&id).ok_or_else(|| no_user(id))?;
        if let Some(name) = input.name {
            user.name = name;
        }
        if let Some(email) = input.email {
            user.email = email;
        }
        user.updated_at = user.updated_at.max(SystemTime::now());
        let user = user.clone();
        self.events.publish(Change::Updated { user: &user });
        Ok(user)
    }

    fn remove(&mut self, id: i64, precondition: &Precondition) -> Result<(), ApiError> {
        self.current(id, precondition)?;
        self.users.remove(&id);
        self.events.publish(Change::Deleted { id });
        Ok(())
    }
}

fn no_user(id: i64) -> ApiError {
    ApiError::not_found(format!("no user with id {id}"))
}

/// A path id: `^[0-9]+$` within i64 (leading zeros allowed); anything else is 400
/// (see `error::path_error`).
#[derive(Clone, Copy)]
struct UserId(i64);

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_int(&s, false).map(UserId).ok_or_else(|| {
            D::Error::custom(format!(
                "user id must be a non-negative 64-bit decimal integer, got {s:?}"
            ))
        })
    }
}

/// A page or per_page value: `^-?[0-9]+$` within i64; anything else is 400.
struct PageParam(i64);

impl<'de> Deserialize<'de> for PageParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_int(&s, true).map(PageParam).ok_or_else(|| {
            D::Error::custom(format!(
                "page and per_page must be 64-bit decimal integers, got {s:?}"
            ))
        })
    }
}

fn parse_int(s: &str, signed: bool) -> Option<i64> {
    let digits = if signed {
        s.strip_prefix('-').unwrap_or(s)
    } else {
        s
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None; // i64::from_str would also take "+5"
    }
    s.parse().ok() // None beyond 64 bits
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<PageParam>,
    per_page: Option<PageParam>,
}

#[derive(Serialize)]
struct Page {
    data: Vec<User>,
    page: i64,
    per_page: i64,
    total: usize,
}

async fn list(store: SharedStore, query: Query<ListQuery>) -> HttpResponse {
    let page = query.page.as_ref().map_or(1, |p| p.0).max(1);
    let per_page = query.per_page.as_ref().map_or(20, |p| p.0).clamp(1, 100);
    let offset = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let (data, total) = {
        let store = lock(&store);
        let data = store.users.values().skip(offset).take(per_page as usize);
        (data.cloned().collect(), store.users.len())
    };

    let last = (total as u64).div_ceil(per_page as u64).max(1) as i64;
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

    HttpResponse::Ok()
        .insert_header(("X-Total-Count", total))
        .insert_header((header::LINK, links.join(", ")))
        .json(Page {
            data,
            page,
            per_page,
            total,
        })
}

async fn fetch(
    req: HttpRequest,
    store: SharedStore,
    id: Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().0;
    let user = lock(&store)
        .users
        .get(&id)
        .cloned()
        .ok_or_else(|| no_user(id))?;
    let tag = conditional::etag(&user);
    if conditional::not_modified(&req, &tag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(header::ETag(tag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(tag))
        .json(user))
}

async fn create(store: SharedStore, body: Json<Value>) -> Result<HttpResponse, ApiError> {
    let input = Input::validate(body.into_inner(), true)?;
    let user = lock(&store).create(input)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/users/{}", user.id)))
        .insert_header(header::ETag(conditional::etag(&user)))
        .json(user))
}

async fn replace(
    req: HttpRequest,
    store: SharedStore,
    id: Path<UserId>,
    body: Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let precondition = Precondition::from_request(&req);
    let input = Input::validate(body.into_inner(), true)?;
    let user = lock(&store).update(id.into_inner().0, input, &precondition)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(conditional::etag(&user)))
        .json(user))
}

async fn update(
    req: HttpRequest,
    store: SharedStore,
    id: Path<UserId>,
    body: Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let precondition = Precondition::from_request(&req);
    let input = Input::validate(body.into_inner(), false)?;
    let user = lock(&store).update(id.into_inner().0, input, &precondition)?;
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(conditional::etag(&user)))
        .json(user))
}

async fn remove(
    req: HttpRequest,
    store: SharedStore,
    id: Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let precondition = Precondition::from_request(&req);
    lock(&store).remove(id.into_inner().0, &precondition)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a valid body; `None` means "not given" (only possible for PATCH).
struct Input {
    name: Option<String>,
    email: Option<String>,
}

impl Input {
    /// Checks a parsed body against the rules, collecting every member at fault (422).
    fn validate(body: Value, required: bool) -> Result<Self, ApiError> {
        let Value::Object(map) = body else {
            return Err(ApiError::unprocessable(vec![field(
                "",
                "body must be a JSON object",
            )]));
        };
        let mut errors: Vec<FieldError> = map
            .keys()
            .filter(|k| *k != "name" && *k != "email")
            .map(|k| field(&pointer(k), "is not an allowed member"))
            .collect();
        let name = member(&map, "name", required, name_rule, &mut errors);
        let email = member(&map, "email", required, email_rule, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::unprocessable(errors));
        }
        Ok(Input { name, email })
    }
}

fn member(
    map: &Map<String, Value>,
    key: &str,
    required: bool,
    rule: fn(&str) -> Result<(), &'static str>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let problem = match map.get(key) {
        None if required => "is required",
        None => return None,
        Some(Value::String(s)) => match rule(s) {
            Ok(()) => return Some(s.clone()),
            Err(problem) => problem,
        },
        Some(_) => "must be a string",
    };
    errors.push(field(&pointer(key), problem));
    None
}

fn name_rule(name: &str) -> Result<(), &'static str> {
    match name.chars().count() {
        1..=100 if !name.chars().all(char::is_whitespace) => Ok(()),
        1..=100 => Err("must contain a non-whitespace character"),
        _ => Err("must be 1 to 100 characters long"),
    }
}

fn email_rule(email: &str) -> Result<(), &'static str> {
    if email.chars().count() > 254 {
        return Err("must be at most 254 characters long");
    }
    // ^[^\s@]+@[^\s@]+\.[^\s@]+$ with \s = Unicode White_Space
    let looks_right = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !email.chars().any(char::is_whitespace)
                && !domain.contains('@')
                && domain
                    .char_indices()
                    .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len())
        }
        None => false,
    };
    looks_right
        .then_some(())
        .ok_or("must look like name@domain.tld")
}

fn field(pointer: &str, detail: &str) -> FieldError {
    FieldError {
        pointer: pointer.to_owned(),
        detail: detail.to_owned(),
    }
}

/// RFC 6901: one reference token for an object member.
fn pointer(key: &str) -> String {
    format!("/{}", key.replace('~', "~0").replace('/', "~1"))
}
