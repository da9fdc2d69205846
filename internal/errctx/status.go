package errctx

import (
	"net/http"
	"strconv"
)

// Details returns s followed by ": d" for each d of details that is not
// empty: a message that adds the server's code and description when it
// sent them ("crm: GetEmployee: 403 Forbidden: AccessDenied: …").
func Details(s string, details ...string) string {
	for _, d := range details {
		if d != "" {
			s += ": " + d
		}
	}
	return s
}

// HTTPStatus returns an HTTP status as its code and text, "403 Forbidden"
// (RFC 9110 section 15); a code with no text is the code alone.
func HTTPStatus(code int) string {
	if text := http.StatusText(code); text != "" {
		return strconv.Itoa(code) + " " + text
	}
	return strconv.Itoa(code)
}

// Status pairs an HTTP status code with the sentinel error a package
// matches it with.
type Status struct {
	Code int
	Err  error
}

// MatchStatus reports whether target is the sentinel of status among
// pairs: what the Is method of an error that carries an HTTP status
// answers errors.Is with.
func MatchStatus(target error, status int, pairs ...Status) bool {
	for _, p := range pairs {
		if target == p.Err {
			return status == p.Code
		}
	}
	return false
}
