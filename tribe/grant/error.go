package grant

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/errctx"
	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe"
)

// RFC 6749 section 5.2 error codes a token endpoint answers with, the
// values of [Error.Code].
const (
	InvalidRequest       = "invalid_request"
	InvalidClient        = "invalid_client"
	InvalidGrant         = "invalid_grant"
	UnauthorizedClient   = "unauthorized_client"
	UnsupportedGrantType = "unsupported_grant_type"
	InvalidScope         = "invalid_scope"
	AccessDenied         = "access_denied"
)

// Error is a refusal from Tribe's v1 OAuth2 token endpoint (Tribe's v1 API
// reference, Authentication: Tribe Access Token): an RFC 6749 section 5.2
// error object, or a failure status with no such object. Its text is built
// from its fields, never from the raw response, and holds no secret,
// password or token.
//
// errors.Is maps it onto the sentinels of package tribe:
//   - invalid_client (wrong client id or secret) and invalid_grant (wrong
//     username or password, unknown user, or a refresh token that is
//     expired, revoked or already rotated away) match
//     [tribe.ErrUnauthorized]: the credentials were refused;
//   - access_denied and unauthorized_client (the client may not use this
//     grant, e.g. an IP allow-list) match [tribe.ErrForbidden];
//   - with no code, HTTP 401 matches [tribe.ErrUnauthorized] and 403
//     [tribe.ErrForbidden].
//
// Other codes (invalid_request, unsupported_grant_type, invalid_scope) match
// no sentinel; read Code.
type Error struct {
	// Grant is what was asked for, e.g. "password grant for ada".
	Grant string
	// Code is the RFC 6749 error code, e.g. "invalid_grant"; empty if the
	// server sent none.
	Code string
	// Description is the server's error_description, redacted.
	Description string
	// URI is the server's error_uri, if any, redacted.
	URI string
	// StatusCode is the HTTP status; 0 if unknown.
	StatusCode int
	// Body is a bounded, redacted piece of the response body, kept only
	// when the server sent no error code.
	Body string
}

// Error returns the grant, the code, the description and the status, with
// a hint at the likely fix for the common codes.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("grant: ")
	if e.Grant != "" {
		b.WriteString(e.Grant + ": ")
	}
	b.WriteString("the token endpoint refused the request")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(": " + plain(e.Code, " "))
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %q", e.Description)
	}
	if e.URI != "" {
		fmt.Fprintf(&b, " (see %s)", plain(e.URI, ""))
	}
	switch {
	case e.Code == InvalidClient:
		b.WriteString("; check the client id and secret")
	case e.Code == InvalidGrant:
		b.WriteString("; check the user's credentials or identifier, or sign in again if a refresh token was refused")
	case e.Code == UnauthorizedClient || e.Code == AccessDenied:
		b.WriteString("; this client may not use this grant here (is the request's IP address allowed?)")
	case e.Code == UnsupportedGrantType:
		b.WriteString("; the server does not offer this grant")
	case e.Code == "" && e.StatusCode == http.StatusUnauthorized:
		b.WriteString("; check the client id and secret")
	}
	if e.Code == "" && e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	return b.String()
}

// plain returns s as it is when it has only the characters RFC 6749
// section 5.2 allows in an error code or URI (printable ASCII other than
// space, double quote and backslash, and the characters of also), and
// quoted otherwise, so that a server cannot break a log line or forge text
// after it.
func plain(s, also string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') && !strings.ContainsRune(also, rune(c)) {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}

// Is reports whether the error is the one target stands for; see
// [Error].
func (e *Error) Is(target error) bool {
	switch target {
	case tribe.ErrUnauthorized:
		switch e.Code {
		case InvalidClient, InvalidGrant:
			return true
		case "":
			return e.StatusCode == http.StatusUnauthorized
		}
	case tribe.ErrForbidden:
		switch e.Code {
		case AccessDenied, UnauthorizedClient:
			return true
		case "":
			return e.StatusCode == http.StatusForbidden
		}
	}
	return false
}

// oauthError turns an error of x/oauth2 into this package's: an
// [*oauth2.RetrieveError] becomes an [*Error] (it is not kept, as its
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
	oe := &Error{
		Grant:       grant,
		Code:        redact.Body([]byte(re.ErrorCode), secrets...),
		Description: redact.Body([]byte(re.ErrorDescription), secrets...),
		URI:         redact.Body([]byte(re.ErrorURI), secrets...),
	}
	if re.Response != nil {
		oe.StatusCode = re.Response.StatusCode
	}
	if oe.Code == "" {
		oe.Body = redact.Body(re.Body, secrets...)
	}
	return oe
}

// scrub returns err, or, if an error reachable from it holds one of secrets
// or something credential-shaped, an error with that text redacted that
// still matches what err matches under errors.Is (see internal/redact).
func scrub(err error, secrets []string) error {
	return redact.Error(err, secrets...)
}

// RedirectError is a token endpoint's answer that redirected (HTTP 3xx).
// Token requests carry credentials in their body, so they never follow a
// redirect: nothing is sent to the target. Fix the token URL instead, to
// the address the redirect names if you trust it.
type RedirectError struct {
	StatusCode int    // the 3xx status
	Scheme     string // the target's scheme, e.g. "https"
	Host       string // the target's host and port; never its path or query
}

// Error names the status and the target's scheme and host.
func (e *RedirectError) Error() string {
	target := "elsewhere"
	if e.Host != "" {
		target = "to " + e.Scheme + "://" + e.Host
	}
	return fmt.Sprintf("grant: the token endpoint answered HTTP %d %s %s; token requests carry credentials and never follow a redirect: set Config.TokenURL (or Config.CommunityURL) to the final address",
		e.StatusCode, http.StatusText(e.StatusCode), target)
}

// wrapf returns err with what was being done, "grant: <what>: <err>", or
// nil for a nil err.
func wrapf(err error, format string, args ...any) error {
	return errctx.Wrapf("grant", err, format, args...)
}

// invalidf returns an invalid-input error, "grant: <what is wrong>; <how to
// fix it>", matching [tribe.ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("grant", tribe.ErrInvalidInput, format, args...)
}
