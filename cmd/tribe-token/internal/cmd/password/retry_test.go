package password

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestPasswordAnnouncesTheRateLimitWait: a token endpoint that answers 429
// with Retry-After 1 once is waited out, with one line on stderr naming
// the wait, and the token is printed.
func TestPasswordAnnouncesTheRateLimitWait(t *testing.T) {
	srv := cmdtest.NewMock(t)
	require.NoError(t, srv.Fail("password", tribetest.Fault{RetryAfter: time.Second}))
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	r := cmdtest.Run(t, NewCmdPassword, cmdtest.Invocation{Env: env, Args: []string{"--username", "carol"}})
	cmdtest.RequireWaitedOnce(t, r)
	assert.NotEmpty(t, strings.TrimSpace(r.Stdout))
	assert.Zero(t, srv.PendingFaults("password"))
}

// TestPasswordNoRetry: with --no-retry a 429 is not waited out: the grant
// is sent once, nothing is said of a wait, and the error names the rate
// limit.
func TestPasswordNoRetry(t *testing.T) {
	srv := cmdtest.NewMock(t)
	require.NoError(t, srv.Fail("password", tribetest.Fault{RetryAfter: time.Second}))
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	r := cmdtest.Run(t, NewCmdPassword, cmdtest.Invocation{Env: env, Args: []string{"--username", "carol", "--no-retry"}})
	cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "HTTP 429", "run it again later")
	assert.NotContains(t, r.Stderr, "waiting")
	assert.Equal(t, 1, srv.GrantCount("password"), "sent once")
}
