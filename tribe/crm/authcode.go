package crm

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// MinStateLength is the shortest state the CRM accepts (at least 8
// characters, against cross-site request forgery). See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Step 1").
const MinStateLength = 8

// NewState returns a fresh random state for an authorization request: 26
// characters of base32 from crypto/rand (128 bits). It is safe for concurrent
// use.
func NewState() string { return rand.Text() }

// AuthCodeOption adds an optional parameter to a consent URL built by
// [Config.AuthCodeURL] or [Config.NewAuthRequest]. Options are immutable and
// safe for concurrent use.
type AuthCodeOption func(*authCodeOptions)

type authCodeOptions struct {
	organizationID string
	verifier       string
}

// WithCodeVerifier applies PKCE (RFC 7636) with the given code verifier: in
// [Config.AuthCodeURL] it sends code_challenge (its S256 hash) and
// code_challenge_method=S256; in [Config.Exchange] it sends code_verifier.
// Use the verifier of the [AuthRequest] ([AuthRequest.CodeVerifier]), or one
// from [NewCodeVerifier]. An empty verifier sends nothing.
func WithCodeVerifier(verifier string) AuthCodeOption {
	return func(o *authCodeOptions) { o.verifier = verifier }
}

// NewCodeVerifier returns a fresh PKCE code verifier (RFC 7636 section 4.1):
// 43 characters of the unreserved set, 256 bits from crypto/rand. It is safe
// for concurrent use.
func NewCodeVerifier() string { return oauth2.GenerateVerifier() }

// checkVerifier refuses a code verifier RFC 7636 section 4.1 does not allow,
// without showing it.
func checkVerifier(v string) error {
	if len(v) < 43 || len(v) > 128 {
		return invalidf("PKCE code verifier has %d characters, and RFC 7636 section 4.1 requires 43 to 128; make one with crm.NewCodeVerifier", len(v))
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return invalidf("PKCE code verifier holds a character outside A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1); make one with crm.NewCodeVerifier")
		}
	}
	return nil
}

// WithOrganizationID sends organization_id, the UUID of the Tribe
// organisation the user should authorize for. See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Step 1").
func WithOrganizationID(id string) AuthCodeOption {
	return func(o *authCodeOptions) { o.organizationID = id }
}

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal form of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// AuthCodeURL returns the consent URL to send the user's browser to:
// c.Endpoint.AuthURL with client_id, redirect_uri, response_type=code, scope,
// state, organization_id if given, and code_challenge and
// code_challenge_method=S256 if [WithCodeVerifier] is given. See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Step 1"),
// RFC 6749 section 4.1.1 and RFC 7636 section 4.3.
//
// It needs ClientID, RedirectURL and at least one scope, and refuses a state
// shorter than [MinStateLength] or an organization ID that is not a UUID.
// Most callers use [Config.NewAuthRequest], which makes the state too.
func (c *Config) AuthCodeURL(state string, opts ...AuthCodeOption) (string, error) {
	if err := c.check(needAuthURL | needRedirect); err != nil {
		return "", err
	}
	if len(c.Scopes) == 0 {
		return "", invalidf("Config.Scopes is empty, and the CRM requires a scope; set it, e.g. to []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}")
	}
	if len(state) < MinStateLength {
		return "", invalidf("state has %d characters, and the CRM requires at least %d; make one with crm.NewState (or let Config.NewAuthRequest do it)", len(state), MinStateLength)
	}
	var o authCodeOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var params []oauth2.AuthCodeOption
	if o.organizationID != "" {
		if !isUUID(o.organizationID) {
			return "", invalidf("organization ID %q is not a UUID; give the organisation's UUID, 8-4-4-4-12 hexadecimal digits, or leave it out", o.organizationID)
		}
		params = append(params, oauth2.SetAuthURLParam("organization_id", o.organizationID))
	}
	if o.verifier != "" {
		if err := checkVerifier(o.verifier); err != nil {
			return "", err
		}
		params = append(params, oauth2.S256ChallengeOption(o.verifier))
	}
	return c.oauth2Config().AuthCodeURL(state, params...), nil
}

// AuthRequest is one authorization code round trip in progress: the consent
// URL to send the user to, and what to check the redirect against and
// exchange the code with. A web app keeps State, Scopes and CodeVerifier
// (e.g. in the user's server-side session; the verifier is a secret) and
// rebuilds an AuthRequest from them when the redirect arrives. Its String and
// GoString hide the verifier. An AuthRequest is safe for concurrent use if
// not modified.
type AuthRequest struct {
	// URL is the consent URL.
	URL string
	// State is the random state sent in URL.
	State string
	// Scopes are the scopes asked for.
	Scopes []string
	// CodeVerifier is the PKCE code verifier (RFC 7636) whose S256
	// challenge URL carries, or "" if [Config.DisablePKCE] is set. Pass it
	// to [Config.Exchange] with [WithCodeVerifier], or use
	// [AuthRequest.Exchange].
	CodeVerifier string
}

// String describes r without its code verifier.
func (r AuthRequest) String() string {
	v := "<none>"
	if r.CodeVerifier != "" {
		v = redact.Marker
	}
	return fmt.Sprintf("crm.AuthRequest{URL: %q, State: %q, Scopes: %q, CodeVerifier: %s}", r.URL, r.State, r.Scopes, v)
}

// GoString is String, so %#v hides the verifier too.
func (r AuthRequest) GoString() string { return r.String() }

// NewAuthRequest starts an authorization code flow: it makes a random state
// with [NewState], unless c.DisablePKCE a PKCE code verifier with
// [NewCodeVerifier], and the consent URL with [Config.AuthCodeURL].
func (c *Config) NewAuthRequest(opts ...AuthCodeOption) (*AuthRequest, error) {
	state := NewState()
	var verifier string
	if !c.DisablePKCE {
		verifier = NewCodeVerifier()
		opts = append(slices.Clone(opts), WithCodeVerifier(verifier))
	}
	u, err := c.AuthCodeURL(state, opts...)
	if err != nil {
		return nil, err
	}
	return &AuthRequest{URL: u, State: state, Scopes: slices.Clone(c.Scopes), CodeVerifier: verifier}, nil
}

// Exchange trades the code of cb, a callback of r, for a token with
// [Config.Exchange], sending r's code verifier if it has one.
func (r *AuthRequest) Exchange(ctx context.Context, c *Config, cb *Callback) (*oauth2.Token, error) {
	if r == nil {
		return nil, invalidf("the *AuthRequest is nil; exchange with the AuthRequest Config.NewAuthRequest returned")
	}
	if cb == nil {
		return nil, invalidf("the *Callback is nil; pass the one AuthRequest.ParseCallback returned")
	}
	return c.Exchange(ctx, cb.Code, WithCodeVerifier(r.CodeVerifier))
}

// Callback is what an accepted authorization redirect carried (RFC 6749
// section 4.1.2). Its String and GoString hide the code. A Callback is a plain
// value, safe for concurrent use if not modified.
type Callback struct {
	// Code is the single-use authorization code, for [Config.Exchange].
	Code string
	// Scopes are the scopes the CRM granted.
	Scopes []string
}

// String describes cb without the code.
func (cb Callback) String() string {
	return fmt.Sprintf("crm.Callback{Code: %s, Scopes: %q}", redact.Marker, cb.Scopes)
}

// GoString is String, so %#v hides the code too.
func (cb Callback) GoString() string { return cb.String() }

// ParseCallback checks the query of the redirect the CRM sent the browser to
// (RFC 6749 section 4.1.2; https://developer.tribecrm.nl/docs/api/concepts/authentication,
// "Step 2") and returns the code. In order, it reports:
//
//   - a missing state ([ErrStateMissing]) or one that differs from r.State,
//     compared in constant time ([ErrStateMismatch]);
//   - an error redirect as an [*AuthError] (error=access_denied matches
//     [ErrAccessDenied]);
//   - a missing code ([ErrCodeMissing]);
//   - granted scopes narrower than r.Scopes as a [*ScopeError] (matching
//     [ErrScopeNarrowed]). Then the Callback is returned too, so a caller
//     content with less may go on and exchange the code.
//
// A redirect without a scope parameter grants what was asked (RFC 6749
// section 5.1).
func (r *AuthRequest) ParseCallback(query url.Values) (*Callback, error) {
	if r == nil {
		return nil, invalidf("the *AuthRequest is nil; check the redirect with the AuthRequest Config.NewAuthRequest returned")
	}
	if len(r.State) < MinStateLength {
		return nil, invalidf("AuthRequest.State has %d characters, fewer than %d; set it to the state the consent URL sent (AuthRequest.State from Config.NewAuthRequest)", len(r.State), MinStateLength)
	}
	got := query.Get("state")
	if got == "" {
		return nil, ErrStateMissing
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(r.State)) != 1 {
		return nil, ErrStateMismatch
	}
	if code := query.Get("error"); code != "" {
		return nil, &AuthError{
			Code:        code,
			Description: query.Get("error_description"),
			URI:         query.Get("error_uri"),
		}
	}
	cb := &Callback{Code: query.Get("code"), Scopes: slices.Clone(r.Scopes)}
	if cb.Code == "" {
		return nil, ErrCodeMissing
	}
	if _, ok := query["scope"]; ok {
		cb.Scopes = strings.Fields(query.Get("scope"))
	}
	if missing := missingScopes(r.Scopes, cb.Scopes); len(missing) > 0 {
		return cb, &ScopeError{Requested: slices.Clone(r.Scopes), Granted: slices.Clone(cb.Scopes), Missing: missing}
	}
	return cb, nil
}

// Exchange trades an authorization code for a token (grant_type
// authorization_code, with the redirect_uri, and code_verifier if
// [WithCodeVerifier] is given: PKCE, RFC 7636 section 4.5). See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Step 3")
// and RFC 6749 section 4.1.3. It needs ClientID, ClientSecret and
// RedirectURL. Errors from the token endpoint are a [*TokenError], a redirect
// a [*RedirectError]. [WithOrganizationID] has no effect here.
//
// The token's refresh token is the only way back in without the user: give
// it to a [TokenStore] before anything else.
func (c *Config) Exchange(ctx context.Context, code string, opts ...AuthCodeOption) (*oauth2.Token, error) {
	if err := c.check(needSecret | needTokenURL | needRedirect); err != nil {
		return nil, err
	}
	if code == "" {
		return nil, invalidf("authorization code is empty; pass the code of the redirect, Callback.Code from AuthRequest.ParseCallback")
	}
	var o authCodeOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var params []oauth2.AuthCodeOption
	if o.verifier != "" {
		if err := checkVerifier(o.verifier); err != nil {
			return nil, err
		}
		params = append(params, oauth2.VerifierOption(o.verifier))
	}
	tctx, timeout := c.tokenContext(ctx)
	start := time.Now()
	tok, err := c.oauth2Config().Exchange(tctx, code, params...)
	if err != nil {
		err = explainTimeout(ctx, err, start, timeout)
		return nil, tokenError("authorization_code", err, c.ClientSecret, code, o.verifier)
	}
	return tok, nil
}
