package main

import "net/http"

// The `cors` profile. The API takes no credentials (cookies, HTTP auth), so
// any origin may read it: Access-Control-Allow-Origin is "*".
const (
	corsMethods = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsHeaders = "Content-Type, If-Match, If-None-Match, X-Request-Id"
	corsExpose  = "Location, Link, X-Total-Count, X-Request-Id, ETag"
)

// withCORS answers preflights (OPTIONS with Origin and
// Access-Control-Request-Method) with 204, and adds
// Access-Control-Allow-Origin to every other response to a request with Origin.
func withCORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExpose)
		next.ServeHTTP(w, r)
	})
}
