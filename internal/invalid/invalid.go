// Package invalid makes the errors this module's packages return for bad
// input, in one shape: "<pkg>: <what is wrong>; <how to fix it>", matching
// the package's sentinel (tribe.ErrInvalidInput, crm.ErrInvalidInput) under
// errors.Is.
package invalid

import "fmt"

// Error is an invalid-input error.
type Error struct {
	Pkg      string // the package's name, e.g. "tribe"
	Msg      string // what is wrong; how to fix it
	Sentinel error  // what errors.Is matches, e.g. tribe.ErrInvalidInput
	Err      error  // an error it wraps, if any
}

// Errorf returns an [*Error] of pkg matching sentinel, with the message
// formatted as fmt.Errorf does; a %w verb's operand is kept for errors.Is
// and errors.As.
func Errorf(pkg string, sentinel error, format string, args ...any) error {
	wrapped := fmt.Errorf(format, args...)
	e := &Error{Pkg: pkg, Msg: wrapped.Error(), Sentinel: sentinel}
	if u, ok := wrapped.(interface{ Unwrap() error }); ok {
		e.Err = u.Unwrap()
	} else if u, ok := wrapped.(interface{ Unwrap() []error }); ok && len(u.Unwrap()) > 0 {
		e.Err = u.Unwrap()[0]
	}
	return e
}

// Error returns "<pkg>: <message>".
func (e *Error) Error() string { return e.Pkg + ": " + e.Msg }

// Is reports whether target is the package's invalid-input sentinel.
func (e *Error) Is(target error) bool { return target == e.Sentinel }

// Unwrap returns the error the message wraps, if any.
func (e *Error) Unwrap() error { return e.Err }
