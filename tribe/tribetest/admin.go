package tribetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tribekit/tribekit/internal/loopback"
)

// adminPrefix is where the admin API lives.
const adminPrefix = "/__admin/"

// adminRequest is a recorded request as the admin API answers it.
type adminRequest struct {
	Time          string            `json:"time"`
	Method        string            `json:"method"`
	Path          string            `json:"path"`
	OperationName string            `json:"operationName,omitempty"`
	Fields        []string          `json:"fields,omitempty"`
	Grant         string            `json:"grant,omitempty"`
	Auth          AuthKind          `json:"auth"`
	ClientID      string            `json:"clientId,omitempty"`
	MemberID      string            `json:"memberId,omitempty"`
	NetworkID     string            `json:"networkId,omitempty"`
	Variables     map[string]any    `json:"variables,omitempty"`
	Params        map[string]string `json:"params,omitempty"`
	Status        int               `json:"status"`
	ErrorCodes    []string          `json:"errorCodes,omitempty"`
	Fault         string            `json:"fault,omitempty"`
	DurationMs    float64           `json:"durationMs"`
}

// adminFault is a Fault in the admin API's JSON.
type adminFault struct {
	Name              string  `json:"name"`
	Status            int     `json:"status"`
	Body              string  `json:"body"`
	RetryAfterSeconds float64 `json:"retryAfterSeconds"`
	LatencyMs         float64 `json:"latencyMs"`
	Truncate          bool    `json:"truncate"`
	NonJSON           bool    `json:"nonJson"`
	Drop              bool    `json:"drop"`
	Times             int     `json:"times"`
}

// adminObject is one object of the store in the admin API's JSON.
type adminObject struct {
	Type  string         `json:"type"`
	ID    string         `json:"id"`
	Value map[string]any `json:"value"`
}

// serveAdmin answers a request under /__admin/: only from loopback, to a
// loopback Host (so a web page cannot reach it through a name of its
// own), and with a JSON body when it has one (so a web page cannot send
// it without the browser asking first).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	reply := func(status int, v any) {
		body, err := json.Marshal(v)
		if err != nil {
			status, body = http.StatusInternalServerError, []byte(`{"error":"tribetest: cannot encode the answer"}`)
		}
		writeResponse(w, response{status: status, body: body}, nil)
	}
	fail := func(status int, msg string) { reply(status, map[string]string{"error": msg}) }
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || !loopback.Host(host) {
		fail(http.StatusForbidden, "tribetest: the admin API answers loopback clients only; call it from this machine")
		return
	}
	if h := hostOnly(r.Host); h != "" && !loopback.Host(h) {
		fail(http.StatusForbidden, "tribetest: the admin API answers requests to a loopback host only; call it at 127.0.0.1, [::1] or localhost")
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/json" {
			fail(http.StatusUnsupportedMediaType, "tribetest: admin API requests with a body must be JSON; send Content-Type: application/json")
			return
		}
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			fail(http.StatusBadRequest, "tribetest: cannot read the request body; send it again")
			return
		}
		if len(body) > maxBodyBytes {
			fail(http.StatusRequestEntityTooLarge, "tribetest: the request body is larger than 1 MiB; send less at once")
			return
		}
	}
	decode := func(v any) bool {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			fail(http.StatusBadRequest, fmt.Sprintf("tribetest: the body is not the JSON this endpoint takes: %s; see the package documentation for its shape", clip(err.Error())))
			return false
		}
		return true
	}
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	route := r.Method + " " + path
	if rest, ok := strings.CutPrefix(path, "objects/"); ok && rest != "" {
		route = r.Method + " objects/*"
		path = rest
	}
	switch route {
	case "GET requests":
		recs := s.Requests()
		out := make([]adminRequest, len(recs))
		for i, rq := range recs {
			out[i] = adminRequest{
				Time: rq.Time.UTC().Format(time.RFC3339Nano), Method: rq.Method, Path: rq.Path,
				OperationName: rq.OperationName, Fields: rq.Fields, Grant: rq.Grant, Auth: rq.Auth,
				ClientID: rq.ClientID, MemberID: rq.MemberID, NetworkID: rq.NetworkID,
				Variables: rq.Variables, Params: rq.Params, Status: rq.Status,
				ErrorCodes: rq.ErrorCodes, Fault: rq.Fault,
				DurationMs: float64(rq.Duration.Microseconds()) / 1000,
			}
		}
		reply(http.StatusOK, map[string]any{"requests": out})
	case "GET counts":
		s.mu.Lock()
		counts, grants := maps.Clone(s.counts), maps.Clone(s.grants)
		s.mu.Unlock()
		reply(http.StatusOK, map[string]any{"counts": counts, "grants": grants})
	case "POST reset":
		s.Reset() // the community and the deliveries' record too
		s.ClearFaults()
		s.clearStubs()
		s.store.Clear()
		if err := seedStore(s.store, s.cfg.fixtures); err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		reply(http.StatusOK, map[string]any{})
	case "POST faults":
		var f adminFault
		if !decode(&f) {
			return
		}
		if f.Name == "" || f.RetryAfterSeconds > 1e6 || f.LatencyMs > 1e9 {
			fail(http.StatusBadRequest, "tribetest: a fault needs a name and at most 1e6 s of retryAfterSeconds and 1e9 ms of latencyMs; give the operation, root field or grant it applies to, or \"*\"")
			return
		}
		err := s.Fail(f.Name, Fault{
			Status: f.Status, Body: f.Body, Truncate: f.Truncate, NonJSON: f.NonJSON, Drop: f.Drop, Times: f.Times,
			RetryAfter: time.Duration(f.RetryAfterSeconds * float64(time.Second)),
			Latency:    time.Duration(f.LatencyMs * float64(time.Millisecond)),
		})
		if err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		reply(http.StatusOK, map[string]any{"pending": s.PendingFaults(f.Name)})
	case "GET faults":
		reply(http.StatusOK, map[string]any{"pending": s.PendingFaults(r.URL.Query().Get("name"))})
	case "DELETE faults":
		s.ClearFaults()
		reply(http.StatusOK, map[string]any{})
	case "POST advance":
		var a struct {
			Seconds float64 `json:"seconds"`
		}
		if !decode(&a) {
			return
		}
		const most = 100 * 365 * 24 * time.Hour
		if !(a.Seconds >= 0 && a.Seconds <= most.Seconds()) || time.Duration(a.Seconds*float64(time.Second))+time.Duration(s.offset.Load()) > most {
			fail(http.StatusBadRequest, "tribetest: seconds is negative, or moves the clock more than 100 years ahead in all; give the seconds to move the clock forward by")
			return
		}
		s.Advance(time.Duration(a.Seconds * float64(time.Second)))
		reply(http.StatusOK, map[string]any{"now": s.Now().UTC().Format(time.RFC3339Nano)})
	case "POST objects":
		var in struct {
			adminObject
			Objects map[string][]map[string]any `json:"objects"`
		}
		if !decode(&in) {
			return
		}
		var objs []adminObject
		if in.Type != "" || in.ID != "" {
			objs = append(objs, in.adminObject)
		}
		for _, typ := range slices.Sorted(maps.Keys(in.Objects)) {
			for _, o := range in.Objects[typ] {
				id, _ := o["id"].(string)
				objs = append(objs, adminObject{Type: typ, ID: id, Value: o})
			}
		}
		if len(objs) == 0 {
			fail(http.StatusBadRequest, "tribetest: no object to store; give type, id and value, or objects")
			return
		}
		for _, o := range objs {
			if err := s.store.Set(o.Type, o.ID, o.Value); err != nil {
				fail(http.StatusBadRequest, err.Error())
				return
			}
		}
		reply(http.StatusOK, map[string]any{"stored": len(objs)})
	case "DELETE objects":
		s.store.Clear()
		reply(http.StatusOK, map[string]any{})
	case "GET objects/*", "DELETE objects/*":
		typ, id, hasID := strings.Cut(path, "/")
		switch {
		case r.Method == http.MethodDelete && hasID:
			s.store.Delete(typ, id)
			reply(http.StatusOK, map[string]any{})
		case r.Method == http.MethodDelete:
			fail(http.StatusMethodNotAllowed, "tribetest: DELETE an object at /__admin/objects/{type}/{id}, or all at /__admin/objects")
		case !hasID:
			ids := s.store.IDs(typ)
			if ids == nil {
				ids = []string{}
			}
			reply(http.StatusOK, map[string]any{"type": typ, "ids": ids})
		default:
			v, ok := s.store.Get(typ, id)
			if !ok {
				fail(http.StatusNotFound, "tribetest: no stored object of type "+clip(typ)+" with id "+clip(id)+"; store it first with POST /__admin/objects")
				return
			}
			reply(http.StatusOK, adminObject{Type: typ, ID: id, Value: v})
		}
	case "POST stubs":
		var st struct {
			Type  string `json:"type"`
			Field string `json:"field"`
			Value any    `json:"value"`
		}
		if !decode(&st) {
			return
		}
		if err := s.Stub(st.Type, st.Field, st.Value); err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		reply(http.StatusOK, map[string]any{})
	case "DELETE stubs":
		s.clearStubs()
		reply(http.StatusOK, map[string]any{})
	case "GET ", "GET deliveries", "POST deliveries/wait", "POST deliveries/duplicate", "POST webhook/test", "POST install", "POST uninstall":
		s.serveAdminApps(w, r, route, decode, reply, fail)
	default:
		known := []string{"requests", "counts", "reset", "faults", "advance", "objects", "stubs"}
		if slices.Contains(known, path) || strings.HasPrefix(r.URL.Path, adminPrefix+"objects/") {
			fail(http.StatusMethodNotAllowed, "tribetest: method "+clip(r.Method)+" is not allowed on "+clip(r.URL.Path)+"; see the package documentation for the admin API")
			return
		}
		fail(http.StatusNotFound, "tribetest: no admin endpoint "+clip(r.URL.Path)+"; see the package documentation for the admin API")
	}
}

// hostOnly is the host of a Host header, without port or brackets.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.Trim(h, "[]")
}

// checkAdminAddr refuses the admin API on a listener that is not on
// loopback.
func checkAdminAddr(addr net.Addr) error {
	tcp, ok := addr.(*net.TCPAddr)
	if ok && tcp.IP != nil && tcp.IP.IsLoopback() {
		return nil
	}
	return errors.New("tribetest: WithAdminAPI on a server listening on " + clip(addr.String()) + ", which is not loopback; listen on 127.0.0.1 or [::1] (the admin API changes the server's state and is for this machine only)")
}
