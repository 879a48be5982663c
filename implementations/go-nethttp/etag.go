package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// The `conditional` profile (RFC 9110 §13): a strong ETag per user
// representation, If-None-Match on GET (weak comparison) and If-Match on
// PUT, PATCH and DELETE (strong comparison, checked under the store's lock so
// that of two writes made with one tag only the first wins).

// etagOf hashes the user's JSON, updated_at included: every change moves it.
func etagOf(v userJSON) string {
	b, _ := json.Marshal(v) // a userJSON always encodes
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// etagListHas says whether the field value (a list of entity-tags, or "*")
// holds tag. Weak comparison ignores the W/ prefix; strong comparison never
// matches a weak tag.
func etagListHas(field, tag string, weak bool) bool {
	for t := range strings.SplitSeq(field, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		if weak {
			t = strings.TrimPrefix(t, "W/")
		}
		if t == tag {
			return true
		}
	}
	return false
}
