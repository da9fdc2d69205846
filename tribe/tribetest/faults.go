package tribetest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a failure [Server.Fail] injects into the next requests for an
// operation or grant. Its parts apply in this order:
//
//   - Latency delays the answer; the wait ends early when the request's
//     context does (client gone) or at [Server.Close], and nothing is
//     answered then.
//   - Drop closes the connection without an answer (hijacking it; see
//     [Fault.Drop] for HTTP/2 and for a ResponseRecorder).
//   - Status (or RetryAfter alone, meaning 429) answers that status
//     instead of the normal answer, with Body or a default body: Tribe's
//     GraphQL error JSON (code 104 for 429, 10 for 5xx), RFC 6749 error
//     JSON on the OAuth endpoint, or an HTML page if NonJSON. RetryAfter
//     sets the Retry-After header, in whole seconds, rounded up.
//   - Body alone answers status 200 with that body; NonJSON alone answers
//     200 with an HTML page.
//   - Truncate cuts whatever would be answered to half its bytes.
//
// A Fault with only Latency delays the normal answer. A Fault is plain
// data; [Server.Fail] copies it.
type Fault struct {
	// Status is the HTTP status to answer instead of the normal answer.
	Status int
	// Body is the body to answer (default: see above).
	Body string
	// RetryAfter sets the Retry-After header; alone, it means status 429.
	RetryAfter time.Duration
	// Latency delays the answer.
	Latency time.Duration
	// Truncate cuts the answer to half its bytes.
	Truncate bool
	// NonJSON answers an HTML page.
	NonJSON bool
	// Drop closes the connection without an answer. Over HTTP/2, where
	// there is no connection to close, the stream is reset. Where there
	// is neither, as when ServeHTTP is called directly with an
	// httptest.ResponseRecorder, nothing is written: the recorder keeps
	// its defaults, and the record's Status is 0.
	Drop bool
	// Times is how many requests the fault applies to (default 1).
	Times int
}

// String describes the fault, as [Request.Fault] records it, e.g.
// "latency 1s, status 503".
func (f Fault) String() string {
	var parts []string
	if f.Latency > 0 {
		parts = append(parts, "latency "+f.Latency.String())
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	if st := f.status(); st != 0 {
		parts = append(parts, "status "+strconv.Itoa(st))
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry-after "+f.RetryAfter.String())
	}
	if f.NonJSON {
		parts = append(parts, "non-json")
	}
	if f.Truncate {
		parts = append(parts, "truncate")
	}
	return strings.Join(parts, ", ")
}

// status is the status the fault answers instead of the normal one, or 0.
func (f Fault) status() int {
	switch {
	case f.Status != 0:
		return f.Status
	case f.RetryAfter > 0:
		return http.StatusTooManyRequests
	case f.Body != "" || f.NonJSON:
		return http.StatusOK
	}
	return 0
}

type pendingFault struct {
	f    Fault
	left int
}

// Fail queues fault f for requests matching name: a GraphQL operation name
// or root field (e.g. "limitedToken", "authMember"), an OAuth grant_type
// (e.g. "password", "refresh_token"), or "*" for any request whose
// operation or grant is known. Faults for a name apply in the order they
// were queued, each to f.Times requests; then service is normal again. A
// request matching several names takes the first pending fault of its
// operation name, then of its root fields in order, then its grant, then
// "*". Status must be 0 or 200 to 599. Safe for concurrent use.
func (s *Server) Fail(name string, f Fault) error {
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return fmt.Errorf("tribetest: Fail: the fault's Status %d is not 0 or from 200 to 599; give 0 for the usual answer, or an HTTP status from 200 to 599", f.Status)
	}
	if f.Latency < 0 || f.RetryAfter < 0 || f.Times < 0 {
		return errors.New("tribetest: Fail: the fault has a negative Latency, RetryAfter or Times; give zero or more")
	}
	n := f.Times
	if n == 0 {
		n = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[name] = append(s.faults[name], &pendingFault{f: f, left: n})
	return nil
}

// PendingFaults is how many requests the faults queued for name will still
// apply to. Safe for concurrent use.
func (s *Server) PendingFaults(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.faults[name] {
		n += p.left
	}
	return n
}

// ClearFaults drops every pending fault. Safe for concurrent use.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault consumes the first pending fault for name, then more, then
// "*".
func (s *Server) takeFault(name string, more ...string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return nil
	}
	keys := append(append([]string{name}, more...), "*")
	for _, k := range keys {
		q := s.faults[k]
		if k == "" || len(q) == 0 {
			continue
		}
		f := q[0].f
		if q[0].left--; q[0].left <= 0 {
			q = q[1:]
			if len(q) == 0 {
				delete(s.faults, k)
			} else {
				s.faults[k] = q
			}
		}
		return &f
	}
	return nil
}

// applyFault runs the parts of f that come before normal service. It
// reports whether the request is done: dropped, abandoned, or answered
// with errBody's body for the fault's status.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, rec *Request, errBody func(status int) []byte) bool {
	rec.Fault = f.String()
	if f.Latency > 0 && !s.wait(r.Context(), f.Latency) {
		// The client is gone, or the server is closing: answer nothing
		// rather than an empty 200.
		dropConnection(w, r)
		return true
	}
	if f.Drop {
		dropConnection(w, r)
		return true
	}
	status := f.status()
	if status == 0 {
		return false
	}
	resp := response{status: status, header: map[string]string{}}
	switch {
	case f.Body != "":
		resp.body = []byte(f.Body)
		if f.NonJSON {
			resp.contentType = "text/html; charset=utf-8"
		}
	case f.NonJSON:
		resp.contentType = "text/html; charset=utf-8"
		resp.body = fmt.Appendf(nil, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%d %s</h1><p>tribetest injected fault</p></body></html>\n",
			status, http.StatusText(status), status, http.StatusText(status))
	default:
		resp.body = errBody(status)
	}
	if f.RetryAfter > 0 {
		secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
		resp.header["Retry-After"] = strconv.FormatInt(secs, 10)
	}
	writeResponse(w, resp, f)
	return true
}

// wait waits for d; it reports false if ctx is done or the server closes
// first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	var closed <-chan struct{} // nil, never ready, for a server not serving
	if s.ctx != nil {
		closed = s.ctx.Done()
	}
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-closed:
		return false
	}
}

// dropConnection closes the request's connection without an answer, by
// hijacking it (ServeHTTP closes it once the request is recorded). Where
// that is impossible: under an http.Server (HTTP/2), it aborts the handler
// the way net/http provides, which resets the stream quietly; elsewhere (a
// ResponseRecorder, a direct call) it writes nothing and returns.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		if sw, ok := w.(*statusWriter); ok {
			sw.dropped = conn
		} else {
			_ = conn.Close()
		}
		return
	}
	if r.Context().Value(http.ServerContextKey) != nil {
		panic(http.ErrAbortHandler)
	}
}
