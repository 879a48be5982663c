package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// fieldError is one entry of a 422's "errors" array.
type fieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// problem is an RFC 9457 problem object.
type problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail"`
	Errors []fieldError `json:"errors,omitempty"`
}

// title returns the reason phrase. http.StatusText still has the pre-RFC 9110
// names for 413 and 422.
func title(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "Content Too Large"
	case http.StatusUnprocessableEntity:
		return "Unprocessable Content"
	}
	return http.StatusText(status)
}

// writeJSON sends v with an explicit Content-Length, so that HEAD (which
// net/http routes to GET handlers and whose body it discards) carries exactly
// the headers GET does, however large the body.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		slog.Error("encoding response", "err", err)
		status, contentType = http.StatusInternalServerError, "application/problem+json"
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the response could not be encoded"}`)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeProblem(w http.ResponseWriter, status int, detail string, errs ...fieldError) {
	writeJSON(w, status, "application/problem+json", problem{
		Type: "about:blank", Title: title(status), Status: status, Detail: detail, Errors: errs,
	})
}

// notFound answers every path the API does not define. It is registered on
// the catch-all pattern "/", which replaces ServeMux's text/plain 404.
//
// ServeMux matches wildcards segment by segment on the escaped path, so
// /api/users/1%2F2 reaches {id} as "1/2". But a segment that is only an
// escaped slash (/api/users/%2F) is taken for a trailing slash, which a
// single wildcard never matches (net/http/routing_tree.go, matchPath), and
// lands here: it is still one id, and a malformed one.
func notFound(w http.ResponseWriter, r *http.Request) {
	if seg, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/users/"); ok && seg != "" && !strings.Contains(seg, "/") {
		writeProblem(w, http.StatusBadRequest, badID)
		return
	}
	writeProblem(w, http.StatusNotFound, "no resource at "+r.URL.Path)
}

// methodNotAllowed is registered on a method-less pattern next to the
// method-specific ones: those win when the method matches, so this one only
// sees the other methods. It replaces ServeMux's own 405, which is
// text/plain.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeProblem(w, http.StatusMethodNotAllowed, r.Method+" is not allowed here; allowed: "+allow)
	}
}
