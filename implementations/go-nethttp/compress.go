package main

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
)

// minGzip is the size from which a 200 is worth compressing (the
// `compression` profile names lists over 1 KiB).
const minGzip = 1024

// withGzip compresses 200 responses over minGzip bytes for clients that
// accept gzip. It decides from the Content-Length the handler sets (writeJSON
// always does), just before the header goes out.
func withGzip(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gw := &gzipWriter{ResponseWriter: w, accepts: acceptsGzip(r.Header.Values("Accept-Encoding"))}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

type gzipWriter struct {
	http.ResponseWriter
	accepts bool
	decided bool
	zw      *gzip.Writer
}

func (g *gzipWriter) WriteHeader(status int) {
	if !g.decided {
		g.decided = true
		h := g.Header()
		n, err := strconv.Atoi(h.Get("Content-Length"))
		if status == http.StatusOK && err == nil && n > minGzip && h.Get("Content-Encoding") == "" {
			h.Add("Vary", "Accept-Encoding")
			if g.accepts {
				h.Del("Content-Length")
				h.Set("Content-Encoding", "gzip")
				g.zw = gzip.NewWriter(g.ResponseWriter)
			}
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// close writes the final block and the trailer (for HEAD the body is
// discarded by net/http anyway).
func (g *gzipWriter) close() {
	if g.zw != nil {
		_ = g.zw.Close()
	}
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip, x-gzip or *
// with a q-value above 0. An explicit "gzip;q=0" wins over "*".
func acceptsGzip(values []string) bool {
	star, gz := false, false
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := true
			for p := range strings.SplitSeq(params, ";") {
				if k, val, found := strings.Cut(strings.TrimSpace(p), "="); found && strings.EqualFold(k, "q") {
					q, err := strconv.ParseFloat(val, 64)
					ok = err == nil && q > 0
				}
			}
			switch coding {
			case "gzip", "x-gzip":
				if !ok {
					return false
				}
				gz = true
			case "*":
				star = ok
			}
		}
	}
	return gz || star
}
