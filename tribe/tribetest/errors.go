package tribetest

import (
	"net/http"
	"strconv"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
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

// engineCodes are the codes of the errors the GraphQL engine answers.
func engineCodes() graphql.Codes {
	return graphql.Codes{
		Invalid:         codeInvalidRequest,
		BadVariable:     codeInvalidParam,
		MissingVariable: codeMissingParam,
		Internal:        codeServer,
	}
}

// apiError is an error a resolver returns: a Tribe code and a message,
// answered as a GraphQL error (a graphql.CodedError).
type apiError struct {
	code    string
	message string
}

func (e *apiError) Error() string        { return "tribetest: " + e.message + " (code " + e.code + ")" }
func (e *apiError) ErrorCode() string    { return e.code }
func (e *apiError) ErrorMessage() string { return e.message }

func errInvalidToken() *apiError {
	return &apiError{code: codeInvalidToken, message: "invalid access token"}
}

func errNotFound(what string) *apiError {
	return &apiError{code: codeNotFound, message: what + " not found"}
}

// httpErrorBody is the GraphQL-style body of an HTTP-level refusal.
func httpErrorBody(status int, code string) []byte {
	msg := http.StatusText(status)
	if msg == "" {
		msg = "HTTP " + strconv.Itoa(status)
	}
	return graphql.ErrorsBody(graphql.NewError(code, msg))
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

// clip is s, cut to a length fit for an error message.
func clip(s string) string { return graphql.Clip(s) }

// maxBodyBytes bounds a request body, of every endpoint.
const maxBodyBytes = graphql.MaxBodyBytes
