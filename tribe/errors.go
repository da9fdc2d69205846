package tribe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tribekit/tribekit/internal/errctx"
	"github.com/tribekit/tribekit/internal/invalid"
)

// Sentinel errors. Errors returned by this package wrap them, so test with
// errors.Is. A wrong client id or secret matches [ErrUnauthorized] only,
// never [ErrInvalidToken], whatever code the server answers it with.
var (
	// ErrUnauthorized: the server refused the credentials at the HTTP level
	// (status 401): for limitedToken, a wrong client id or secret.
	ErrUnauthorized = errors.New("tribe: unauthorized")
	// ErrForbidden: Tribe's permission error (code "102", "Forbidden"), for
	// instance an app that is not published and installed on the community
	// (https://developers.bettermode.com/docs/guide/graphql/authentication/app), or HTTP 403.
	ErrForbidden = errors.New("tribe: forbidden")
	// ErrInvalidToken: the access token is invalid, expired or revoked
	// (code "108").
	ErrInvalidToken = errors.New("tribe: invalid access token")
	// ErrNotFound: the resource does not exist (code "110"), for instance an
	// unknown member to impersonate.
	ErrNotFound = errors.New("tribe: not found")
	// ErrUntrustedGateway: the gatewayUrl a mint returned breaks the rule
	// for where a token may be sent (see [App.CheckGateway]); no token was
	// sent to it.
	ErrUntrustedGateway = errors.New("tribe: untrusted gatewayUrl")
	// ErrInvalidInput: the call's input was refused before any request was
	// sent; the message says what is wrong and how to fix it.
	ErrInvalidInput = errors.New("tribe: invalid input")
)

// Tribe's error codes (the error codes of Tribe's official client, @tribeplatform/gql-client) that map to sentinels.
const (
	CodeForbidden    = "102"
	CodeInvalidToken = "108"
	CodeNotFound     = "110"
)

// GraphQLError is one error object of a GraphQL response. Code is Tribe's
// string code, read from the error object's top level or, failing that, from
// its extensions (the error codes of Tribe's official client, @tribeplatform/gql-client). errors.Is matches it against
// [ErrForbidden], [ErrInvalidToken] and [ErrNotFound] by code.
type GraphQLError struct {
	Code       string         // Tribe's code, e.g. "102"; empty if none
	Message    string         // the server's message
	Path       []any          // response path: field names (string) and list indexes (int)
	Locations  []Location     // places in the query text
	Extensions map[string]any // the error's extensions, as sent

	// basicAuth: the request carried client credentials, not a token.
	basicAuth bool
}

// Location is a place in a GraphQL query text, 1-based.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Error returns the message, the code and the path.
func (e *GraphQLError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if b.Len() == 0 {
		b.WriteString("error")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", e.Code)
	}
	if len(e.Path) > 0 {
		b.WriteString(" at ")
		for i, p := range e.Path {
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, p)
		}
	}
	return b.String()
}

// Is reports whether the error's code is the one target stands for.
func (e *GraphQLError) Is(target error) bool {
	switch target {
	case ErrForbidden:
		return e.Code == CodeForbidden || (e.Code == "" && strings.EqualFold(e.Message, "Forbidden"))
	case ErrInvalidToken:
		// No access token was sent with client credentials: a 108 then
		// can only be about the credentials, and a caller that mints
		// again on an invalid token would loop on a wrong secret.
		return e.Code == CodeInvalidToken && !e.basicAuth
	case ErrUnauthorized:
		return e.Code == CodeInvalidToken && e.basicAuth
	case ErrNotFound:
		return e.Code == CodeNotFound
	case ErrRateLimited:
		return e.Code == CodeRateLimited
	}
	return false
}

// UnmarshalJSON reads an error object, taking the code from the top level
// or from extensions, as a string or a number. Extensions and a path
// larger than 64 KiB are not decoded (Extensions and Path stay nil; the
// code is read from the extensions all the same): decoded, JSON takes tens
// of times its size.
func (e *GraphQLError) UnmarshalJSON(b []byte) error {
	var raw struct {
		Message    string          `json:"message"`
		Code       json.RawMessage `json:"code"`
		Path       json.RawMessage `json:"path"`
		Locations  []Location      `json:"locations"`
		Extensions json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Message, e.Locations = raw.Message, raw.Locations
	e.Code = scalarCode(raw.Code)
	e.Extensions = nil
	if len(raw.Extensions) > 0 {
		var ext map[string]any
		if err := decodeSmall(raw.Extensions, '{', &ext); err != nil {
			return err
		}
		e.Extensions = ext
		if e.Code == "" && ext != nil {
			e.Code = codeString(ext["code"])
		} else if e.Code == "" && len(raw.Extensions) > maxExtensions {
			e.Code = extensionsCode(raw.Extensions)
		}
	}
	var path []any
	if err := decodeSmall(raw.Path, '[', &path); err != nil {
		return err
	}
	e.Path = make([]any, 0, len(path))
	for _, p := range path {
		if n, ok := p.(json.Number); ok {
			if i, err := strconv.Atoi(n.String()); err == nil {
				e.Path = append(e.Path, i)
				continue
			}
		}
		e.Path = append(e.Path, p)
	}
	if len(e.Path) == 0 {
		e.Path = nil
	}
	return nil
}

// decodeSmall decodes text, a JSON value of the kind open ('{' or '[') or
// null, into v, numbers as json.Number, when it is at most maxExtensions
// bytes; a larger one is only checked to be of that kind, and v left as
// it is. Empty text is nothing to decode.
func decodeSmall(text json.RawMessage, open byte, v any) error {
	switch {
	case len(text) == 0:
		return nil
	case len(text) <= maxExtensions:
		d := json.NewDecoder(bytes.NewReader(text))
		d.UseNumber()
		return d.Decode(v)
	case text[0] != open && text[0] != 'n':
		return fmt.Errorf("tribe: a %q was expected in an error object, not %.10q…", open, text)
	}
	return nil
}

// scalarCode is a code given as a string or a number; "" for anything
// else, which is not decoded.
func scalarCode(text json.RawMessage) string {
	if len(text) == 0 || (text[0] != '"' && text[0] != '-' && (text[0] < '0' || text[0] > '9')) {
		return ""
	}
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return ""
	}
	return codeString(v)
}

// extensionsCode reads the "code" member of an extensions object's text,
// a string or a number, without decoding the rest; the last one counts,
// as decoding it does.
func extensionsCode(text json.RawMessage) string {
	dec := jsontext.NewDecoder(bytes.NewBuffer(text), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	if dec.PeekKind() != '{' {
		return ""
	}
	if _, err := dec.ReadToken(); err != nil {
		return ""
	}
	code := ""
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return ""
		}
		isCode := name.String() == "code" // before the next read voids name
		v, err := dec.ReadValue()
		if err != nil {
			return ""
		}
		if isCode {
			code = scalarCode(json.RawMessage(v))
		}
	}
	return code
}

func codeString(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case json.Number:
		return c.String()
	}
	return ""
}

// ResponseError is a GraphQL response that carried errors. It unwraps to
// each [*GraphQLError], so errors.Is and errors.As reach them.
type ResponseError struct {
	Operation string // the operation sent, e.g. "limitedToken"
	// Errors are the response's errors, at least one; the first 100 of
	// them, when there are more.
	Errors []*GraphQLError

	more int // errors past the first 100, counted, not kept
}

// Error returns the operation and the first error, with a count of the rest.
func (e *ResponseError) Error() string {
	if len(e.Errors) == 0 {
		return "tribe: " + e.Operation + ": error response"
	}
	s := "tribe: " + e.Operation + ": " + e.Errors[0].Error()
	if n := len(e.Errors) - 1 + e.more; n > 0 {
		s += fmt.Sprintf(" (and %d more errors)", n)
	}
	return s
}

// Unwrap returns the GraphQL errors.
func (e *ResponseError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, g := range e.Errors {
		errs[i] = g
	}
	return errs
}

// HTTPError is a response whose HTTP status was not 200, or whose body was
// not a GraphQL response. Body holds a bounded piece of the body with
// anything that looks like a credential or token removed. errors.Is matches
// status 401 to [ErrUnauthorized] and 403 to [ErrForbidden].
type HTTPError struct {
	Operation  string        // the operation sent
	StatusCode int           // the HTTP status
	Body       string        // at most 512 bytes of the body, redacted
	RetryAfter time.Duration // from a Retry-After header; zero if none
	Reason     string        // why the response was refused, if not its status
	// Errors are the GraphQL errors the body carried, if it was a GraphQL
	// response (some servers answer errors with a non-200 status).
	Errors []*GraphQLError
}

// Error returns the status, what it likely means and the body's start.
func (e *HTTPError) Error() string {
	var b strings.Builder
	b.WriteString(errctx.Details("tribe: "+e.Operation+": HTTP "+errctx.HTTPStatus(e.StatusCode), e.Reason))
	switch e.StatusCode {
	case http.StatusUnauthorized:
		b.WriteString(": the server refused the credentials; check the client id and secret (or the token)")
	case http.StatusTooManyRequests:
		b.WriteString(": rate limited")
		if e.RetryAfter > 0 {
			fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
		}
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	return b.String()
}

// Unwrap returns the GraphQL errors the body carried, so that errors.Is
// and errors.As reach their codes.
func (e *HTTPError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, g := range e.Errors {
		errs[i] = g
	}
	return errs
}

// Is reports whether the status is the one target stands for.
func (e *HTTPError) Is(target error) bool {
	return errctx.MatchStatus(target, e.StatusCode,
		errctx.Status{Code: http.StatusUnauthorized, Err: ErrUnauthorized},
		errctx.Status{Code: http.StatusForbidden, Err: ErrForbidden},
		errctx.Status{Code: http.StatusTooManyRequests, Err: ErrRateLimited})
}

// wrapf returns err with what was being done, "tribe: <what>: <err>", or
// nil for a nil err.
func wrapf(err error, format string, args ...any) error {
	return errctx.Wrapf("tribe", err, format, args...)
}

// invalidf returns an invalid-input error, "tribe: <what is wrong>; <how to
// fix it>", matching [ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("tribe", ErrInvalidInput, format, args...)
}
