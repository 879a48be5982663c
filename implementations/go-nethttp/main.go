// Command server is the crud-conformance users API on net/http alone.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strings"
	"syscall"
	"time"
)

// shutdownGrace bounds how long in-flight requests may run after a signal.
const shutdownGrace = 30 * time.Second

func main() {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	slog.SetDefault(log)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	// A numeric address: a scratch image has no resolver configuration.
	ln, err := net.Listen("tcp4", "0.0.0.0:"+port)
	if err != nil {
		log.Error("listen", "err", err)
		os.Exit(1)
	}
	certFile, keyFile, err := tlsFiles()
	if err != nil {
		log.Error("tls", "err", err)
		os.Exit(1)
	}
	events := newHub()
	// withMiddleware stays outermost: MaxBytesReader needs the server's own
	// ResponseWriter. The request-id and CORS layers come next, outside
	// everything that answers: the router's fallbacks (404, 405, and the 404 for
	// an unclean path), the body checks (415, 413) and the handlers' problems
	// all carry their headers. withMiddleware's own 500 for a panic keeps the
	// headers they had set.
	handler := withMiddleware(withRequestID(withCORS(withGzip(newHandler(newStore(events))))))
	srv := &http.Server{
		Handler: handler,
		// No ReadTimeout: a slow request body must survive shutdown for
		// up to the grace period. Slow headers are cut off after 10 s
		// (the `slow-client` profile).
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// HTTP/1.1, HTTP/2 over TLS (ALPN h2) and cleartext HTTP/2 with
		// prior knowledge (h2c), all on the one port.
		Protocols: new(http.Protocols),
	}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	// Shutdown does not know the hijacked WebSocket connections: this
	// closes each with 1001 as soon as Shutdown starts.
	srv.RegisterOnShutdown(events.closeAll)

	// PID 1 gets no default signal handling: catch SIGTERM and SIGINT.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 1)
	go func() {
		if certFile != "" {
			served <- srv.ServeTLS(ln, certFile, keyFile)
			return
		}
		served <- srv.Serve(ln)
	}()
	log.Info("listening", "addr", ln.Addr().String(), "tls", certFile != "")

	select {
	case err := <-served:
		log.Error("serve", "err", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace.String())
	// Shutdown closes the listener at once, closes idle keep-alive
	// connections (and each busy one once its response is sent), and returns
	// when none is left. It has no deadline of its own: bound it.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("grace period over, closing remaining connections", "err", err)
		_ = srv.Close()
		os.Exit(1)
	}
	events.wait(sctx) // the close handshakes of the sockets
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
	log.Info("stopped")
}

// statusRecorder keeps the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isCleanPath mirrors ServeMux's cleanPath: ServeMux answers an unclean path
// (//, /./, /../) with a 301 to the clean one; the contract wants 404.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// withMiddleware limits bodies, logs each request and turns a panic into a
// 500 problem (net/http would just drop the connection).
func withMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// MaxBytesReader must get the server's own ResponseWriter: on
		// overflow it tells it to close the connection rather than drain it.
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
				if rec.status == 0 {
					writeProblem(rec, http.StatusInternalServerError, "the server failed to handle the request")
				}
			}
			slog.Info("request", "method", r.Method, "path", r.URL.RequestURI(), "proto", r.Proto,
				"status", rec.status, "duration", time.Since(start).String(),
				"request_id", rec.Header().Get(requestIDHeader))
		}()
		next.ServeHTTP(rec, r)
	})
}
