package token

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm"
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
