package tribetest

import (
	"io"
	"log"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/tribekit/tribekit/internal/redact"
)

// AuthKind is how a request authenticated, as [Request.Auth] records it.
// A string, safe to copy and compare.
type AuthKind string

// The kinds of [AuthKind]. A request records the kind it presented, whether
// or not the credentials turned out valid.
const (
	// AuthNone is a request without credentials.
	AuthNone AuthKind = "none"
	// AuthBasic is an app's client id and secret (RFC 7617), in the
	// Authorization header or, on the OAuth endpoint, in the form.
	AuthBasic AuthKind = "basic"
	// AuthBearer is a Bearer token of this server, or one that failed to
	// verify.
	AuthBearer AuthKind = "bearer"
	// AuthJWTPassthrough is a product's own JWT.
	AuthJWTPassthrough AuthKind = "jwt-passthrough"
)

// Request is the record of one request the server answered. Secrets are
// never recorded: no client secret or assertion, password, authorization
// code, access or refresh token.
// A Request returned by [Server.Requests] is the caller's copy: plain data,
// not shared with the server.
type Request struct {
	Time   time.Time // by the server's clock, see [Server.Now]
	Method string
	Path   string
	// OperationName and Fields are the GraphQL operation's name ("" if
	// anonymous) and its root fields (after @skip/@include, without
	// aliases, each once, in order).
	OperationName string
	Fields        []string
	// Grant is the OAuth grant_type.
	Grant string
	// Auth is the kind of credentials presented.
	Auth AuthKind
	// ClientID is the app's client id, when presented (valid or not).
	ClientID string
	// MemberID and NetworkID are who the request acted as (a valid
	// Bearer token), or whom the token it minted is for (limitedToken,
	// OAuth).
	MemberID  string
	NetworkID string
	// Variables are the GraphQL variables as sent. Params are the OAuth
	// form parameters (first value of each). In both, the value of any
	// name (of a parameter, a variable or a member of an object in one)
	// that mentions a secret, password, token or assertion, such as
	// client_secret, refresh_token or client_assertion, and of those
	// named authorization, code or code_verifier, in any case, is
	// replaced by "[REDACTED]".
	Variables map[string]any
	Params    map[string]string
	// Status is the HTTP status answered (0 if the connection was dropped
	// or the request abandoned).
	Status int
	// ErrorCodes are the Tribe codes of the GraphQL errors answered, or the
	// OAuth error code.
	ErrorCodes []string
	// Fault describes the injected fault, if any, e.g. "status 503".
	Fault string
	// Duration is how long the server took to answer (real time).
	Duration time.Duration
}

// redactParams keeps the first value of each form parameter, redacting
// those whose names may hold secrets (redact.SecretName).
func redactParams(form url.Values) map[string]string {
	out := make(map[string]string, len(form))
	for k, v := range form {
		switch {
		case redact.SecretName(k):
			out[k] = redact.Marker
		case len(v) > 0:
			out[k] = v[0]
		default:
			out[k] = ""
		}
	}
	return out
}

// recordVariables is the variables of a request as the record keeps them:
// vars itself when it is flat (scalars only) with no secret among its
// names, a copy without secrets otherwise. The record only reads them,
// and Requests hands out copies.
func recordVariables(vars map[string]any) map[string]any {
	for k, v := range vars {
		switch v.(type) {
		case map[string]any, []any:
			return redactJSON(vars).(map[string]any)
		}
		if redact.SecretName(k) {
			return redactJSON(vars).(map[string]any)
		}
	}
	return vars
}

// redactJSON deep-copies a decoded JSON value, redacting object members
// whose names may hold secrets (redact.SecretName).
func redactJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			if redact.SecretName(k) {
				out[k] = redact.Marker
			} else {
				out[k] = redactJSON(v)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = redactJSON(v)
		}
		return out
	}
	return v
}

// finish records rec and counts it.
func (s *Server) finish(rec *Request, d time.Duration) {
	rec.Duration = d
	s.mu.Lock()
	if s.cfg.recordLimit > 0 {
		s.records = append(s.records, *rec)
		if n := s.cfg.recordLimit; len(s.records) >= 2*n {
			// The latest n, with room for n more: the record is
			// copied once every n requests, and never grown.
			kept := make([]Request, n, 2*n)
			copy(kept, s.records[len(s.records)-n:])
			s.records = kept
		}
	}
	if rec.OperationName != "" {
		s.counts[rec.OperationName]++
	}
	for _, f := range rec.Fields {
		if f != rec.OperationName {
			s.counts[f]++
		}
	}
	if rec.Grant != "" {
		s.grants[rec.Grant]++
	}
	s.mu.Unlock()
	if l := s.cfg.logger; l != nil {
		l.LogAttrs(s.ctx, slog.LevelInfo, "tribetest request",
			slog.String("method", rec.Method), slog.String("path", rec.Path),
			slog.Int("status", rec.Status), slog.String("operation", rec.OperationName),
			slog.Any("fields", rec.Fields), slog.String("grant", rec.Grant),
			slog.String("auth", string(rec.Auth)), slog.String("fault", rec.Fault),
			slog.Duration("duration", d))
	}
}

// Requests returns a copy of the record of the requests answered since the
// start or the last [Server.Reset], oldest first (at most the latest
// [WithRecordLimit] of them). A request is recorded, and counted, before
// its answer is sent or its connection dropped, so a client that has its
// answer finds it here. Safe for concurrent use.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	recs := s.records
	if n := s.cfg.recordLimit; len(recs) > n {
		recs = recs[len(recs)-n:]
	}
	out := make([]Request, len(recs))
	for i, r := range recs {
		r.Fields = slices.Clone(r.Fields)
		r.ErrorCodes = slices.Clone(r.ErrorCodes)
		r.Params = maps.Clone(r.Params)
		if r.Variables != nil {
			r.Variables = redactJSON(r.Variables).(map[string]any)
		}
		out[i] = r
	}
	s.mu.Unlock()
	return out
}

// Count is the number of requests since the start or the last
// [Server.Reset] whose GraphQL operation name or one of whose root fields
// is name (e.g. "limitedToken", "authMember"), whatever their outcome. A
// request counts once even when both match. Safe for concurrent use.
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

// GrantCount is the number of OAuth token requests with grant_type grant
// (e.g. "password", "refresh_token", "tribe:client_secret_credentials")
// since the start or the last [Server.Reset], whatever their outcome. Safe
// for concurrent use.
func (s *Server) GrantCount(grant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grant]
}

// Reset clears the request record, the counts, the rate-limit windows and
// the record of deliveries, and puts Tribe's objects (posts, spaces,
// members' profiles, apps' settings) back as the fixtures have them.
// Tokens and pending faults stay. Safe for concurrent use.
func (s *Server) Reset() {
	s.resetCommunity()
	s.disp.ClearRecord()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = nil
	clear(s.counts)
	clear(s.grants)
	s.rates.reset()
}

// errorLog is the http.Server's error log: the Logger's, at level warn,
// or none.
func (s *Server) errorLog() *log.Logger {
	if s.cfg.logger != nil {
		return slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelWarn)
	}
	return log.New(io.Discard, "", 0)
}
