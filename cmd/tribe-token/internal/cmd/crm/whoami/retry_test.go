package whoami

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
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestCRMWhoamiAnnouncesTheRateLimitWait: a CRM API that answers 429 with
// Retry-After 1 once is waited out, with one line on stderr naming the
// wait, and the employee is printed.
func TestCRMWhoamiAnnouncesTheRateLimitWait(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var limited atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "GetCurrentEmployee") && limited.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"TooManyRequests","message":"slow down"}}`, http.StatusTooManyRequests)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--base-url", front.URL}})
	require.Equal(t, cmdutil.ExitOK, r.Code, "stderr: %s", r.Stderr)
	assert.Equal(t, "tribe-token: rate limited (HTTP 429); waiting 1s before trying again (try 2 of 4)\n", r.Stderr)
	assert.Contains(t, r.Stdout, crmtest.DefaultEmployee().Name)
	assert.Equal(t, int32(2), limited.Load(), "asked twice")
}
