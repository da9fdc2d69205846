package exchange

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdExchange(t *testing.T) {
	oauth := grantflags.OAuthFlags{Output: cmdutil.OutToken}
	cmdtest.RunFlagTable(t, NewCmdExchange, []cmdtest.FlagCase[Options]{
		{Name: "email", Args: []string{"--email", "a@example.com"}, Want: Options{Email: "a@example.com", OAuth: oauth}},
		{Name: "user id", Args: []string{"--user-id", "mem-1", "--community", "https://c.example", "-o", "json"}, Want: Options{UserID: "mem-1", OAuth: grantflags.OAuthFlags{Community: "https://c.example", Output: "json"}}},
		{Name: "external id", Args: []string{"--external-id", "u-42", "--client-id", "id"}, Want: Options{ExternalID: "u-42", App: cmdutil.AppFlags{ClientID: "id"}, OAuth: oauth}},
		{Name: "no user", Args: nil, WantErr: "give one of --email, --user-id or --external-id"},
		{Name: "two users", Args: []string{"--email", "a@example.com", "--external-id", "u"}, WantErr: "not --email and --external-id"},
		{Name: "not an email", Args: []string{"--email", "nobody"}, WantErr: `--email "nobody" is not an email address`},
		{Name: "user id with a space around it", Args: []string{"--user-id", " mem-1"}, WantErr: `--user-id " mem-1" has spaces`},
		{Name: "external id with a newline", Args: []string{"--external-id", "u\n"}, WantErr: "--external-id"},
		{Name: "community and token url", Args: []string{"--email", "a@example.com", "--community", "https://c", "--token-url", "https://c/t"}, WantErr: "--community and --token-url both"},
	})
}
