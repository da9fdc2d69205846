package tribe

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// RFC 6749 section 5.2 error codes a token endpoint answers with.
const (
	OAuthInvalidRequest       = "invalid_request"
	OAuthInvalidClient        = "invalid_client"
	OAuthInvalidGrant         = "invalid_grant"
	OAuthUnauthorizedClient   = "unauthorized_client"
	OAuthUnsupportedGrantType = "unsupported_grant_type"
	OAuthInvalidScope         = "invalid_scope"
	OAuthAccessDenied         = "access_denied"
)

// OAuthError is a refusal from Tribe's v1 OAuth2 token endpoint
// (TRIBE_API.md section 4): an RFC 6749 section 5.2 error object, or a
// failure status with no such object. Its text is built from its fields,
// never from the raw response, and holds no secret, password or token.
//
// errors.Is maps it onto this package's sentinels:
//   - invalid_client (wrong client id or secret) and invalid_grant (wrong
//     username or password, unknown user, or a refresh token that is
//     expired, revoked or already rotated away) match [ErrUnauthorized]:
//     the credentials were refused;
//   - access_denied and unauthorized_client (the client may not use this
//     grant, e.g. an IP allow-list) match [ErrForbidden];
//   - with no code, HTTP 401 matches [ErrUnauthorized] and 403 [ErrForbidden].
//
// Other codes (invalid_request, unsupported_grant_type, invalid_scope) match
// no sentinel; read Code.
type OAuthError struct {
	// Grant is what was asked for, e.g. "password grant".
	Grant string
	// Code is the RFC 6749 error code, e.g. "invalid_grant"; empty if the
	// server sent none.
	Code string
	// Description is the server's error_description, redacted.
	Description string
	// URI is the server's error_uri, if any.
	URI string
	// StatusCode is the HTTP status; 0 if unknown.
	StatusCode int
	// Body is a bounded, redacted piece of the response body, kept only
	// when the server sent no error code.
	Body string
}

// Error returns the grant, the code, the description and the status, with
// a hint at the likely fix for the common codes.
func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("tribe: ")
	if e.Grant != "" {
		b.WriteString(e.Grant + ": ")
	}
	b.WriteString("the token endpoint refused the request")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %q", e.Description)
	}
	if e.URI != "" {
		fmt.Fprintf(&b, " (see %s)", e.URI)
	}
	switch {
	case e.Code == OAuthInvalidClient:
		b.WriteString("; check the client id and secret")
	case e.Code == OAuthInvalidGrant:
		b.WriteString("; check the user's credentials or identifier, or sign in again if a refresh token was refused")
	case e.Code == OAuthUnauthorizedClient || e.Code == OAuthAccessDenied:
		b.WriteString("; this client may not use this grant here (is the request's IP address allowed?)")
	case e.Code == OAuthUnsupportedGrantType:
		b.WriteString("; the server does not offer this grant")
	case e.Code == "" && e.StatusCode == http.StatusUnauthorized:
		b.WriteString("; check the client id and secret")
	}
	if e.Code == "" && e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	return b.String()
}

// Is reports whether the error is the one target stands for; see
// [OAuthError].
func (e *OAuthError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		switch e.Code {
		case OAuthInvalidClient, OAuthInvalidGrant:
			return true
		case "":
			return e.StatusCode == http.StatusUnauthorized
		}
	case ErrForbidden:
		switch e.Code {
		case OAuthAccessDenied, OAuthUnauthorizedClient:
			return true
		case "":
			return e.StatusCode == http.StatusForbidden
		}
	}
	return false
}

// oauthError turns an error of x/oauth2 into this package's: an
// [*oauth2.RetrieveError] becomes an [*OAuthError] (it is not kept, as its
// text holds the raw body), anything else is wrapped with what was being
// done. secrets are removed from whatever server text is kept.
func oauthError(err error, grant string, secrets ...string) error {
	if err == nil {
		return nil
	}
	if rd, ok := errors.AsType[*RedirectError](err); ok {
		return wrapf(rd, "%s", grant) // not the *url.Error around it
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return wrapf(scrub(err, secrets), "%s", grant)
	}
	if re.Response != nil && re.Response.StatusCode >= 300 && re.Response.StatusCode < 400 {
		// A 3xx that the client did not follow (no Location): still a
		// redirect, and no token.
		rd := &RedirectError{StatusCode: re.Response.StatusCode}
		if loc, err := re.Response.Location(); err == nil {
			rd.Scheme, rd.Host = loc.Scheme, loc.Host
		}
		return wrapf(rd, "%s", grant)
	}
	oe := &OAuthError{
		Grant:       grant,
		Code:        redactBody([]byte(re.ErrorCode), secrets...),
		Description: redactBody([]byte(re.ErrorDescription), secrets...),
		URI:         redactBody([]byte(re.ErrorURI), secrets...),
	}
	if re.Response != nil {
		oe.StatusCode = re.Response.StatusCode
	}
	if oe.Code == "" {
		oe.Body = redactBody(re.Body, secrets...)
	}
	return oe
}

// scrub returns err, or, if an error reachable from it holds one of secrets
// or something credential-shaped, an error with that text redacted that
// still matches what err matches under errors.Is (see internal/redact).
func scrub(err error, secrets []string) error {
	return redact.Error(err, secrets...)
}
