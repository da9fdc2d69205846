package cmdutil

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/internal/errctx"
	"github.com/tribekit/tribekit/tribe"
)

func TestConcise(t *testing.T) {
	body := `{"errors":[{"message":"Unauthorized: the client id or secret is wrong"}]}`
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"HTTP 401 without its body or general advice",
			errctx.Wrapf("tribe", &tribe.HTTPError{Operation: "limitedToken", StatusCode: 401, Body: body}, "minting a token for bot@n"),
			"tribe: minting a token for bot@n: limitedToken: HTTP 401 Unauthorized"},
		{"HTTP 404 without its body",
			&tribe.HTTPError{Operation: "limitedToken", StatusCode: 404, Body: body},
			"tribe: limitedToken: HTTP 404 Not Found"},
		{"HTTP 429 once, with when to retry",
			errctx.Wrapf("tribe", &tribe.RateLimitError{Operation: "limitedToken", RetryAfter: 6 * time.Second,
				Err: &tribe.HTTPError{Operation: "limitedToken", StatusCode: 429, RetryAfter: 6 * time.Second, Body: body}}, "minting a token for bot@n"),
			"tribe: minting a token for bot@n: limitedToken: rate limited (HTTP 429), retry after 6s"},
		{"code 104 with the server's message",
			&tribe.RateLimitError{Operation: "Me", Err: &tribe.ResponseError{Operation: "Me", Errors: []*tribe.GraphQLError{{Code: "104", Message: "USER_REQUEST_REACHED"}}}},
			"tribe: Me: rate limited (code 104: USER_REQUEST_REACHED)"},
		{"HTTP 500 keeps its body, which may say why",
			&tribe.HTTPError{Operation: "limitedToken", StatusCode: 500, Body: "database down"},
			`tribe: limitedToken: HTTP 500 Internal Server Error: "database down"`},
		{"another error is kept", errors.New("tribe: something else"), "tribe: something else"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, concise(tc.err))
		})
	}
}
