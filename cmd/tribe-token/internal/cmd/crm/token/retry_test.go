package token

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

// TestCRMTokenAnnouncesTheRateLimitWait: a CRM token endpoint that answers
// 429 with Retry-After 1 once is waited out, with one line on stderr
// naming the wait, and the token is printed.
func TestCRMTokenAnnouncesTheRateLimitWait(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	front, limited := cmdtest.LimitOnce(t, srv.URL, func(r *http.Request) bool { return r.URL.Path == "/oauth2/token" }, `{"error":"temporarily_unavailable"}`)
	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--base-url", front}})
	cmdtest.RequireWaitedOnce(t, r)
	assert.True(t, srv.AccessTokenActive(strings.TrimSpace(r.Stdout)))
	assert.Equal(t, int32(2), limited.Load(), "asked twice")
}
