package whoami

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestCRMWhoamiAnnouncesTheRateLimitWait: a CRM API that answers 429 with
// Retry-After 1 once is waited out, with one line on stderr naming the
// wait, and the employee is printed.
func TestCRMWhoamiAnnouncesTheRateLimitWait(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	front, limited := cmdtest.LimitOnce(t, srv.URL, func(r *http.Request) bool { return strings.Contains(r.URL.Path, "GetCurrentEmployee") },
		`{"error":{"code":"TooManyRequests","message":"slow down"}}`)
	r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--base-url", front}})
	cmdtest.RequireWaitedOnce(t, r)
	assert.Contains(t, r.Stdout, crmtest.DefaultEmployee().Name)
	assert.Equal(t, int32(2), limited.Load(), "asked twice")
}

// TestCRMWhoamiNoRetry: with --no-retry the 429 is not waited out: the
// API is asked once and nothing is said of a wait.
func TestCRMWhoamiNoRetry(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	front, limited := cmdtest.LimitOnce(t, srv.URL, func(r *http.Request) bool { return strings.Contains(r.URL.Path, "GetCurrentEmployee") },
		`{"error":{"code":"TooManyRequests","message":"slow down"}}`)
	r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--base-url", front, "--no-retry"}})
	cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "429")
	assert.NotContains(t, r.Stderr, "waiting")
	assert.Equal(t, int32(1), limited.Load(), "asked once")
}
