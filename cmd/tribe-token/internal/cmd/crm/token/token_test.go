package token

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	crmwhoami "github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// scopes are --scope's default.
var scopes = []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}

func TestNewCmdToken(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdToken, []cmdtest.FlagCase[Options]{
		{Name: "stored", Want: Options{CRM: shared.Flags{Scopes: scopes}, Grant: shared.GrantStored, Output: cmdutil.OutToken}},
		{Name: "every flag", Args: []string{"--grant", "refresh-token", "--redirect-url", "https://app.example/cb", "--refresh-token-file", "-", "--with-refresh-token", "-o", "json",
			"--client-id", "c", "--client-secret-file", "s.txt", "--base-url", "http://127.0.0.1:1", "--auth-url", "https://a.example/auth", "--token-url", "https://a.example/token",
			"--api-url", "https://api.example", "--scope", "read,offline", "--store", "t.json", "--insecure-http"},
			Want: Options{Grant: shared.GrantRefreshToken, RefreshTokenFile: "-", WithRefresh: true, Output: "json", CRM: shared.Flags{
				ClientID: "c", SecretFile: "s.txt", BaseURL: "http://127.0.0.1:1", AuthURL: "https://a.example/auth", TokenURL: "https://a.example/token",
				APIURL: "https://api.example", RedirectURL: "https://app.example/cb", Scopes: []string{"read", "offline"}, Store: "t.json", Insecure: true}}},
		{Name: "client credentials", Args: []string{"--grant", "client-credentials", "-o", "env"}, Want: Options{CRM: shared.Flags{Scopes: scopes}, Grant: shared.GrantClientCredentials, Output: "env"}},
		{Name: "unknown grant", Args: []string{"--grant", "magic"}, WantErr: `unknown --grant "magic"`},
		{Name: "quick setup without redirect", Args: []string{"--grant", "refresh-token"}, WantErr: "--grant refresh-token needs --redirect-url"},
		{Name: "refresh token with token output", Args: []string{"--with-refresh-token"}, WantErr: "--with-refresh-token needs --output json or env"},
		{Name: "scope with a space", Args: []string{"--scope", "read write"}, WantErr: `--scope "read write" is not one word`},
		{Name: "empty scope", Args: []string{"--scope", ""}, WantErr: "--scope"},
		{Name: "refresh token as a flag", Args: []string{"--refresh-token", "x"}, WantErr: "unknown flag: --refresh-token; secrets are never read from flag values"},
	})
}

func TestCRMQuickSetupChecksTheStoreBeforeSpendingTheToken(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	notADir := cmdtest.WriteFile(t, "file", "")
	store := filepath.Join(notADir, "token.json")

	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: []string{"--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "--base-url", srv.URL, "--store", store}})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "cannot save the token to "+store, "nothing was sent")
	assert.True(t, srv.RefreshTokenActive(rt), "the copied refresh token is not spent")
	assert.Zero(t, srv.Counts().RefreshToken)
}

func TestCRMQuickSetupPrintsTheNewTokenWhenSavingFails(t *testing.T) {
	for _, output := range []string{cmdutil.OutToken, cmdutil.OutJSON} {
		t.Run(output, func(t *testing.T) {
			srv, env, _ := cmdtest.NewCRM(t)
			rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
			require.NoError(t, err)
			dir := filepath.Join(t.TempDir(), "crm")
			store := filepath.Join(dir, "token.json")
			require.NoError(t, os.Mkdir(dir, 0o700))
			proxy := cmdtest.SabotagingProxy(t, srv.URL, dir)

			r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: []string{"--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "--base-url", srv.URL, "--token-url", proxy.URL + "/oauth2/token", "--store", store, "-o", output}})
			require.Equal(t, cmdutil.ExitFailure, r.Code, "stdout: %s\nstderr: %s", r.Stdout, r.Stderr)
			require.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
			assert.True(t, strings.HasPrefix(r.Stderr, "tribe-token: the new refresh token was NOT saved to "+store), r.Stderr)
			assert.NotContains(t, r.Stderr, rt)

			var access, refresh string
			if output == cmdutil.OutToken {
				lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
				require.Len(t, lines, 2, "the access token, then the refresh token")
				access, refresh = lines[0], lines[1]
			} else {
				var out struct {
					Token        string
					RefreshToken string `json:"refresh_token"`
				}
				require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
				access, refresh = out.Token, out.RefreshToken
			}
			assert.True(t, srv.AccessTokenActive(access))
			assert.True(t, srv.RefreshTokenActive(refresh), "the printed refresh token is the live one")
			assert.False(t, srv.RefreshTokenActive(rt))
		})
	}
}

func TestCRMClientCredentials(t *testing.T) {
	srv, env, flags := cmdtest.NewCRM(t)
	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: append([]string{"--grant", "client-credentials"}, flags...)})
	cmdtest.RequireOK(t, r)
	tok := strings.TrimSpace(r.Stdout)
	assert.True(t, srv.AccessTokenActive(tok))

	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: env, Args: append([]string{"--grant", "client-credentials", "-o", "json"}, flags...)})
	cmdtest.RequireOK(t, r)
	var out crmwhoami.Result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	emp := crmtest.DefaultEmployee()
	assert.Equal(t, emp.ID, out.Employee.ID)
	require.NotNil(t, out.Person)
	assert.Equal(t, emp.Person.EmailAddress, out.Person.Email)

	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: map[string]string{"TRIBE_CRM_TOKEN": tok}, Args: []string{"--api-url", srv.URL}})
	cmdtest.RequireOK(t, r)
	assert.Regexp(t, `employee\s+`+emp.Name, r.Stdout)
}

func TestCRMQuickSetupAndStoredToken(t *testing.T) {
	srv, env, flags := cmdtest.NewCRM(t)
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	store := flags[len(flags)-1]

	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: append([]string{"--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "-o", "json"}, flags...)})
	cmdtest.RequireOK(t, r)
	var out struct{ Token, Expiry, Identity string }
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	assert.True(t, srv.AccessTokenActive(out.Token))
	assert.False(t, srv.RefreshTokenActive(rt), "the copied refresh token is spent")
	assert.NotContains(t, r.Stdout, rt)
	fi, err := os.Stat(store)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The stored token is reused while valid…
	r = cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
	cmdtest.RequireOK(t, r)
	assert.Equal(t, out.Token, strings.TrimSpace(r.Stdout))
	// …even without the application's credentials…
	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Args: flags})
	cmdtest.RequireOK(t, r)
	// …and refreshed with the recorded redirect URL once expired.
	cmdtest.ExpireStoredToken(t, store)
	r = cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: append([]string{"-o", "env", "--with-refresh-token"}, flags...)})
	cmdtest.RequireOK(t, r)
	assert.Regexp(t, `(?m)^export TRIBE_CRM_TOKEN='.+'$`, r.Stdout)
	assert.Regexp(t, `(?m)^export TRIBE_CRM_REFRESH_TOKEN='.+'$`, r.Stdout)
	assert.NotContains(t, r.Stdout, out.Token)
	assert.Equal(t, 2, srv.Counts().RefreshToken, "quick setup, then the refresh")

	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: env, Args: flags})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, crmtest.DefaultEmployee().Name)

	// An expired token without the credentials to refresh it is refused.
	cmdtest.ExpireStoredToken(t, store)
	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Args: flags})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "TRIBE_CRM_CLIENT_ID", "expired")

	// A spent refresh token is the server's refusal, with what to do.
	r = cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: append([]string{"--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL}, flags...)})
	cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "invalid_grant", "crm login")
	assert.NotContains(t, r.Stderr, rt)
}

func TestCRMNoStoredToken(t *testing.T) {
	_, env, flags := cmdtest.NewCRM(t)
	store := flags[len(flags)-1]
	for _, env := range []map[string]string{env, nil} {
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "no token at "+store+"; run 'tribe-token crm login'")
		assert.NotContains(t, r.Stderr, "redirect URL")
	}
}

// TestCRMStoredTokenProblems checks what the stored grant says about a token
// file it cannot use, and that the redirect URL is asked for only when the
// token must be refreshed.
func TestCRMStoredTokenProblems(t *testing.T) {
	srv, env, flags := cmdtest.NewCRM(t)
	store := flags[len(flags)-1]
	require.NoError(t, os.MkdirAll(filepath.Dir(store), 0o700))

	t.Run("not json", func(t *testing.T) {
		require.NoError(t, os.WriteFile(store, []byte("rt-secret-value, not json"), 0o600))
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "token file "+store+" is not a token", "crm login")
		assert.NotContains(t, r.Stderr, "rt-secret-value")
		assert.NotContains(t, r.Stderr, "redirect URL")
	})
	t.Run("too large", func(t *testing.T) {
		require.NoError(t, os.WriteFile(store, []byte(strings.Repeat(" ", 1<<20+1)), 0o600))
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "too large for a token file")
	})

	// A valid token from quick setup, without the record of its redirect URL.
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	require.NoError(t, os.Remove(store))
	r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: append([]string{"--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL}, flags...)})
	cmdtest.RequireOK(t, r)
	tok := strings.TrimSpace(r.Stdout)
	require.NoError(t, os.Remove(shared.MetaPath(store)))

	t.Run("valid token without the record", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, tok, strings.TrimSpace(r.Stdout))
	})
	t.Run("expired token without the record", func(t *testing.T) {
		cmdtest.ExpireStoredToken(t, store)
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "has expired", "--redirect-url")
	})
	t.Run("record not json", func(t *testing.T) {
		require.NoError(t, os.WriteFile(shared.MetaPath(store), []byte("{"), 0o600))
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "is not JSON", "--redirect-url")
	})
	t.Run("record too large", func(t *testing.T) {
		require.NoError(t, os.WriteFile(shared.MetaPath(store), []byte(strings.Repeat(" ", 1<<20+1)), 0o600))
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: flags})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "larger than 1048576 bytes")
	})
	t.Run("expired, refreshed with --redirect-url", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdToken, cmdtest.Invocation{Env: env, Args: append([]string{"--redirect-url", crmtest.DefaultRedirectURL}, flags...)})
		cmdtest.RequireOK(t, r)
		assert.NotEqual(t, tok, strings.TrimSpace(r.Stdout))
	})
}
