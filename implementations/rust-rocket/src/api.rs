//! Routes, the 405 fallback routes and the problem+json catcher.

use rocket::http::{Header, Method, Status};
use rocket::response::{self, status::Created};
use rocket::route::{self, Handler, Route};
use rocket::serde::json::{json, Json, Value};
use rocket::serde::Serialize;
use rocket::{catch, catchers, delete, get, patch, post, put, routes};
use rocket::{Build, Data, Request, Responder, Rocket, State};

use crate::conditional::{IfMatch, IfNoneMatch, Tagged};
use crate::guards::{is_exact, query_int, ExactPath, Input, UserId};
use crate::problem::Problem;
use crate::users::{NewUser, Store, StoreError, User, UserPatch};

pub fn build(figment: rocket::figment::Figment) -> Rocket<Build> {
    use Method::*;
    rocket::custom(figment)
        .manage(Store::default())
        .attach(crate::request_id::RequestId)
        .attach(crate::cors::Cors)
        .attach(crate::compression::Gzip)
        .mount("/", routes![health, list, create, show, replace, update, delete])
        .mount("/", routes![crate::events::events])
        .mount("/", MethodNotAllowed::routes("/health", &[Get, Head]))
        .mount("/", MethodNotAllowed::routes("/api/users", &[Get, Head, Post]))
        .mount("/", MethodNotAllowed::routes("/api/users/<_>", &[Get, Head, Put, Patch, Delete]))
        .register("/", catchers![not_implemented, problem])
}

#[get("/health")]
fn health(_path: ExactPath) -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[derive(Serialize)]
#[serde(crate = "rocket::serde")]
struct Page {
    data: Vec<User>,
    page: i64,
    per_page: i64,
    total: i64,
}

#[derive(Responder)]
struct Listing {
    body: Json<Page>,
    total: Header<'static>,
    link: Header<'static>,
}

// Query values are taken as text, every one of them: Rocket would forward a failed parse as
// 422, and an `Option` would hide a repeated parameter (see `query_int`).
#[get("/api/users?<page>&<per_page>")]
fn list(
    _path: ExactPath,
    page: Vec<&str>,
    per_page: Vec<&str>,
    store: &State<Store>,
) -> Result<Listing, Problem> {
    let page = query_int("page", &page, 1)?.max(1);
    let per_page = query_int("per_page", &per_page, 20)?.clamp(1, 100);
    let offset = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let (data, total) = store.page(offset, per_page as usize);

    let total = total as i64;
    let last = ((total + per_page - 1) / per_page).max(1);
    let link = |page: i64, rel: &str| {
        format!("</api/users?page={page}&per_page={per_page}>; rel=\"{rel}\"")
    };
    let mut links = vec![link(1, "first")];
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
    }
    links.push(link(last, "last"));

    Ok(Listing {
        body: Json(Page { data, page, per_page, total }),
        total: Header::new("X-Total-Count", total.to_string()),
        link: Header::new("Link", links.join(", ")),
    })
}

#[post("/api/users", data = "<input>")]
fn create(
    _path: ExactPath,
    input: Result<Input<NewUser>, Problem>,
    store: &State<Store>,
) -> Result<Created<Json<User>>, Problem> {
    let user = store.create(input?.0)?;
    Ok(Created::new(format!("/api/users/{}", user.id)).body(Json(user)))
}

#[get("/api/users/<id>")]
fn show(
    _path: ExactPath,
    id: Result<UserId, Problem>,
    if_none_match: IfNoneMatch,
    store: &State<Store>,
) -> Result<Tagged, Problem> {
    let UserId(id) = id?;
    let user = store.get(id).ok_or(StoreError::NotFound(id))?;
    Ok(Tagged::new(user, &if_none_match))
}

#[put("/api/users/<id>", data = "<input>")]
fn replace(
    _path: ExactPath,
    id: Result<UserId, Problem>,
    input: Result<Input<NewUser>, Problem>,
    if_match: IfMatch,
    store: &State<Store>,
) -> Result<Tagged, Problem> {
    let (UserId(id), Input(NewUser(fields))) = (id?, input?);
    Ok(Tagged::written(store.update(id, fields, &if_match)?))
}

#[patch("/api/users/<id>", data = "<input>")]
fn update(
    _path: ExactPath,
    id: Result<UserId, Problem>,
    input: Result<Input<UserPatch>, Problem>,
    if_match: IfMatch,
    store: &State<Store>,
) -> Result<Tagged, Problem> {
    let (UserId(id), Input(UserPatch(fields))) = (id?, input?);
    Ok(Tagged::written(store.update(id, fields, &if_match)?))
}

#[delete("/api/users/<id>")]
fn delete(
    _path: ExactPath,
    id: Result<UserId, Problem>,
    if_match: IfMatch,
    store: &State<Store>,
) -> Result<Status, Problem> {
    store.delete(id?.0, &if_match)?;
    Ok(Status::NoContent)
}

/// Rocket answers a method that no route serves with 404 (rwf2/Rocket#1224). These
/// catch-all routes, ranked after the real ones, answer 405 with `Allow` instead.
#[derive(Clone)]
struct MethodNotAllowed(&'static [Method]);

impl MethodNotAllowed {
    fn routes(path: &str, allowed: &'static [Method]) -> Vec<Route> {
        use Method::*;
        [Get, Head, Post, Put, Patch, Delete, Options, Trace, Connect]
            .into_iter()
            .filter(|method| !allowed.contains(method))
            .map(|method| Route::ranked(100_isize, method, path, MethodNotAllowed(allowed)))
            .collect()
    }
}

#[rocket::async_trait]
impl Handler for MethodNotAllowed {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        if !is_exact(req) {
            return route::Outcome::forward(data, Status::NotFound);
        }
        let allow: Vec<&str> = self.0.iter().map(|m| m.as_str()).collect();
        let detail = format!("{} is not allowed on {}", req.method(), req.uri().path());
        route::Outcome::from(req, Problem::method_not_allowed(detail, allow.join(", ")))
    }
}

/// Rocket 0.5 knows only the methods of RFC 9110 and PATCH: a request with any other method
/// (QUERY, PROPFIND, ...) fails to parse before routing and goes to the 400 catcher (Rocket
/// accepts extension methods after 0.5: rwf2/Rocket#2847). Every 400 of this API is a route's
/// own `Problem`, so a 400 that reaches a catcher is such a request: 501 (RFC 9110 §15.6.2).
#[catch(400)]
fn not_implemented(req: &Request<'_>) -> Unfaired<Problem> {
    let detail =
        format!("this server does not implement the method of the request to {}", req.uri().path());
    Unfaired(Problem::new(Status::NotImplemented, detail))
}

/// An answer that Rocket sends without its response fairings: a request that fails to parse goes
/// straight to the 400 catcher (`Rocket::handle_error`; only `Rocket::dispatch` runs fairings), so
/// the CORS and `X-Request-Id` headers are added here. The request is the one Rocket salvaged,
/// with its headers.
struct Unfaired<R>(R);

impl<'r, R: response::Responder<'r, 'static>> response::Responder<'r, 'static> for Unfaired<R> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut res = self.0.respond_to(req)?;
        crate::request_id::add_header(req, &mut res);
        crate::cors::add_headers(req, &mut res);
        Ok(res)
    }
}

/// Every error Rocket answers itself (no route: 404, a malformed request: 400, a
/// panic: 500, ...) becomes problem+json instead of Rocket's HTML/JSON page.
#[catch(default)]
fn problem(status: Status, req: &Request<'_>) -> Problem {
    let detail = match status.code {
        404 => format!("there is nothing at {}", req.uri().path()),
        500 => "the server could not answer this request".to_string(),
        _ => format!("the request could not be served ({status})"),
    };
    Problem::new(status, detail)
}
