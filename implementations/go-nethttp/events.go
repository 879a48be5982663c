package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// event is one committed change, as GET /api/users/events sends it.
type event struct {
	Type string    `json:"type"` // created, updated or deleted
	User *userJSON `json:"user,omitempty"`
	ID   int64     `json:"id,omitempty"` // deleted only
}

// subscriber is one open socket. Its queue is closed to end it: code says
// with which close status.
type subscriber struct {
	queue  chan []byte
	code   websocket.StatusCode
	reason string
}

// queueLen bounds how far a socket may fall behind before it is closed
// (a socket that silently lost messages would break commit order).
const queueLen = 1024

// hub fans committed changes out to the open sockets. The store calls
// publish while it holds its own lock, so every socket sees the changes in
// commit order, concurrent writers included.
type hub struct {
	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	closing bool
	active  sync.WaitGroup // serve goroutines, which net/http stops tracking once hijacked
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}} }

func (h *hub) publish(e event) {
	b, err := json.Marshal(e)
	if err != nil {
		slog.Error("encoding event", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.queue <- b:
		default:
			h.end(sub, websocket.StatusPolicyViolation, "too far behind the changes")
		}
	}
}

// end removes sub and closes its queue. Caller holds h.mu.
func (h *hub) end(sub *subscriber, code websocket.StatusCode, reason string) {
	sub.code, sub.reason = code, reason
	delete(h.subs, sub)
	close(sub.queue)
}

func (h *hub) subscribe() *subscriber {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return nil
	}
	sub := &subscriber{queue: make(chan []byte, queueLen)}
	h.subs[sub] = struct{}{}
	h.active.Add(1)
	return sub
}

func (h *hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	delete(h.subs, sub) // a no-op if end already removed it
	h.mu.Unlock()
	h.active.Done()
}

// closeAll ends every socket with 1001 Going Away, after the messages it was
// already queued. It is registered with Server.RegisterOnShutdown, since
// Server.Shutdown does not touch hijacked connections.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closing = true
	for sub := range h.subs {
		h.end(sub, websocket.StatusGoingAway, "the server is shutting down")
	}
}

// wait returns once every socket has been closed, or when ctx ends.
func (h *hub) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { h.active.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// isUpgrade says whether r asks for a WebSocket (RFC 6455 §4.2.1).
func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// serve runs one socket: it subscribes before the upgrade, so no change
// committed after the 101 is missed, then writes the queue until it ends.
func (h *hub) serve(w http.ResponseWriter, r *http.Request) {
	sub := h.subscribe()
	if sub == nil {
		writeProblem(w, http.StatusServiceUnavailable, "the server is shutting down")
		return
	}
	defer h.unsubscribe(sub)
	c, err := websocket.Accept(w, r, nil) // answers a bad handshake itself
	if err != nil {
		return
	}
	defer func() { _ = c.CloseNow() }()
	// CloseRead reads (and so answers pings and close frames) until the
	// client closes, or sends a data message, which this stream does not take.
	ctx := c.CloseRead(context.Background())
	for {
		select {
		case b, ok := <-sub.queue:
			if !ok {
				_ = c.Close(sub.code, sub.reason)
				return
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}
