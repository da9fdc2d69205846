package api

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestAPIMintWaits: the first mint is tried again after a rate limit or
// a server's passing failure, and each wait is said on stderr, once, with
// how long, as a call's are; --no-retry says when to run again instead.
func TestAPIMintWaits(t *testing.T) {
	t.Parallel() // it mostly waits out rate limits
	tests := []struct {
		name       string
		fault      tribetest.Fault
		args       []string
		wantCode   int
		wantStderr string // a regular expression, the whole of stderr
		wantMints  int
	}{
		{name: "a Retry-After", fault: tribetest.Fault{RetryAfter: time.Second}, wantCode: cmdutil.ExitOK,
			wantStderr: `^tribe-token: minting a token: rate limited \(HTTP 429\); waiting 1s before trying again \(try 2 of 4\)\n$`, wantMints: 2},
		{name: "a server failing for a moment", fault: tribetest.Fault{Status: http.StatusServiceUnavailable, Times: 2}, wantCode: cmdutil.ExitOK,
			wantStderr: `^tribe-token: minting a token: the server answered HTTP 503 Service Unavailable; waiting \d+ms before trying again \(try 2 of 4\)\n` +
				`tribe-token: minting a token: the server answered HTTP 503 Service Unavailable; waiting \d+ms before trying again \(try 3 of 4\)\n$`, wantMints: 3},
		{name: "--no-retry", fault: tribetest.Fault{RetryAfter: time.Second}, args: []string{"--no-retry"}, wantCode: cmdutil.ExitFailure,
			wantStderr: `^tribe-token: minting a token: rate limited \(HTTP 429\); run it again in 1s, or leave out --no-retry to wait and try again\n$`, wantMints: 1},
		{name: "past --max-wait", fault: tribetest.Fault{RetryAfter: 3 * time.Second}, args: []string{"--max-wait", "2s"}, wantCode: cmdutil.ExitFailure,
			wantStderr: `the server asks to wait 3s before trying again, longer than --max-wait 2s`, wantMints: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tribetest.NewServer()
			t.Cleanup(srv.Close)
			require.NoError(t, srv.Fail("limitedToken", tt.fault))
			r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), nil, NewCmdAPI, append(tt.args, "query Net { network { id } }")...)
			assert.Equal(t, tt.wantCode, r.Code, r.Stderr)
			assert.Regexp(t, tt.wantStderr, r.Stderr)
			assert.Equal(t, tt.wantMints, srv.Count("limitedToken"))
			assert.NotContains(t, r.Stderr, "stale", "no advice about the endpoint")
			if tt.wantCode == cmdutil.ExitOK {
				assert.Contains(t, r.Stdout, tribetest.DefaultNetworkID)
			}
		})
	}
}

// TestAPINoRetry: a rate limit with --no-retry is one short line: how the
// server refused, when to run again, and --no-retry; nothing repeated,
// nothing about the endpoint, even one from TRIBE_GATEWAY_URL.
func TestAPINoRetry(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(w http.ResponseWriter)
		wantLine string
	}{
		{"code 104 with a Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "4")
			_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED: rate limit reached; retry after 4s","code":"104"}]}`)
		}, "tribe-token: Ping: rate limited (code 104); run it again in 4s, or leave out --no-retry to wait and try again\n"},
		{"code 104 without", func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"Too many requests","code":"104"}]}`)
		}, "tribe-token: Ping: rate limited (code 104); run it again in 10s (Tribe's burst window), or leave out --no-retry to wait and try again\n"},
		{"HTTP 429", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"errors":[{"message":"slow down"}]}`)
		}, "tribe-token: Ping: rate limited (HTTP 429); run it again in 7s, or leave out --no-retry to wait and try again\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := graphQLServer(t, func(_ int, w http.ResponseWriter) { tt.answer(w) })
			tok := "tok-123"
			env := map[string]string{"TRIBE_TOKEN": tok, "TRIBE_GATEWAY_URL": srv.URL + "/gateway/net", "TRIBE_GATEWAY_FOR": cmdutil.GatewayFingerprint(tok)}
			r := cmdtest.Exec(t.Context(), env, nil, NewCmdAPI, "--no-retry", "query Ping { ok }")
			assert.Equal(t, cmdutil.ExitFailure, r.Code)
			assert.Equal(t, tt.wantLine, r.Stderr)
			assert.Equal(t, int32(1), n.Load())
			assert.NotContains(t, r.Stderr, "gateway")
			assert.Equal(t, 1, strings.Count(r.Stderr, "rate limited"), "said once")
		})
	}
}

// TestAPIOperationNotSentAgain: the operation, which may change something
// on the server, is sent again only after a rate limit, which says the
// server did not act on it; after a server's failure it may have, and it
// is sent once, with no line about a wait.
func TestAPIOperationNotSentAgain(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv, n := graphQLServer(t, func(_ int, w http.ResponseWriter) {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, `{"errors":[{"message":"upstream failed"}]}`)
			})
			r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "mutation Post { createPost { id } }")
			assert.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
			assert.Equal(t, int32(1), n.Load(), "sent once")
			assert.NotContains(t, r.Stderr, "before trying again")
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
		})
	}
}
