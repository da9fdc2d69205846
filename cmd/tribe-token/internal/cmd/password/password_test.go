package password

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdPassword(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdPassword, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{OAuth: grantflags.OAuthFlags{Output: cmdutil.OutToken}}},
		{Name: "every flag", Args: []string{"--community", "https://c.example", "--username", "alice", "--password-file", "-", "--client-id", "id", "--client-secret-file", "s.txt", "--with-refresh-token", "-o", "json", "--insecure-http"},
			Want: Options{Username: "alice", PasswordFile: "-", App: cmdutil.AppFlags{ClientID: "id", SecretFile: "s.txt"}, OAuth: grantflags.OAuthFlags{Community: "https://c.example", WithRefresh: true, Output: "json", Insecure: true}}},
		{Name: "token url", Args: []string{"--token-url", "https://c.example/t", "-o", "env"}, Want: Options{OAuth: grantflags.OAuthFlags{TokenURL: "https://c.example/t", Output: "env"}}},
		{Name: "community and token url", Args: []string{"--community", "https://c", "--token-url", "https://c/t"}, WantErr: "--community and --token-url both"},
		{Name: "refresh token with token output", Args: []string{"--with-refresh-token"}, WantErr: "--with-refresh-token needs --output json or env"},
		{Name: "table output", Args: []string{"-o", "table"}, WantErr: `unknown --output "table"`},
		{Name: "password as a flag", Args: []string{"--password", "x"}, WantErr: "unknown flag: --password"},
	})
}

// TestPassword gets a member's token with the password grant, from the
// environment or with the password on stdin, and has whoami check whom it
// acts as.
func TestPassword(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	cmdtest.RunGrantTable(t, srv, NewCmdPassword, whoami.NewCmdWhoami, []cmdtest.GrantCase{
		{Name: "password", Inv: cmdtest.Invocation{Env: env, Args: []string{"--username", "carol", "-o", "json"}}, Identity: "user carol", Member: "mem-carol"},
		{Name: "password file on stdin", Inv: cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Stdin: tribetest.DefaultPassword + "\n", Args: []string{"--token-url", srv.OAuthTokenURL(), "--username", "alice@example.com", "--password-file", "-", "-o", "json"}}, Identity: "user alice@example.com", Member: "mem-alice"},
	})

	t.Run("refresh token on request", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdPassword, cmdtest.Invocation{Env: env, Args: []string{"--username", "carol", "-o", "env", "--with-refresh-token"}})
		cmdtest.RequireOK(t, r)
		assert.Regexp(t, `(?m)^export TRIBE_TOKEN='.+'$`, r.Stdout)
		assert.Regexp(t, `(?m)^export TRIBE_REFRESH_TOKEN='.+'$`, r.Stdout)
	})

	t.Run("wrong password", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdPassword, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_PASSWORD", "not-the-password-123"), Args: []string{"--username", "carol"}})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "invalid_grant", "TRIBE_PASSWORD")
		assert.NotContains(t, r.Stderr, "not-the-password-123")
	})
}
