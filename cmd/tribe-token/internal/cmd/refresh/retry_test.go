package refresh

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/password"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestRefreshAnnouncesTheRateLimitWait: a token endpoint that answers 429
// with Retry-After 1 once (it did not act on the request, so the refresh
// token is not spent) is waited out, with one line on stderr naming the
// wait, and the refresh goes through.
func TestRefreshAnnouncesTheRateLimitWait(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	r := cmdtest.Run(t, password.NewCmdPassword, cmdtest.Invocation{Env: env, Args: []string{"--username", "carol", "-o", "json", "--with-refresh-token"}})
	cmdtest.RequireOK(t, r)
	var first struct {
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &first))
	file := cmdtest.WriteFile(t, "refresh.txt", first.RefreshToken+"\n")

	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{RetryAfter: time.Second}))
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", file}})
	cmdtest.RequireWaitedOnce(t, r)
	assert.NotEmpty(t, strings.TrimSpace(r.Stdout))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.NotEqual(t, first.RefreshToken, strings.TrimSpace(string(b)), "rotated in place")
}

// TestRefreshIsNotSentAgainAfterABadGateway: a 502 may come after the
// server spent the refresh token, so the refresh is not sent again.
func TestRefreshIsNotSentAgainAfterABadGateway(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL)
	require.NoError(t, srv.Fail("refresh_token", tribetest.Fault{Status: 502, Times: 2}))
	file := cmdtest.WriteFile(t, "refresh.txt", "some-refresh-token\n")
	r := cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", file}})
	assert.NotZero(t, r.Code)
	assert.NotContains(t, r.Stderr, "waiting")
	assert.Equal(t, 1, srv.PendingFaults("refresh_token"), "sent once")
}
