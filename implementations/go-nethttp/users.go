package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

const maxBody = 1 << 20 // 1,048,576 bytes: larger bodies are 413

type user struct {
	ID        int64
	Name      string
	Email     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// userJSON fixes the member order and the timestamp format (RFC 3339, UTC).
type userJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func (u *user) view() userJSON {
	return userJSON{u.ID, u.Name, u.Email,
		u.CreatedAt.Format(time.RFC3339Nano), u.UpdatedAt.Format(time.RFC3339Nano)}
}

// store keeps users ordered by id (ids only grow, so appending keeps the
// order) and an index of ASCII-lowercased emails. One mutex guards both, so
// the uniqueness check and the insert are atomic; the If-Match check and the
// publication of each change to the event sockets happen under it too.
type store struct {
	mu     sync.Mutex
	users  []*user
	emails map[string]int64
	lastID int64
	events *hub
}

func newStore(events *hub) *store { return &store{emails: map[string]int64{}, events: events} }

// header joins every line of a list-valued request header.
func header(r *http.Request, name string) string { return strings.Join(r.Header.Values(name), ",") }

// preconditionFailed is the 412 for an If-Match that does not hold tag.
func preconditionFailed(w http.ResponseWriter, tag string) {
	writeProblem(w, http.StatusPreconditionFailed, "If-Match does not hold the user's current ETag, "+tag+": read the user again")
}

// find returns the index of id in s.users, or -1. Caller holds s.mu.
func (s *store) find(id int64) int {
	i, ok := slices.BinarySearchFunc(s.users, id, func(u *user, id int64) int {
		switch {
		case u.ID < id:
			return -1
		case u.ID > id:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}

// now is the wall clock in UTC, without the monotonic reading.
func now() time.Time { return time.Now().UTC().Round(0) }

// asciiLower folds A-Z only: emails are unique ASCII-case-insensitively.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// newHandler wires the routes. Patterns with a method win over the method-less
// ones, which answer 405; "/" answers 404 for every other path, including
// /api/users/ (a wildcard never matches an empty segment).
func newHandler(s *store) http.Handler {
	mux := http.NewServeMux()
	// GET patterns also match HEAD (Go 1.22+); net/http drops the body.
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/health", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("GET /api/users", s.list)
	mux.HandleFunc("POST /api/users", s.create)
	mux.HandleFunc("/api/users", methodNotAllowed("GET, HEAD, POST"))
	// More specific than {id}: a WebSocket upgrade opens the event stream,
	// any other GET of it is a malformed id (400), as before.
	mux.HandleFunc("GET /api/users/events", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && isUpgrade(r) {
			s.events.serve(w, r)
			return
		}
		s.get(w, r)
	})
	mux.HandleFunc("GET /api/users/{id}", s.get)
	mux.HandleFunc("PUT /api/users/{id}", s.put)
	mux.HandleFunc("PATCH /api/users/{id}", s.patch)
	mux.HandleFunc("DELETE /api/users/{id}", s.delete)
	mux.HandleFunc("/api/users/{id}", methodNotAllowed("GET, HEAD, PUT, PATCH, DELETE"))
	mux.HandleFunc("/", notFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux would answer an unclean path (//, /./, /../) with a 301 to
		// the clean one; the contract wants 404.
		if !isCleanPath(r.URL.EscapedPath()) {
			notFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// parseInt64 accepts ^-?[0-9]+$ within 64 bits. strconv.ParseInt alone would
// also take "+5".
func parseInt64(s string, signed bool) (int64, bool) {
	digits := s
	if signed {
		digits = strings.TrimPrefix(s, "-")
	}
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

const badID = "the user id must be a non-negative base-10 integer within 64 bits"

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := parseInt64(r.PathValue("id"), false)
	if !ok {
		writeProblem(w, http.StatusBadRequest, badID)
	}
	return id, ok
}

func queryInt(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int64) (int64, bool) {
	q := r.URL.Query()
	if !q.Has(name) {
		return def, true
	}
	n, ok := parseInt64(q.Get(name), true)
	if !ok {
		writeProblem(w, http.StatusBadRequest, name+" must be a base-10 integer within 64 bits")
		return 0, false
	}
	return max(lo, min(n, hi)), true
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	page, ok := queryInt(w, r, "page", 1, 1, math.MaxInt64)
	if !ok {
		return
	}
	perPage, ok := queryInt(w, r, "per_page", 20, 1, 100)
	if !ok {
		return
	}
	s.mu.Lock()
	total := int64(len(s.users))
	last := max(1, (total+perPage-1)/perPage)
	data := []userJSON{}
	// page-1 < last keeps the offset below total: no overflow for huge pages.
	if page-1 < last {
		for _, u := range s.users[(page-1)*perPage : min(total, page*perPage)] {
			data = append(data, u.view())
		}
	}
	s.mu.Unlock()

	link := func(p int64, rel string) string {
		return fmt.Sprintf(`</api/users?page=%d&per_page=%d>; rel="%s"`, p, perPage, rel)
	}
	links := []string{link(1, "first")}
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(last, "last"))
	w.Header().Set("Link", strings.Join(links, ", "))
	w.Header().Set("X-Total-Count", strconv.FormatInt(total, 10))
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"data": data, "page": page, "per_page": perPage, "total": total,
	})
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	var v userJSON
	i := s.find(id)
	if i >= 0 {
		v = s.users[i].view()
	}
	s.mu.Unlock()
	if i < 0 {
		writeProblem(w, http.StatusNotFound, fmt.Sprintf("user %d does not exist", id))
		return
	}
	tag := etagOf(v)
	w.Header().Set("ETag", tag)
	if inm := header(r, "If-None-Match"); inm != "" && etagListHas(inm, tag, true) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", v)
}

func (s *store) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ifMatch := header(r, "If-Match")
	s.mu.Lock()
	i, tag := s.find(id), ""
	if i >= 0 {
		if tag = etagOf(s.users[i].view()); ifMatch != "" && !etagListHas(ifMatch, tag, false) {
			s.mu.Unlock()
			preconditionFailed(w, tag)
			return
		}
		delete(s.emails, asciiLower(s.users[i].Email))
		s.users = slices.Delete(s.users, i, i+1)
		s.events.publish(event{Type: "deleted", ID: id})
	}
	s.mu.Unlock()
	if i < 0 {
		writeProblem(w, http.StatusNotFound, fmt.Sprintf("user %d does not exist", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// input is a validated body: nil members were absent.
type input struct{ name, email *string }

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	in, ok := readInput(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	key := asciiLower(*in.email)
	if _, taken := s.emails[key]; taken {
		s.mu.Unlock()
		writeProblem(w, http.StatusConflict, "email is already in use")
		return
	}
	s.lastID++
	t := now()
	u := &user{ID: s.lastID, Name: *in.name, Email: *in.email, CreatedAt: t, UpdatedAt: t}
	s.users = append(s.users, u)
	s.emails[key] = u.ID
	v := u.view()
	s.events.publish(event{Type: "created", User: &v})
	s.mu.Unlock()
	w.Header().Set("Location", "/api/users/"+strconv.FormatInt(v.ID, 10))
	writeJSON(w, http.StatusCreated, "application/json", v)
}

func (s *store) put(w http.ResponseWriter, r *http.Request)   { s.update(w, r, true) }
func (s *store) patch(w http.ResponseWriter, r *http.Request) { s.update(w, r, false) }

func (s *store) update(w http.ResponseWriter, r *http.Request, full bool) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	in, ok := readInput(w, r, full)
	if !ok {
		return
	}
	status, v := s.apply(id, in, header(r, "If-Match"))
	switch status {
	case http.StatusPreconditionFailed:
		preconditionFailed(w, etagOf(v))
	case http.StatusConflict:
		writeProblem(w, status, "email is already in use")
	case http.StatusNotFound:
		writeProblem(w, status, fmt.Sprintf("user %d does not exist", id))
	default:
		writeJSON(w, status, "application/json", v)
	}
}

// apply updates user id under the lock: 409 for an email another user holds,
// then 404 for a missing user, then 412 (with the current user) for an
// If-Match that does not hold its ETag.
func (s *store) apply(id int64, in input, ifMatch string) (int, userJSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.email != nil {
		if holder, taken := s.emails[asciiLower(*in.email)]; taken && holder != id {
			return http.StatusConflict, userJSON{}
		}
	}
	i := s.find(id)
	if i < 0 {
		return http.StatusNotFound, userJSON{}
	}
	u := s.users[i]
	if ifMatch != "" {
		if current := u.view(); !etagListHas(ifMatch, etagOf(current), false) {
			return http.StatusPreconditionFailed, current
		}
	}
	if in.name != nil {
		u.Name = *in.name
	}
	if in.email != nil {
		delete(s.emails, asciiLower(u.Email))
		u.Email = *in.email
		s.emails[asciiLower(u.Email)] = u.ID
	}
	// Never earlier than before, even if the wall clock steps back.
	if t := now(); t.After(u.UpdatedAt) {
		u.UpdatedAt = t
	}
	v := u.view()
	s.events.publish(event{Type: "updated", User: &v})
	return http.StatusOK, v
}

// readInput checks, in order: Content-Type (415), size (413), well-formed
// JSON (400), rules (422). It answers the request itself when it fails.
func readInput(w http.ResponseWriter, r *http.Request, full bool) (input, bool) {
	mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	mt = strings.TrimSpace(mt)
	if !strings.EqualFold(mt, "application/json") &&
		!(r.Method == http.MethodPatch && strings.EqualFold(mt, "application/merge-patch+json")) {
		writeProblem(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return input{}, false
	}
	// A declared size over the limit is refused before reading anything.
	// "Connection: close" stops net/http from first draining up to 256 KiB
	// of the unread body, which would wait on a client that waits for us.
	if r.ContentLength > maxBody {
		w.Header().Set("Connection", "close")
		writeProblem(w, http.StatusRequestEntityTooLarge, "the body must not exceed 1048576 bytes")
		return input{}, false
	}
	// r.Body is already an http.MaxBytesReader (see main.go), which also
	// stops chunked bodies.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			writeProblem(w, http.StatusRequestEntityTooLarge, "the body must not exceed 1048576 bytes")
		} else {
			writeProblem(w, http.StatusBadRequest, "the body could not be read")
		}
		return input{}, false
	}
	// encoding/json silently turns invalid UTF-8 into U+FFFD: refuse it first.
	if !utf8.Valid(body) || !json.Valid(body) {
		writeProblem(w, http.StatusBadRequest, "the body is not well-formed JSON")
		return input{}, false
	}
	in, errs := validate(body, full)
	if len(errs) > 0 {
		details := make([]string, len(errs))
		for i, e := range errs {
			details[i] = strings.TrimSpace(strings.TrimPrefix(e.Pointer, "/") + " " + e.Detail)
		}
		writeProblem(w, http.StatusUnprocessableEntity, strings.Join(details, "; "), errs...)
		return input{}, false
	}
	return in, true
}

// validate decodes into map[string]json.RawMessage rather than a struct:
// struct decoding matches member names case-insensitively, lets null through
// and, with DisallowUnknownFields, stops at the first unknown member.
func validate(body []byte, full bool) (input, []fieldError) {
	if bytes.TrimLeft(body, " \t\r\n")[0] != '{' {
		return input{}, []fieldError{{"", "the body must be a JSON object"}}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return input{}, []fieldError{{"", "the body must be a JSON object"}}
	}
	var in input
	var errs []fieldError
	str := func(key string, rule func(string) string) *string {
		raw, ok := members[key]
		var v string
		switch {
		case !ok:
			if full {
				errs = append(errs, fieldError{"/" + key, "is required"})
			}
			return nil
		case string(raw) == "null":
			errs = append(errs, fieldError{"/" + key, "must not be null"})
		case json.Unmarshal(raw, &v) != nil:
			errs = append(errs, fieldError{"/" + key, "must be a string"})
		default:
			if msg := rule(v); msg != "" {
				errs = append(errs, fieldError{"/" + key, msg})
				return nil
			}
			return &v
		}
		return nil
	}
	in.name = str("name", nameRule)
	in.email = str("email", emailRule)
	var unknown []string
	for k := range members {
		if k != "name" && k != "email" {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		errs = append(errs, fieldError{"/" + pointerEscape(k), "is not a member of a user"})
	}
	return in, errs
}

// pointerEscape escapes a member name for an RFC 6901 JSON Pointer.
func pointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// nameRule counts code points (not bytes); unicode.IsSpace is the Unicode
// White_Space property.
func nameRule(s string) string {
	if n := utf8.RuneCountInString(s); n < 1 || n > 100 {
		return "must be 1 to 100 characters long"
	}
	if strings.TrimFunc(s, unicode.IsSpace) == "" {
		return "must contain a character that is not whitespace"
	}
	return ""
}

// emailRule is ^[^\s@]+@[^\s@]+\.[^\s@]+$ with \s = Unicode White_Space
// (Go's regexp \s is ASCII only), and at most 254 code points.
func emailRule(s string) string {
	const msg = "must look like name@domain.tld"
	if utf8.RuneCountInString(s) > 254 {
		return "must be at most 254 characters long"
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 || strings.Count(s, "@") != 1 {
		return msg
	}
	local, domain, _ := strings.Cut(s, "@")
	// The domain needs a dot with something on both sides.
	if local == "" || len(domain) < 3 || !strings.Contains(domain[1:len(domain)-1], ".") {
		return msg
	}
	return ""
}
