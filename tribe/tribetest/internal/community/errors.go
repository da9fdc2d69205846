package community

import (
	"errors"
	"fmt"
)

// Tribe's error codes for what the community refuses, as in the code and
// extensions.code of a GraphQL error.
const (
	CodeServer    = "10"  // a limit of the mock
	CodeForbidden = "102" // not allowed
	CodeInvalid   = "106" // bad input
	CodeNotFound  = "110" // no such object, or deleted
)

// Error is a refusal: a GraphQL error with Tribe's code Code. It is a
// graphql.CodedError (ErrorCode, ErrorMessage).
type Error struct {
	Code    string
	Message string
	// Unknown is set on a not-found error for an id the community never
	// had: package tribetest answers such an id mocked, as before it kept
	// any state (see [IsUnknown]).
	Unknown bool
}

func (e *Error) Error() string        { return "community: " + e.Message + " (code " + e.Code + ")" }
func (e *Error) ErrorCode() string    { return e.Code }
func (e *Error) ErrorMessage() string { return e.Message }

// IsUnknown reports whether err is the not-found error of an id the
// community never had (as opposed to one it deleted).
func IsUnknown(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unknown
}

// forbidden is 102, with why.
func forbidden(format string, args ...any) *Error {
	return &Error{Code: CodeForbidden, Message: "Forbidden: " + fmt.Sprintf(format, args...)}
}

// invalid is 106: the input named is wrong, and how to fix it.
func invalid(format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Message: fmt.Sprintf(format, args...)}
}

// gone is 110 for an object that was deleted.
func gone(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found: it was deleted", kind, clip(id))}
}

// unknown is 110 for an id never seen.
func unknown(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found", kind, clip(id)), Unknown: true}
}

// full is the error of a community that holds as much as it may.
func full(what string) *Error {
	return &Error{Code: CodeServer, Message: "the mock holds too many " + what + " (at most " + fmt.Sprint(maxObjects) + " objects and " + fmt.Sprint(maxBytes>>20) + " MiB of text); reset it"}
}

// clip bounds a value echoed in a message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
