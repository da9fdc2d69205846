package cmdtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// RequireOK asserts a successful run with nothing on stderr.
func RequireOK(t *testing.T, r Outcome) {
	t.Helper()
	require.Equal(t, cmdutil.ExitOK, r.Code, "stderr: %s", r.Stderr)
	require.Empty(t, r.Stderr)
}

// RequireFail asserts a failed run with exit code code, nothing on stdout
// and one error line on stderr, starting "tribe-token: ", that contains
// each of want.
func RequireFail(t *testing.T, r Outcome, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.Code, "stdout: %s\nstderr: %s", r.Stdout, r.Stderr)
	require.Empty(t, r.Stdout)
	require.True(t, strings.HasPrefix(r.Stderr, cmdutil.ProgName+": "), "stderr: %q", r.Stderr)
	require.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
	for _, w := range want {
		require.Contains(t, r.Stderr, w)
	}
}

// DataOf decodes api's output, {"data": ...}, and returns its data.
func DataOf(t *testing.T, stdout string) map[string]any {
	t.Helper()
	var out struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	return out.Data
}

// Field walks decoded JSON through keys (strings) and indexes (ints); it
// is nil where the path leads nowhere.
func Field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// Hostile is text a server or a token may hold to take over a terminal:
// a colour change, a right-to-left override and the 8-bit CSI (U+009B).
const Hostile = "Eve\x1b[31m\u202eevil\u009b2J"

// AssertInert fails if s holds a character a terminal may act on.
func AssertInert(t *testing.T, s string) {
	t.Helper()
	assert.True(t, cmdutil.IsInert(s), "not inert: %q", s)
}

// AssertInertLines is [AssertInert] for output made of lines.
func AssertInertLines(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		AssertInert(t, l)
	}
}

// GrantCase is one row of a table of a grant command's (password,
// exchange) runs: a command line, with -o json, and whom the token it
// prints is for.
type GrantCase struct {
	Name string
	Inv  Invocation
	// Identity is the token's identity as the command prints it; Member
	// is the id of the member whoami finds the token acting as.
	Identity, Member string
}

// RunGrantTable runs each case through the grant command newGrant builds,
// against srv, and checks its token with [RequireGrantedToken].
func RunGrantTable[G, W any](t *testing.T, srv *tribetest.Server, newGrant func(*cmdutil.Factory, func(*G) error) *cobra.Command, newWhoami func(*cmdutil.Factory, func(*W) error) *cobra.Command, cases []GrantCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			RequireGrantedToken(t, srv, Run(t, newGrant, tc.Inv), tc.Identity, tc.Member, newWhoami)
		})
	}
}

// RequireGrantedToken checks the outcome of a grant command (password,
// exchange) run with -o json against srv: a token for identity, with an
// expiry and no refresh token (that needs --with-refresh-token), which the
// whoami command newWhoami builds finds acting as the member whose id is
// member.
func RequireGrantedToken[O any](t *testing.T, srv *tribetest.Server, r Outcome, identity, member string, newWhoami func(*cmdutil.Factory, func(*O) error) *cobra.Command) {
	t.Helper()
	RequireOK(t, r)
	var out struct{ Token, Type, Identity, Expiry string }
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	assert.Equal(t, identity, out.Identity)
	assert.NotEmpty(t, out.Expiry)
	assert.NotContains(t, r.Stdout, "refresh_token", "only with --with-refresh-token")

	who := Run(t, newWhoami, Invocation{Env: map[string]string{"TRIBE_TOKEN": out.Token, "TRIBE_ENDPOINT": srv.GraphQLURL()}, Args: []string{"-o", "json"}})
	RequireOK(t, who)
	var w struct {
		Member struct{ ID string }
	}
	require.NoError(t, json.Unmarshal([]byte(who.Stdout), &w))
	assert.Equal(t, member, w.Member.ID)
}
