package crm

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/errctx"
	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/internal/redact"
)

// Sentinel errors. The errors this package returns wrap them, so test with
// [errors.Is]; the typed errors below carry the server's fields and are
// reached with [errors.As]. None of them holds a secret.
var (
	// ErrInvalidInput reports a configuration or argument refused before
	// any request was sent: an empty client ID or secret, a URL that is
	// not absolute http(s), a state shorter than 8 characters, and so on.
	// Such an error reads "crm: <what is wrong>; <how to fix it>", naming
	// the field or argument, and never holds a secret.
	ErrInvalidInput = errors.New("crm: invalid input")

	// ErrNoToken reports a [TokenStore] that holds no token yet; log in
	// (or run [Config.QuickSetup]) first.
	ErrNoToken = errors.New("crm: no token stored")

	// ErrNoRefreshToken reports a stored token that has expired and has
	// no refresh token to renew it with.
	ErrNoRefreshToken = errors.New("crm: token expired and has no refresh token")

	// ErrStateMissing reports an authorization redirect without a state
	// parameter (RFC 6749 section 4.1.2, 10.12).
	ErrStateMissing = errors.New("crm: state missing from authorization redirect")

	// ErrStateMismatch reports an authorization redirect whose state is not
	// the one sent: a possible cross-site request forgery (RFC 6749
	// section 10.12).
	ErrStateMismatch = errors.New("crm: state in authorization redirect does not match")

	// ErrCodeMissing reports an authorization redirect with neither a code
	// nor an error.
	ErrCodeMissing = errors.New("crm: authorization code missing from redirect")

	// ErrAccessDenied matches an [*AuthError] whose code is access_denied:
	// the user declined the consent screen.
	ErrAccessDenied = errors.New("crm: access denied")

	// ErrScopeNarrowed matches a [*ScopeError]: the CRM granted fewer
	// scopes than were asked for.
	ErrScopeNarrowed = errors.New("crm: granted scopes narrower than requested")

	// ErrInvalidGrant matches a [*TokenError] whose code is invalid_grant:
	// the code or refresh token is unknown, used, expired or revoked. For
	// a refresh token this means the user must authorize again.
	ErrInvalidGrant = errors.New("crm: invalid grant")

	// ErrUnauthorized matches an [*APIError] with HTTP status 401: the API
	// refused the access token.
	ErrUnauthorized = errors.New("crm: unauthorized")

	// ErrForbidden matches an [*APIError] with HTTP status 403.
	ErrForbidden = errors.New("crm: forbidden")
)

// invalidf returns an invalid-input error, "crm: <what is wrong>; <how to
// fix it>", matching [ErrInvalidInput]. format must not interpolate secrets.
func invalidf(format string, args ...any) error {
	return invalid.Errorf("crm", ErrInvalidInput, format, args...)
}

// Invalid-input errors more than one method returns, made fresh on each
// call (an *invalid.Error is a pointer: a shared one could be changed).
func errNilStore() error {
	return invalidf("the TokenStore is nil; pass one, such as crm.FileStore{Path: ...} or &crm.MemoryStore{}")
}

func errNilToken() error {
	return invalidf("the token to save is nil; pass the *oauth2.Token to keep")
}

func errEmptyPath() error {
	return invalidf("FileStore.Path is empty; set it to the token file's path, e.g. one under os.UserConfigDir()")
}

func errNilMemoryStore() error { return invalidf("the *MemoryStore is nil; use &crm.MemoryStore{}") }

// AuthError is an error redirect from the authorization endpoint
// (RFC 6749 section 4.1.2.1), such as error=access_denied when the user
// declines. It matches [ErrAccessDenied] for that code. An AuthError is
// immutable and safe for concurrent use.
type AuthError struct {
	// Code is the error parameter, e.g. "access_denied".
	Code string
	// Description is the error_description parameter, if any.
	Description string
	// URI is the error_uri parameter, if any.
	URI string
}

// Error implements error.
func (e *AuthError) Error() string {
	return errctx.Details("crm: authorization failed: "+e.Code, e.Description)
}

// Is reports whether target is [ErrAccessDenied] and e is an access_denied
// error.
func (e *AuthError) Is(target error) bool {
	return target == ErrAccessDenied && e.Code == "access_denied"
}

// ScopeError reports that the CRM granted fewer scopes than were requested
// (RFC 6749 section 3.3; the CRM's redirect carries the granted scope). It
// matches [ErrScopeNarrowed]. A ScopeError is safe for concurrent use.
type ScopeError struct {
	// Requested are the scopes asked for.
	Requested []string
	// Granted are the scopes the CRM reported as granted.
	Granted []string
	// Missing are the requested scopes that were not granted.
	Missing []string
}

// Error implements error.
func (e *ScopeError) Error() string {
	return fmt.Sprintf("crm: granted scopes narrower than requested: missing %q (granted %q)",
		strings.Join(e.Missing, " "), strings.Join(e.Granted, " "))
}

// Is reports whether target is [ErrScopeNarrowed].
func (e *ScopeError) Is(target error) bool { return target == ErrScopeNarrowed }

// missingScopes returns the scopes in requested that are not in granted.
func missingScopes(requested, granted []string) []string {
	var missing []string
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// TokenError is an error answer from the token endpoint (RFC 6749 section
// 5.2), with the server's fields. It matches [ErrInvalidGrant] when the code
// is invalid_grant. Its fields are redacted: a client secret, code, PKCE
// verifier, refresh or access token the server echoes, literally, URL-encoded
// or in base64, and anything shaped like a credential, reads
// "[REDACTED]". It keeps neither the response body nor golang.org/x/oauth2's
// *oauth2.RetrieveError, whose Body holds the server's raw text, so nothing
// unredacted can be reached from it. A TokenError is safe for concurrent use.
type TokenError struct {
	// Grant is the grant_type of the failed request: "client_credentials",
	// "authorization_code" or "refresh_token".
	Grant string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// ErrorCode is the error field, e.g. "invalid_grant".
	ErrorCode string
	// ErrorDescription is the error_description field, if any, redacted.
	ErrorDescription string
	// ErrorURI is the error_uri field, if any, redacted.
	ErrorURI string
}

// Error implements error.
func (e *TokenError) Error() string {
	return errctx.Details("crm: token request ("+e.Grant+") failed: "+errctx.HTTPStatus(e.StatusCode), e.ErrorCode, e.ErrorDescription)
}

// GoString keeps %#v to the server's fields.
func (e *TokenError) GoString() string {
	return fmt.Sprintf("&crm.TokenError{Grant:%q, StatusCode:%d, ErrorCode:%q, ErrorDescription:%q, ErrorURI:%q}",
		e.Grant, e.StatusCode, e.ErrorCode, e.ErrorDescription, e.ErrorURI)
}

// Is reports whether target is [ErrInvalidGrant] and e is an invalid_grant
// error.
func (e *TokenError) Is(target error) bool {
	return target == ErrInvalidGrant && e.ErrorCode == "invalid_grant"
}

// RedirectError reports a 3xx answer to a request this package does not let
// follow a redirect: a token request, whose form holds the client secret and
// a code, verifier or refresh token (RFC 9700 section 4.11). Nothing was sent
// to the redirect's target. Only the target's scheme and host are kept, never
// its path, query or user information. A RedirectError is safe for concurrent
// use.
type RedirectError struct {
	// Op names the request, e.g. "token request (refresh_token)".
	Op string
	// StatusCode is the HTTP status of the response, e.g. 307.
	StatusCode int
	// Scheme is the scheme of the Location the server named, if any.
	Scheme string
	// Host is the host (and port) of the Location the server named, if any.
	Host string
}

// Error implements error.
func (e *RedirectError) Error() string {
	s := "crm: " + e.Op + " answered " + errctx.HTTPStatus(e.StatusCode)
	if e.Host != "" {
		s += fmt.Sprintf(" to %s://%s", e.Scheme, e.Host)
	}
	return s + "; redirects are not followed, so the credentials were not sent again: set the endpoint URL to the final address"
}

// redirectError builds the error for a 3xx answer to op. secrets are
// removed from the target's host, in case the server put one there.
func redirectError(op string, resp *http.Response, secrets ...string) *RedirectError {
	e := &RedirectError{Op: op, StatusCode: resp.StatusCode}
	if loc, err := resp.Location(); err == nil {
		e.Scheme = redact.String(loc.Scheme, secrets...)
		e.Host = redact.String(loc.Host, secrets...)
	}
	return e
}

// tokenError turns an error from golang.org/x/oauth2 into this package's
// error for the given grant, with secrets (the client secret and the code,
// verifier or refresh token sent) removed from everything it keeps.
func tokenError(grant string, err error, secrets ...string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 300 && re.Response.StatusCode < 400 {
			return redirectError("token request ("+grant+")", re.Response, secrets...)
		}
		te := &TokenError{
			Grant:            grant,
			ErrorCode:        redact.String(re.ErrorCode, secrets...),
			ErrorDescription: redact.Bounded([]byte(re.ErrorDescription), maxMessage, secrets...),
			ErrorURI:         redact.String(re.ErrorURI, secrets...),
		}
		if re.Response != nil {
			te.StatusCode = re.Response.StatusCode
		}
		return te
	}
	return fmt.Errorf("crm: token request (%s): %w", grant, redact.Error(err, secrets...))
}

// APIError is an error answer from the CRM's OData API: the HTTP status and,
// when the body is an OData error ({"error":{"code":…,"message":…}}), its
// fields. It matches [ErrUnauthorized] for status 401 and [ErrForbidden] for
// 403. An APIError is safe for concurrent use.
type APIError struct {
	// Op names the call, e.g. "GetCurrentEmployee".
	Op string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Code is the OData error code, if any.
	Code string
	// Message is the OData error message, if any, with the access token
	// and anything shaped like a credential replaced by "[REDACTED]".
	Message string
	// Target is the OData error target, if any.
	Target string
}

// Error implements error.
func (e *APIError) Error() string {
	return errctx.Details("crm: "+e.Op+": "+errctx.HTTPStatus(e.StatusCode), e.Code, e.Message)
}

// Is reports whether target is [ErrUnauthorized] and the status is 401, or
// target is [ErrForbidden] and the status is 403.
func (e *APIError) Is(target error) bool {
	return errctx.MatchStatus(target, e.StatusCode,
		errctx.Status{Code: http.StatusUnauthorized, Err: ErrUnauthorized},
		errctx.Status{Code: http.StatusForbidden, Err: ErrForbidden})
}
