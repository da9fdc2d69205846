package token

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestCRMTokenAnnouncesTheRateLimitWait: a CRM token endpoint that answers
// 429 with Retry-After 1 once is waited out, with one line on stderr
// naming the wait, and the token is printed.
func TestCRMTokenAnnouncesTheRateLimitWait(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var limited atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/token" && limited.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":"temporarily_unavailable"}`, http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--base-url", front.URL}})
	require.Equal(t, cmdutil.ExitOK, r.Code, "stderr: %s", r.Stderr)
	assert.Equal(t, "tribe-token: rate limited (HTTP 429); waiting 1s before trying again (try 2 of 4)\n", r.Stderr)
	assert.True(t, srv.AccessTokenActive(strings.TrimSpace(r.Stdout)))
	assert.Equal(t, int32(2), limited.Load(), "asked twice")
}
