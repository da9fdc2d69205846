package root

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestHelpWrapsWhenPiped: every command's help, written to a pipe, fits
// 80 columns, or the width COLUMNS gives (a URL longer than that stands
// alone on its line).
func TestHelpWrapsWhenPiped(t *testing.T) {
	paths := commandPaths()
	require.Greater(t, len(paths), 20)
	for _, width := range []struct {
		columns string
		max     int
	}{{"", 80}, {"72", 72}} {
		for _, p := range paths {
			t.Run(strings.Join(append([]string{"COLUMNS=" + width.columns, "tribe-token"}, p...), " "), func(t *testing.T) {
				r := run(t, cmdtest.Invocation{Env: map[string]string{"COLUMNS": width.columns}, Args: append(p, "--help")})
				cmdtest.RequireOK(t, r)
				for _, l := range strings.Split(r.Stdout, "\n") {
					if len(l) > width.max { // only a word too long for any line
						assert.Len(t, strings.Fields(l), 1, "%q is wider than %d", l, width.max)
					}
				}
			})
		}
	}
}

// TestHelpIsShort: the description above Usage stays short; the long
// reference is docs/tribe-token.md.
func TestHelpIsShort(t *testing.T) {
	for _, p := range [][]string{{}, {"mint"}, {"whoami"}, {"mock"}, {"schema", "pull"}, {"jwt", "check"}} {
		t.Run(strings.Join(append([]string{"tribe-token"}, p...), " "), func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Args: append(p, "--help")})
			cmdtest.RequireOK(t, r)
			desc, _, found := strings.Cut(r.Stdout, "\nUsage:")
			require.True(t, found, r.Stdout)
			assert.LessOrEqual(t, strings.Count(desc, "\n"), 25, desc)
		})
	}
}

// TestUnknownCommandSuggestions: a near-miss of a command name is answered
// with the commands it may mean, never echoed.
func TestUnknownCommandSuggestions(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{args("token"), "did you mean mint?"},
		{args("get-token"), "did you mean mint?"},
		{args("whoiam"), "did you mean whoami?"},
		{args("server"), "did you mean mock?"},
		{args("inspect"), "did you mean decode?"},
		{args("login"), "did you mean password?"},
		{args("schema", "get"), "did you mean pull?"},
		{args("jwt", "verify"), "did you mean check?"},
		{args("crm", "mint"), "did you mean token?"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Args: tc.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "unknown command; "+tc.want)
			assert.Equal(t, 1, strings.Count(r.Stderr, "did you mean"), r.Stderr)
		})
	}
}
