package graphql

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Codes are the codes of the API the engine serves, for the errors the
// engine answers itself. An error with a code carries it both at the top
// level of the error object and in extensions.code.
type Codes struct {
	// Invalid is a request the engine refuses: a syntax or validation
	// error, an operation too large to validate, too costly or whose
	// answer is too large, an unknown field.
	Invalid string
	// BadVariable is a variable or argument of the wrong type.
	BadVariable string
	// MissingVariable is a non-null variable without a value.
	MissingVariable string
	// Internal is a resolver's error without a code of its own, or a value
	// that does not fit its field's type.
	Internal string
}

// Error is one entry of a GraphQL answer's errors list (GraphQL, section
// 7.1.2): its message, where in the query and the answer it happened, and
// its code; an error without a code has neither code nor extensions.
type Error struct {
	Message    string          `json:"message"`
	Locations  []Location      `json:"locations,omitempty"`
	Path       []any           `json:"path,omitempty"`
	Code       string          `json:"code,omitempty"`
	Extensions ErrorExtensions `json:"extensions,omitzero"`
}

// Location is a line and column of the query (1-based).
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// ErrorExtensions is an error's extensions: its code.
type ErrorExtensions struct {
	Code string `json:"code"`
}

// NewError is an error with code and message.
func NewError(code, message string) Error {
	return Error{Message: message, Code: code, Extensions: ErrorExtensions{Code: code}}
}

// At adds the position of a selection or value, when it has one.
func (e Error) At(pos *ast.Position) Error {
	if pos != nil && pos.Line > 0 {
		e.Locations = append(e.Locations, Location{Line: pos.Line, Column: pos.Column})
	}
	return e
}

// FromParser converts a gqlparser error, giving it code.
func FromParser(err *gqlerror.Error, code string) Error {
	e := NewError(code, err.Message)
	for _, l := range err.Locations {
		e.Locations = append(e.Locations, Location{Line: l.Line, Column: l.Column})
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

// ErrorsBody is {"errors":[...]} for errs.
func ErrorsBody(errs ...Error) []byte {
	b, err := json.Marshal(struct {
		Errors []Error `json:"errors"`
	}{errs})
	if err != nil { // cannot happen: only strings and ints
		return []byte(`{"errors":[{"message":"internal error"}]}`)
	}
	return b
}

// CodedError is an error a [Resolver] returns to answer a field with a
// GraphQL error of the API's own code and message. Any other error is
// answered with [Codes].Internal and its text.
type CodedError interface {
	error
	ErrorCode() string
	ErrorMessage() string
}

// TooLarge replaces an answer over limit bytes.
func TooLarge(code string, limit int) Error {
	return NewError(code, "response too large: more than "+strconv.Itoa(limit)+" bytes; ask for fewer fields or smaller pages")
}

// Clip is s cut to a length fit for an error message, on a rune boundary,
// with "…" where it was cut.
func Clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
