package cmdtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// WaitLine is the line a command prints on stderr before it tries a call
// again (see cmdutil.Factory.Retry): why, how long it waits, and which try
// comes next, e.g. WaitLine("rate limited (HTTP 429)", "1s", 2).
func WaitLine(why, wait string, try int) string {
	return fmt.Sprintf("%s: %s; waiting %s before trying again (try %d of %d)\n", cmdutil.ProgName, why, wait, try, cmdutil.MaxTries)
}

// RequireWaitedOnce asserts a successful run that waited once, for the
// Retry-After of 1 second of an HTTP 429 (as [LimitOnce] sends), with the
// one line on stderr that says so.
func RequireWaitedOnce(t *testing.T, r Outcome) {
	t.Helper()
	require.Equal(t, cmdutil.ExitOK, r.Code, "stderr: %s", r.Stderr)
	require.Equal(t, WaitLine("rate limited (HTTP 429)", "1s", 2), r.Stderr)
}

// LimitOnce starts a server in front of target, closed with the test,
// that answers the first request limited accepts with HTTP 429, a
// Retry-After of 1 second and body, and hands every other
// request on to target. It returns the server's URL and how many requests
// limited accepted.
func LimitOnce(t *testing.T, target string, limited func(*http.Request) bool, body string) (string, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limited(r) && n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, body, http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL, &n
}
