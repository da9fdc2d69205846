package refresh

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/password"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdRefresh(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdRefresh, []cmdtest.FlagCase[Options]{
		{Name: "file rewritten in place", Args: []string{"--refresh-token-file", "rt.txt"}, Want: Options{RefreshTokenFile: "rt.txt", OAuth: grantflags.OAuthFlags{Output: cmdutil.OutToken}}},
		{Name: "printed", Args: []string{"--with-refresh-token", "-o", "env", "--community", "https://c.example"}, Want: Options{OAuth: grantflags.OAuthFlags{WithRefresh: true, Output: "env", Community: "https://c.example"}}},
		{Name: "stdin printed", Args: []string{"--refresh-token-file", "-", "--with-refresh-token", "-o", "json"}, Want: Options{RefreshTokenFile: "-", OAuth: grantflags.OAuthFlags{WithRefresh: true, Output: "json"}}},
		{Name: "nowhere to keep the new one", Args: nil, WantErr: "Tribe rotates refresh tokens"},
		{Name: "stdin without printing", Args: []string{"--refresh-token-file", "-"}, WantErr: "--with-refresh-token with --output json or env"},
		{Name: "refresh token as a flag", Args: []string{"--refresh-token", "x"}, WantErr: "unknown flag: --refresh-token"},
	})
}

func TestRefresh(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	r := cmdtest.Run(t, password.NewCmdPassword, cmdtest.Invocation{Env: env, Args: []string{"--username", "carol", "-o", "json", "--with-refresh-token"}})
	cmdtest.RequireOK(t, r)
	var first struct {
		Token        string
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &first))
	require.NotEmpty(t, first.RefreshToken)

	file := cmdtest.WriteFile(t, "refresh.txt", first.RefreshToken+"\n")
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", file}})
	cmdtest.RequireOK(t, r)
	assert.NotEqual(t, first.Token, strings.TrimSpace(r.Stdout))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	second := strings.TrimSpace(string(b))
	assert.NotEqual(t, first.RefreshToken, second, "rotated in place")

	// The old refresh token no longer works…
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", first.RefreshToken), Args: []string{"-o", "json", "--with-refresh-token"}})
	cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "invalid_grant", "already used")
	assert.NotContains(t, r.Stderr, first.RefreshToken)
	// …the new one does, printed with its successor.
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", second), Args: []string{"-o", "env", "--with-refresh-token"}})
	cmdtest.RequireOK(t, r)
	assert.Regexp(t, `(?m)^export TRIBE_REFRESH_TOKEN='.+'$`, r.Stdout)
	assert.NotContains(t, r.Stdout, second)

	// A refresh token from the environment with nowhere to keep the new one
	// is refused before it is spent.
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", "whatever")})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "rotates refresh tokens")
}

func TestRefreshChecksTheFileIsWritableBeforeSpendingTheToken(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	rt := cmdtest.PasswordRefreshToken(t, env, password.NewCmdPassword)
	dir := cmdtest.ReadOnlyDir(t, "refresh.txt", rt+"\n")
	file := filepath.Join(dir, "refresh.txt")

	r := cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", file}})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "cannot write the new refresh token to "+file, "nothing was sent")
	assert.NotContains(t, r.Stderr, rt)

	// The refresh token was not spent: it still works.
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", rt), Args: []string{"-o", "json", "--with-refresh-token"}})
	cmdtest.RequireOK(t, r)
}

func TestRefreshPrintsTheNewTokenWhenSavingFails(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	tests := []struct {
		output string
		// newRefresh finds the new refresh token on stdout.
		newRefresh func(t *testing.T, stdout string) string
		where      string
	}{
		{cmdutil.OutToken, func(t *testing.T, stdout string) string {
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			require.Len(t, lines, 2, "the access token, then the refresh token")
			return lines[1]
		}, "on the line after the access token"},
		{cmdutil.OutJSON, func(t *testing.T, stdout string) string {
			var out struct {
				RefreshToken string `json:"refresh_token"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			return out.RefreshToken
		}, "(the refresh_token field): keep it"},
		{cmdutil.OutEnv, func(t *testing.T, stdout string) string {
			for _, l := range strings.Split(stdout, "\n") {
				if v, ok := strings.CutPrefix(l, "export TRIBE_REFRESH_TOKEN="); ok {
					return strings.Trim(v, "'")
				}
			}
			t.Fatalf("no refresh token in %q", stdout)
			return ""
		}, "as TRIBE_REFRESH_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			rt := cmdtest.PasswordRefreshToken(t, env, password.NewCmdPassword)
			dir := filepath.Join(t.TempDir(), "tokens")
			require.NoError(t, os.Mkdir(dir, 0o700))
			file := filepath.Join(dir, "refresh.txt")
			require.NoError(t, os.WriteFile(file, []byte(rt+"\n"), 0o600))
			proxy := cmdtest.SabotagingProxy(t, srv.URL, dir)

			r := cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--token-url", proxy.URL + "/api/v1/oauth/token", "--refresh-token-file", file, "-o", tt.output}})
			require.Equal(t, cmdutil.ExitFailure, r.Code, "stdout: %s\nstderr: %s", r.Stdout, r.Stderr)
			require.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
			assert.True(t, strings.HasPrefix(r.Stderr, "tribe-token: the new refresh token was NOT saved to "+file), r.Stderr)
			assert.Contains(t, r.Stderr, tt.where)
			assert.Contains(t, r.Stderr, "keep it")
			assert.NotContains(t, r.Stderr, rt)

			next := tt.newRefresh(t, r.Stdout)
			require.NotEmpty(t, next)
			assert.NotEqual(t, rt, next)
			assert.NotContains(t, r.Stderr, next, "the token is on stdout only")
			// The printed refresh token is the live one.
			r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", next), Args: []string{"-o", "json", "--with-refresh-token"}})
			cmdtest.RequireOK(t, r)
		})
	}
}

// TestRefreshRefusesASymlinkBeforeSpendingTheToken checks that a refresh
// token file that is a symbolic link is refused before the refresh token is
// sent (it could not be replaced safely), and that the token still works.
func TestRefreshRefusesASymlinkBeforeSpendingTheToken(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	rt := cmdtest.PasswordRefreshToken(t, env, password.NewCmdPassword)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "secrets"), 0o700))
	target := filepath.Join(dir, "secrets", "refresh.txt")
	require.NoError(t, os.WriteFile(target, []byte(rt+"\n"), 0o600))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink(filepath.Join("secrets", "refresh.txt"), link))

	r := cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", link}})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "cannot write the new refresh token to "+link, "is a symbolic link", "nothing was sent")
	assert.NotContains(t, r.Stderr, rt)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link is still a link")
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, rt+"\n", string(b), "the token file is untouched")

	// The refresh token was not spent: through the real path it rotates.
	r = cmdtest.Run(t, NewCmdRefresh, cmdtest.Invocation{Env: env, Args: []string{"--refresh-token-file", target}})
	cmdtest.RequireOK(t, r)
	b, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.NotEqual(t, rt, strings.TrimSpace(string(b)), "the file holds the new refresh token")
}
