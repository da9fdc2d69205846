package cmdutil

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// An error line says what failed and what to do, and no more: the
// libraries' errors carry detail for programs (the start of a response
// body, the server's answer beneath a rate limit) that a person reading
// one line does not need. [Factory.ErrorLine] shortens them with
// concise.

// concise returns err's message with the parts a person does not need
// taken out: the body of an HTTP 401, 404 or 429 answer, which only says
// again what the status says, the library's general advice for a 401
// (commands give their own), and the answer repeated beneath a rate
// limit, which becomes "OPERATION: rate limited (HTTP 429 or code 104)"
// and when to retry, if the server said.
func concise(err error) string {
	msg := err.Error()
	var limits []*tribe.RateLimitError
	var answers []*tribe.HTTPError
	walk(err, 0, func(e error) {
		switch x := e.(type) {
		case *tribe.RateLimitError:
			limits = append(limits, x)
		case *tribe.HTTPError:
			answers = append(answers, x)
		}
	})
	// A rate limit holds the answer beneath it: it goes first.
	for _, rl := range limits {
		msg = replaceError(msg, rl.Error(), conciseRateLimit(rl))
	}
	for _, he := range answers {
		switch he.StatusCode {
		case http.StatusUnauthorized, http.StatusNotFound, http.StatusTooManyRequests:
			short := fmt.Sprintf("tribe: %s: HTTP %d %s", he.Operation, he.StatusCode, http.StatusText(he.StatusCode))
			if he.Reason != "" {
				short += ": " + he.Reason
			}
			if he.RetryAfter > 0 {
				short += ", retry after " + text.Wait(he.RetryAfter)
			}
			msg = replaceError(msg, he.Error(), short)
		}
	}
	return msg
}

// conciseRateLimit is a rate limit in a few words: how the server said it,
// with its message for a code 104 (not the body of an HTTP 429).
func conciseRateLimit(rl *tribe.RateLimitError) string {
	how := "code " + tribe.CodeRateLimited
	if he, ok := rl.Err.(*tribe.HTTPError); ok && he.StatusCode == http.StatusTooManyRequests {
		how = "HTTP 429"
	} else if re, ok := rl.Err.(*tribe.ResponseError); ok && len(re.Errors) > 0 && re.Errors[0].Message != "" {
		how += ": " + re.Errors[0].Message
	}
	s := fmt.Sprintf("tribe: %s: rate limited (%s)", rl.Operation, how)
	if rl.RetryAfter > 0 {
		s += ", retry after " + text.Wait(rl.RetryAfter)
	}
	return s
}

// replaceError replaces an error's text in msg, where an outer error may
// have dropped its "tribe: " prefix.
func replaceError(msg, full, short string) string {
	if strings.Contains(msg, full) {
		return strings.ReplaceAll(msg, full, short)
	}
	return strings.ReplaceAll(msg, strings.TrimPrefix(full, "tribe: "), strings.TrimPrefix(short, "tribe: "))
}

// walk calls fn on err and every error beneath it.
func walk(err error, depth int, fn func(error)) {
	if err == nil || depth > 64 {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), depth+1, fn)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, depth+1, fn)
		}
	}
}
