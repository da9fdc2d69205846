package password

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
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
