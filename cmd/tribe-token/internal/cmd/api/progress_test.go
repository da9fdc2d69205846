package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// runAPIWith is runAPI with set changing the parsed Options first (their
// test hooks).
func runAPIWith(t *testing.T, env map[string]string, set func(*Options), args ...string) cmdtest.Outcome {
	t.Helper()
	f, stdout, stderr := cmdtest.Factory(env, "")
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	root := &cobra.Command{Use: cmdutil.ProgName}
	root.PersistentFlags().Duration("timeout", f.Timeout(), "give up after this long")
	root.AddCommand(NewCmdAPI(f, func(o *Options) error {
		set(o)
		return apiRun(ctx, o)
	}))
	code := cmdutil.Execute(ctx, f, root, append([]string{"api"}, args...))
	return cmdtest.Outcome{Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Factory: f}
}

// TestAPIPaginateProgress: on a terminal, --paginate shows the pages and
// items so far on one line of stderr, rewritten after each page and
// cleared before the answer; elsewhere it shows nothing.
func TestAPIPaginateProgress(t *testing.T) {
	const (
		line1 = "\rtribe-token: page 1 of members, 2 items\x1b[K"
		line2 = "\rtribe-token: page 2 of members, 4 items\x1b[K"
		line3 = "\rtribe-token: page 3 of members, 5 items\x1b[K"
		clear = "\r\x1b[K"
	)
	tests := []struct {
		name       string
		terminal   bool
		args       []string
		wantStderr string
	}{
		{"a terminal", true, nil, line1 + line2 + line3 + clear},
		{"not a terminal", false, nil, ""},
		{"a terminal, with --jq", true, []string{"--jq", ".data.members.nodes[].id"}, line1 + clear + line2 + clear + line3 + clear},
		{"not a terminal, with --jq", false, []string{"--jq", ".data.members.nodes[].id"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := graphQLServer(t, pages(2, 2, 1))
			r := runAPIWith(t, tokenEnv(srv), func(o *Options) { o.stderrTerminal = func() bool { return tt.terminal } },
				append(tt.args, "--paginate", membersQuery)...)
			require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
			assert.Equal(t, tt.wantStderr, r.Stderr)
			assert.Contains(t, r.Stdout, "m5")
		})
	}
}

// TestAPIProgressClearedForWaits: a line about a wait does not land on
// the progress line: the progress is cleared first.
func TestAPIProgressClearedForWaits(t *testing.T) {
	t.Parallel() // it mostly waits out rate limits
	next := pages(2, 1)
	srv, _ := graphQLServer(t, func(n int, w http.ResponseWriter) {
		if n == 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if n == 3 {
			n = 2
		}
		next(n, w)
	})
	r := runAPIWith(t, tokenEnv(srv), func(o *Options) { o.stderrTerminal = func() bool { return true } }, "--paginate", membersQuery)
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, "\rtribe-token: page 1 of members, 2 items\x1b[K\r\x1b[K"+cmdtest.WaitLine("rate limited (HTTP 429)", "1s", 2)+
		"\rtribe-token: page 2 of members, 3 items\x1b[K\r\x1b[K", r.Stderr)
}
