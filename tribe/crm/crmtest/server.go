// Package crmtest provides an in-process mock of Tribe CRM's OAuth 2.0 server
// and OData API, in the manner of net/http/httptest, for testing code that
// uses package crm (or any Tribe CRM client) without the network.
//
// # Where to start
//
// Start a [Server] with [NewServer] and Close it when the test ends. Point a
// crm.Config at it with Endpoint: srv.Endpoint(), HTTPClient: srv.Client(),
// ClientID [DefaultClientID], ClientSecret [DefaultClientSecret] and
// RedirectURL [DefaultRedirectURL] (or [LoopbackRedirectURL], any port, for
// crm.LoopbackLogin), and a crm.Client at it with BaseURL: srv.URL. The
// server listens on 127.0.0.1 with plain http, which package crm accepts
// without AllowInsecureHTTP because the host is loopback. Options such as
// [WithRequirePKCE], [WithRevokeOnReuse], [WithAccessTokenLifetime] and
// [WithConsent] set the behaviour under test; [Server.Counts],
// [Server.LastAuthorization], [Server.LastUserAgents] and the token checks
// ([Server.RefreshTokenActive], [Server.GrantRevoked]) tell what happened.
//
// # What it serves
//
// A [Server] serves, on one loopback address:
//
//   - GET /oauth2/auth, the consent endpoint, which checks client_id,
//     redirect_uri, response_type, state (at least 8 characters), scope and
//     organization_id, and a PKCE code_challenge (S256 only; required with
//     [WithRequirePKCE]) and, with no user to ask, consents at once: it
//     redirects (302) to redirect_uri with code, scope and state. [Consent]
//     makes it deny, grant less, or tamper with the state instead;
//   - POST /oauth2/token, the token endpoint, for client_credentials,
//     authorization_code (single-use codes bound to their redirect_uri and,
//     if the consent request had a code_challenge, to the matching
//     code_verifier, RFC 7636 section 4.6) and refresh_token (redirect_uri
//     required; each refresh token works once and is replaced by a new one;
//     with [WithRevokeOnReuse], reusing one revokes the grant, as RFC 9700
//     section 4.14.2 recommends), with 24-hour access tokens and RFC 6749
//     section 5.2 error bodies;
//   - GET /v1/odata/GetCurrentEmployee(), honouring $expand=Person (and
//     Relation), answering a missing, unknown or expired token with a 401
//     OData error.
//
// Its clock can be set and advanced; it counts requests for assertions.
// See https://developer.tribecrm.nl/docs/api/concepts/authentication for the
// behaviour it copies. The default app's credentials are public: a Server is
// for tests only.
package crmtest

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tribekit/tribekit/internal/loopback"
	"golang.org/x/oauth2"
)

// AccessTokenLifetime is how long the CRM's access tokens live: 24 hours
// (expires_in 86400). [WithAccessTokenLifetime] changes it for one server.
const AccessTokenLifetime = 24 * time.Hour

// CodeLifetime is how long an authorization code can be exchanged.
const CodeLifetime = 10 * time.Minute

// Server is a mock Tribe CRM. Create it with [NewServer] and Close it when
// done. All its methods are safe for concurrent use with each other and with
// the requests it serves; its state is behind one mutex.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:PORT, with no
	// trailing slash. It serves both the OAuth 2.0 endpoints and the API.
	URL string

	ts *httptest.Server

	mu          sync.Mutex
	clock       func() time.Time // WithClock, else time.Now
	now         time.Time        // frozen by SetTime or Advance; zero: clock
	lifetime    time.Duration
	apps        map[string]App
	employee    Employee
	consent     Consent
	codes       map[string]*grant
	refresh     map[string]*grant
	access      map[string]*grant
	failRefresh *failure
	counts      Counts
	last        Authorization
	agents      UserAgents

	requirePKCE   bool
	revokeOnReuse bool
	spent         map[string]string // used refresh token -> its family
	revoked       map[string]bool   // families revoked for reuse
	families      int
}

// grant is what a code or token stands for.
type grant struct {
	clientID    string
	redirectURL string
	scopes      []string
	expires     time.Time // zero: does not expire
	family      string    // the grant a refresh or access token descends from

	challenge string // PKCE (RFC 7636) S256 challenge of an authorization code
}

type failure struct {
	status int
	code   string
}

// Consent sets how the consent endpoint answers a valid request, standing in
// for the user and the CRM (RFC 6749 section 4.1.2). The zero value consents
// to everything asked. It is a plain value; the server keeps a copy.
type Consent struct {
	// Deny redirects with error=access_denied, as when the user declines.
	Deny bool
	// DenyDescription is the error_description sent with Deny; empty sends
	// a default one.
	DenyDescription string
	// GrantScopes, if not nil, limits the granted scopes to those of the
	// request that are also in GrantScopes.
	GrantScopes []string
	// TamperState changes the state in the redirect, as a forged redirect
	// would.
	TamperState bool
	// DropState leaves the state out of the redirect.
	DropState bool
	// DropCode leaves the code out of a successful redirect.
	DropCode bool
}

// Counts are the requests a [Server] has served, by kind, including failed
// ones: a snapshot from [Server.Counts].
type Counts struct {
	// Authorize counts GET /oauth2/auth.
	Authorize int
	// ClientCredentials counts token requests with that grant type.
	ClientCredentials int
	// AuthorizationCode counts token requests with that grant type.
	AuthorizationCode int
	// RefreshToken counts token requests with that grant type.
	RefreshToken int
	// TokenErrors counts token requests answered with an error.
	TokenErrors int
	// RefreshTokenReuse counts refresh requests with a refresh token that
	// had already been used (with [WithRevokeOnReuse], each revoked the
	// grant).
	RefreshTokenReuse int
	// GetCurrentEmployee counts GET /v1/odata/GetCurrentEmployee().
	GetCurrentEmployee int
}

// UserAgents are the User-Agent headers of the last requests a [Server]
// served, by kind: a snapshot from [Server.LastUserAgents]. A field is ""
// until such a request comes, or if it had no User-Agent.
type UserAgents struct {
	// Token is that of the last POST /oauth2/token.
	Token string
	// API is that of the last request under /v1/odata/.
	API string
}

// Authorization is what the last consent request asked for (RFC 6749 section
// 4.1.1): a snapshot from [Server.LastAuthorization].
type Authorization struct {
	// ClientID is the client_id parameter.
	ClientID string
	// RedirectURL is the redirect_uri parameter.
	RedirectURL string
	// ResponseType is the response_type parameter.
	ResponseType string
	// Scopes are the scope parameter's words.
	Scopes []string
	// State is the state parameter.
	State string
	// OrganizationID is the organization_id parameter.
	OrganizationID string
	// CodeChallenge is the code_challenge parameter (PKCE, RFC 7636).
	CodeChallenge string
	// CodeChallengeMethod is the code_challenge_method parameter.
	CodeChallengeMethod string
}

// NewServer starts a mock CRM on a loopback port with the default app
// ([DefaultApp]) and employee ([DefaultEmployee]), then applies opts. Like
// httptest.NewServer, and tribetest's constructors, it panics if it
// cannot: on an invalid option, with the option's error.
func NewServer(opts ...Option) *Server {
	c := config{
		lifetime: AccessTokenLifetime,
		apps:     map[string]App{DefaultClientID: DefaultApp()},
		employee: DefaultEmployee(),
		clock:    time.Now,
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&c); err != nil {
			panic(err)
		}
	}
	s := &Server{
		clock:         c.clock,
		now:           c.now,
		lifetime:      c.lifetime,
		apps:          c.apps,
		employee:      c.employee,
		consent:       c.consent,
		requirePKCE:   c.requirePKCE,
		revokeOnReuse: c.revokeOnReuse,
		codes:         map[string]*grant{},
		refresh:       map[string]*grant{},
		access:        map[string]*grant{},
		spent:         map[string]string{},
		revoked:       map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/auth", s.serveAuthorize)
	mux.HandleFunc("POST /oauth2/token", s.serveToken)
	mux.HandleFunc("GET /v1/odata/GetCurrentEmployee()", s.serveCurrentEmployee)
	mux.HandleFunc("/v1/odata/", s.serveODataNotFound)
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down, waiting for requests in flight.
func (s *Server) Close() { s.ts.Close() }

// Client returns an HTTP client for the server, closed with it.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AuthURL returns the consent endpoint's URL.
func (s *Server) AuthURL() string { return s.URL + "/oauth2/auth" }

// TokenURL returns the token endpoint's URL.
func (s *Server) TokenURL() string { return s.URL + "/oauth2/token" }

// Endpoint returns the server's endpoint for an oauth2 or crm Config, with
// client credentials in the form body as the CRM documents.
func (s *Server) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: s.AuthURL(), TokenURL: s.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
}

// String describes the server by its URL, without secrets.
func (s *Server) String() string { return fmt.Sprintf("crmtest.Server{URL: %q}", s.URL) }

// GoString is String, so %#v shows no secrets either.
func (s *Server) GoString() string { return s.String() }

// Now returns the server's time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time {
	if s.now.IsZero() {
		return s.clock()
	}
	return s.now
}

// SetTime freezes the server's clock at t.
func (s *Server) SetTime(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

// Advance moves the server's clock forward by d, freezing it first if it
// was following a clock (the real one, or [WithClock]'s). Codes and access tokens expire by this
// clock.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.nowLocked().Add(d)
}

// SetConsent sets how the consent endpoint answers from now on.
func (s *Server) SetConsent(c Consent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consent = c.clone()
}

// FailNextRefresh makes the next refresh_token request that passes client
// authentication fail with the given HTTP status and RFC 6749 error code
// (zero values mean 500 and "server_error"), without using up the refresh
// token.
func (s *Server) FailNextRefresh(status int, errorCode string) {
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if errorCode == "" {
		errorCode = "server_error"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRefresh = &failure{status: status, code: errorCode}
}

// IssueRefreshToken returns a new refresh token for the app, as the CRM's
// "Refresh token" menu item does for quick setup. redirectURL must be one
// of the app's and is the one refreshes must send; scopes default to read,
// write and offline.
func (s *Server) IssueRefreshToken(clientID, redirectURL string, scopes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[clientID]
	if !ok {
		return "", fmt.Errorf("crmtest: unknown client ID %q", clientID)
	}
	if !app.allows(redirectURL) {
		return "", fmt.Errorf("crmtest: redirect URL %q is not registered for %q", redirectURL, clientID)
	}
	if len(scopes) == 0 {
		scopes = []string{"read", "write", "offline"}
	}
	rt := newSecret("rt_")
	s.refresh[rt] = &grant{clientID: clientID, redirectURL: redirectURL, scopes: slices.Clone(scopes), family: s.newFamilyLocked()}
	return rt, nil
}

// newFamilyLocked names a new grant; s.mu is held.
func (s *Server) newFamilyLocked() string {
	s.families++
	return fmt.Sprintf("grant-%d", s.families)
}

// GrantRevoked reports whether the grant rt belongs to (rt may be spent) was
// revoked because a refresh token of it was reused (see
// [WithRevokeOnReuse]).
func (s *Server) GrantRevoked(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fam, ok := s.spent[rt]; ok {
		return s.revoked[fam]
	}
	if g, ok := s.refresh[rt]; ok {
		return s.revoked[g.family]
	}
	return false
}

// RefreshTokenActive reports whether rt can still be used.
func (s *Server) RefreshTokenActive(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refresh[rt]
	return ok
}

// AccessTokenActive reports whether at is a known access token that has not
// expired by the server's clock.
func (s *Server) AccessTokenActive(at string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.access[at]
	return ok && s.nowLocked().Before(g.expires)
}

// Counts returns the requests served so far.
func (s *Server) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// LastUserAgents returns the User-Agent headers of the last token request
// and the last API request: the client sends them, unlike the consent
// request, which comes from the user's browser.
func (s *Server) LastUserAgents() UserAgents {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.agents
}

// LastAuthorization returns what the last consent request asked for.
func (s *Server) LastAuthorization() Authorization {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.last
	a.Scopes = slices.Clone(a.Scopes)
	return a
}

func (c Consent) clone() Consent {
	if c.GrantScopes != nil {
		c.GrantScopes = slices.Clone(c.GrantScopes)
	}
	return c
}

// allows reports whether redirect is registered for the app. A registered
// loopback http URL without a port matches any port (RFC 8252 section 7.3).
func (a App) allows(redirect string) bool {
	if redirect == "" {
		return false
	}
	if slices.Contains(a.RedirectURLs, redirect) {
		return true
	}
	got, err := url.Parse(redirect)
	if err != nil {
		return false
	}
	for _, r := range a.RedirectURLs {
		reg, err := url.Parse(r)
		if err != nil || reg.Scheme != "http" || reg.Port() != "" || !loopback.Host(reg.Hostname()) {
			continue
		}
		if got.Scheme == "http" && got.Hostname() == reg.Hostname() && got.Path == reg.Path && got.RawQuery == reg.RawQuery {
			return true
		}
	}
	return false
}

// newSecret returns a random token with a prefix that tells its kind.
func newSecret(prefix string) string { return prefix + strings.ToLower(rand.Text()) }
