package tribetest

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Tribe's error codes that the server answers, strings in the errors'
// code and extensions.code.
const (
	codeUnknown        = "1"
	codeServer         = "10"
	codeForbidden      = "102"
	codeRateLimit      = "104"
	codeInvalidParam   = "106"
	codeInvalidToken   = "108"
	codeNotFound       = "110"
	codeMissingParam   = "112"
	codeInvalidRequest = "118"
)

// apiError is an error a resolver returns: a Tribe code and a message.
type apiError struct {
	code    string
	message string
}

func (e *apiError) Error() string { return "tribetest: " + e.message + " (code " + e.code + ")" }

func errInvalidToken() *apiError {
	return &apiError{code: codeInvalidToken, message: "invalid access token"}
}

func errNotFound(what string) *apiError {
	return &apiError{code: codeNotFound, message: what + " not found"}
}

// gqlError is one entry of a GraphQL response's errors list, with Tribe's
// code both at the top level and in extensions; an error without a code
// (a refused Basic credential) has neither.
type gqlError struct {
	Message    string           `json:"message"`
	Locations  []errorLocation  `json:"locations,omitempty"`
	Path       []any            `json:"path,omitempty"`
	Code       string           `json:"code,omitempty"`
	Extensions gqlErrExtensions `json:"extensions,omitzero"`
}

type errorLocation struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type gqlErrExtensions struct {
	Code string `json:"code"`
}

func newGQLError(code, message string) gqlError {
	return gqlError{Message: message, Code: code, Extensions: gqlErrExtensions{Code: code}}
}

// at adds the position of a selection or value, when it has one.
func (e gqlError) at(pos *ast.Position) gqlError {
	if pos != nil && pos.Line > 0 {
		e.Locations = append(e.Locations, errorLocation{Line: pos.Line, Column: pos.Column})
	}
	return e
}

// fromGQLParser converts a gqlparser error.
func fromGQLParser(err *gqlerror.Error, code string) gqlError {
	e := newGQLError(code, err.Message)
	for _, l := range err.Locations {
		e.Locations = append(e.Locations, errorLocation{Line: l.Line, Column: l.Column})
	}
	for _, p := range err.Path {
		switch p := p.(type) {
		case ast.PathName:
			e.Path = append(e.Path, string(p))
		case ast.PathIndex:
			e.Path = append(e.Path, int(p))
		}
	}
	return e
}

// errorsBody is {"errors":[...]} for errs.
func errorsBody(errs ...gqlError) []byte {
	b, err := json.Marshal(struct {
		Errors []gqlError `json:"errors"`
	}{errs})
	if err != nil { // cannot happen: only strings and ints
		return []byte(`{"errors":[{"message":"internal error","code":"10","extensions":{"code":"10"}}]}`)
	}
	return b
}

// httpErrorBody is the GraphQL-style body of an HTTP-level refusal.
func httpErrorBody(status int, code string) []byte {
	msg := http.StatusText(status)
	if msg == "" {
		msg = "HTTP " + strconv.Itoa(status)
	}
	return errorsBody(newGQLError(code, msg))
}

// codeForStatus is the Tribe code of an injected or HTTP-level status.
func codeForStatus(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return codeRateLimit
	case status == http.StatusUnauthorized:
		return codeInvalidToken
	case status == http.StatusForbidden:
		return codeForbidden
	case status == http.StatusNotFound:
		return codeNotFound
	case status >= 500:
		return codeServer
	case status >= 400:
		return codeInvalidRequest
	}
	return codeUnknown
}
