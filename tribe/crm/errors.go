package crm

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// Sentinel errors. The errors this package returns wrap them, so test with
// [errors.Is]; the typed errors below carry the server's fields and are
// reached with [errors.As]. None of them holds a secret.
var (
	// ErrInvalidInput reports a configuration or argument refused before
	// any request was sent: an empty client ID or secret, a URL that is
	// not absolute http(s), a state shorter than 8 characters, and so on.
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

// invalid returns an error wrapping [ErrInvalidInput]. format must not
// interpolate secrets.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidInput}, args...)...)
}

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
	s := "crm: authorization failed: " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
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
// 5.2), with the server's fields. It wraps the [*oauth2.RetrieveError] that
// golang.org/x/oauth2 returned, and matches [ErrInvalidGrant] when the code is
// invalid_grant. Its text never includes the response body or any credential.
// A TokenError is safe for concurrent use.
type TokenError struct {
	// Grant is the grant_type of the failed request: "client_credentials",
	// "authorization_code" or "refresh_token".
	Grant string
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// ErrorCode is the error field, e.g. "invalid_grant".
	ErrorCode string
	// ErrorDescription is the error_description field, if any.
	ErrorDescription string
	// ErrorURI is the error_uri field, if any.
	ErrorURI string

	err *oauth2.RetrieveError
}

// Error implements error.
func (e *TokenError) Error() string {
	s := fmt.Sprintf("crm: token request (%s) failed: %d %s", e.Grant, e.StatusCode, http.StatusText(e.StatusCode))
	if e.ErrorCode != "" {
		s += ": " + e.ErrorCode
	}
	if e.ErrorDescription != "" {
		s += ": " + e.ErrorDescription
	}
	return s
}

// GoString keeps %#v to the server's fields.
func (e *TokenError) GoString() string {
	return fmt.Sprintf("&crm.TokenError{Grant:%q, StatusCode:%d, ErrorCode:%q, ErrorDescription:%q, ErrorURI:%q}",
		e.Grant, e.StatusCode, e.ErrorCode, e.ErrorDescription, e.ErrorURI)
}

// Unwrap returns the underlying [*oauth2.RetrieveError].
func (e *TokenError) Unwrap() error {
	if e.err == nil {
		return nil
	}
	return e.err
}

// Is reports whether target is [ErrInvalidGrant] and e is an invalid_grant
// error.
func (e *TokenError) Is(target error) bool {
	return target == ErrInvalidGrant && e.ErrorCode == "invalid_grant"
}

// tokenError turns an error from golang.org/x/oauth2 into this package's
// error for the given grant.
func tokenError(grant string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		te := &TokenError{
			Grant:            grant,
			ErrorCode:        re.ErrorCode,
			ErrorDescription: re.ErrorDescription,
			ErrorURI:         re.ErrorURI,
			err:              re,
		}
		if re.Response != nil {
			te.StatusCode = re.Response.StatusCode
		}
		return te
	}
	return fmt.Errorf("crm: token request (%s): %w", grant, err)
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
	// Message is the OData error message, if any.
	Message string
	// Target is the OData error target, if any.
	Target string
}

// Error implements error.
func (e *APIError) Error() string {
	s := fmt.Sprintf("crm: %s: %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is reports whether target is [ErrUnauthorized] and the status is 401, or
// target is [ErrForbidden] and the status is 403.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	}
	return false
}
