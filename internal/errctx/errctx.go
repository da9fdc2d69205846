// Package errctx holds the shapes of the error messages every package of
// this module uses. [Wrapf] adds what was being done to an error: "<pkg>:
// <what>: <the error>", with one "<pkg>: " prefix at the front however deep
// the wrapping goes, and the error kept for errors.Is and errors.As. An
// error that carries an HTTP answer reads its status with [HTTPStatus],
// adds the server's code and description with [Details], and matches its
// package's sentinels by status with [MatchStatus].
package errctx

import (
	"fmt"
	"strings"
)

// Error is err with what was being done when it happened.
type Error struct {
	Pkg  string // the package's name, e.g. "tribe"
	What string // what was being done
	Err  error  // what went wrong
}

// Wrapf returns err with what was being done (a fmt format), as an
// [*Error] of pkg, or nil for a nil err.
func Wrapf(pkg string, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Pkg: pkg, What: fmt.Sprintf(format, args...), Err: err}
}

// Error returns "<pkg>: <what>: <err>", dropping err's own "<pkg>: ".
func (e *Error) Error() string {
	return e.Pkg + ": " + e.What + ": " + strings.TrimPrefix(e.Err.Error(), e.Pkg+": ")
}

// Unwrap returns the error that happened.
func (e *Error) Unwrap() error { return e.Err }
