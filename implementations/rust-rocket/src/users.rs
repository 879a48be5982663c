//! The user resource: validation rules and the in-memory store.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use rocket::tokio::sync::broadcast;

use rocket::serde::json::serde_json::{self, Map};
use rocket::serde::json::Value;
use rocket::serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Clone, Serialize)]
#[serde(crate = "rocket::serde")]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl User {
    /// A strong entity-tag (RFC 9110 §8.8.3) of the user's JSON representation: any change
    /// of a member, `updated_at` included, changes it.
    pub fn etag(&self) -> String {
        let mut hasher = DefaultHasher::new();
        serde_json::to_vec(self).unwrap_or_default().hash(&mut hasher);
        format!("\"{:016x}\"", hasher.finish())
    }
}

fn rfc3339<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
    let text = t.format(&Rfc3339).map_err(rocket::serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

/// One member at fault in a request body, as an RFC 6901 pointer.
#[derive(Debug, Serialize)]
#[serde(crate = "rocket::serde")]
pub struct Violation {
    pub pointer: String,
    pub detail: String,
}

impl Violation {
    /// A fault in the body as a whole (pointer `""`).
    fn body(detail: &str) -> Self {
        Violation { pointer: String::new(), detail: detail.into() }
    }

    /// A fault in one member of the body object (pointer `/<member>`).
    fn member(key: &str, detail: &str) -> Self {
        let pointer = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
        Violation { pointer, detail: detail.into() }
    }
}

/// The members a body may carry. POST and PUT need both, PATCH any subset.
#[derive(Default)]
pub struct Fields {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A body for POST and PUT: both members required.
pub struct NewUser(pub Fields);

/// A body for PATCH: any subset of the members.
pub struct UserPatch(pub Fields);

/// A request body type checked against the contract's rules.
pub trait FromJson: Sized {
    /// PATCH also accepts `application/merge-patch+json`.
    const MERGE_PATCH: bool;
    fn from_json(value: Value) -> Result<Self, Vec<Violation>>;
}

impl FromJson for NewUser {
    const MERGE_PATCH: bool = false;
    fn from_json(value: Value) -> Result<Self, Vec<Violation>> {
        fields(value, true).map(NewUser)
    }
}

impl FromJson for UserPatch {
    const MERGE_PATCH: bool = true;
    fn from_json(value: Value) -> Result<Self, Vec<Violation>> {
        fields(value, false).map(UserPatch)
    }
}

fn fields(value: Value, required: bool) -> Result<Fields, Vec<Violation>> {
    let Value::Object(map) = value else {
        return Err(vec![Violation::body("the body must be a JSON object")]);
    };
    let mut errors: Vec<Violation> = (map.keys())
        .filter(|key| !matches!(key.as_str(), "name" | "email"))
        .map(|key| Violation::member(key, "is not a member of a user"))
        .collect();
    let fields = Fields {
        name: member(&map, "name", required, check_name, &mut errors),
        email: member(&map, "email", required, check_email, &mut errors),
    };
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

fn member(
    map: &Map<String, Value>,
    key: &str,
    required: bool,
    rule: fn(&str) -> Result<(), &'static str>,
    errors: &mut Vec<Violation>,
) -> Option<String> {
    let fault = match map.get(key) {
        None if required => "is required",
        None => return None,
        Some(Value::String(s)) => match rule(s) {
            Ok(()) => return Some(s.clone()),
            Err(fault) => fault,
        },
        Some(_) => "must be a string",
    };
    errors.push(Violation::member(key, fault));
    None
}

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

/// `^[^\s@]+@[^\s@]+\.[^\s@]+$` with `\s` = Unicode White_Space, at most 254 characters.
fn check_email(email: &str) -> Result<(), &'static str> {
    const FAULT: &str = "must look like name@domain.tld";
    if email.chars().count() > 254 {
        return Err("must be at most 254 characters long");
    }
    if email.chars().any(char::is_whitespace) {
        return Err(FAULT);
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(FAULT);
    };
    let dot_inside =
        (domain.char_indices()).any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len());
    if local.is_empty() || domain.contains('@') || !dot_inside {
        return Err(FAULT);
    }
    Ok(())
}

pub enum StoreError {
    NotFound(i64),
    Conflict,
    /// If-Match did not hold the user's current entity-tag (which it carries).
    PreconditionFailed(String),
}

/// All users, behind one lock so that the email check, the If-Match check and the write are
/// atomic; each committed change is published to the event sockets under that lock, so that
/// they get the changes in commit order.
pub struct Store {
    users: Mutex<Users>,
    events: broadcast::Sender<String>,
}

impl Default for Store {
    fn default() -> Self {
        // A socket more than this many changes behind loses messages (it sees `Lagged`).
        Store { users: Mutex::default(), events: broadcast::channel(1024).0 }
    }
}

/// One committed change, as the event sockets get it: `{"type":"created","user":{...}}`.
#[derive(Serialize)]
#[serde(crate = "rocket::serde", tag = "type", rename_all = "lowercase")]
enum Event<'a> {
    Created { user: &'a User },
    Updated { user: &'a User },
    Deleted { id: i64 },
}

/// The `If-Match` of a write: the write happens only while it holds the current entity-tag.
pub trait Precondition {
    fn holds(&self, current: &User) -> bool;
}

#[derive(Default)]
struct Users {
    last_id: i64,
    by_id: BTreeMap<i64, User>,
}

impl Users {
    fn email_taken(&self, email: &str, except: Option<i64>) -> bool {
        (self.by_id.values()).any(|u| Some(u.id) != except && u.email.eq_ignore_ascii_case(email))
    }
}

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, Users> {
        self.users.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The committed changes from now on, as JSON text messages.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.events.subscribe()
    }

    /// Sends one change to every subscriber; called with the lock held.
    fn publish(&self, event: Event<'_>) {
        if let Ok(text) = serde_json::to_string(&event) {
            let _ = self.events.send(text); // Err: nobody is listening
        }
    }

    fn check(user: &User, precondition: &impl Precondition) -> Result<(), StoreError> {
        match precondition.holds(user) {
            true => Ok(()),
            false => Err(StoreError::PreconditionFailed(user.etag())),
        }
    }

    /// The users of one page (ordered by id) and the total count.
    pub fn page(&self, offset: usize, limit: usize) -> (Vec<User>, usize) {
        let users = self.lock();
        let page = users.by_id.values().skip(offset).take(limit).cloned();
        (page.collect(), users.by_id.len())
    }

    pub fn get(&self, id: i64) -> Option<User> {
        self.lock().by_id.get(&id).cloned()
    }

    pub fn create(&self, NewUser(fields): NewUser) -> Result<User, StoreError> {
        let (name, email) = (fields.name.unwrap_or_default(), fields.email.unwrap_or_default());
        let mut users = self.lock();
        if users.email_taken(&email, None) {
            return Err(StoreError::Conflict);
        }
        users.last_id += 1;
        let now = OffsetDateTime::now_utc();
        let user = User { id: users.last_id, name, email, created_at: now, updated_at: now };
        users.by_id.insert(user.id, user.clone());
        self.publish(Event::Created { user: &user });
        Ok(user)
    }

    /// Applies the members present in `fields` (all of them for PUT).
    pub fn update(
        &self,
        id: i64,
        fields: Fields,
        precondition: &impl Precondition,
    ) -> Result<User, StoreError> {
        let mut users = self.lock();
        // RFC 9110 §13.2.2: the precondition before the method's own checks (a missing user
        // is the 404 below).
        if let Some(user) = users.by_id.get(&id) {
            Self::check(user, precondition)?;
        }
        if let Some(email) = &fields.email {
            if users.email_taken(email, Some(id)) {
                return Err(StoreError::Conflict);
            }
        }
        let user = users.by_id.get_mut(&id).ok_or(StoreError::NotFound(id))?;
        if let Some(name) = fields.name {
            user.name = name;
        }
        if let Some(email) = fields.email {
            user.email = email;
        }
        // Never earlier than before, even if the clock steps back.
        user.updated_at = user.updated_at.max(OffsetDateTime::now_utc());
        let user = user.clone();
        self.publish(Event::Updated { user: &user });
        Ok(user)
    }

    pub fn delete(&self, id: i64, precondition: &impl Precondition) -> Result<(), StoreError> {
        let mut users = self.lock();
        Self::check(users.by_id.get(&id).ok_or(StoreError::NotFound(id))?, precondition)?;
        users.by_id.remove(&id);
        self.publish(Event::Deleted { id });
        Ok(())
    }
}
