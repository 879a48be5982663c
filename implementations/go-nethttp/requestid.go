package main

import (
	"crypto/rand"
	"net/http"
)

const requestIDHeader = "X-Request-Id"

// withRequestID echoes a sensible X-Request-Id (1 to 128 visible ASCII
// characters) and generates one otherwise: 26 random base32 characters
// (crypto/rand.Text, 128 bits).
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !validRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r)
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}
