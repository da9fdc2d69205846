package exchange

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
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

// TestExchange gets a member's token by email, user id or external id and
// has whoami check whom it acts as.
func TestExchange(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	cmdtest.RunGrantTable(t, srv, NewCmdExchange, whoami.NewCmdWhoami, []cmdtest.GrantCase{
		{Name: "exchange email", Inv: cmdtest.Invocation{Env: env, Args: []string{"--email", "bob@example.com", "-o", "json"}}, Identity: "email bob@example.com", Member: "mem-bob"},
		{Name: "exchange user id", Inv: cmdtest.Invocation{Env: env, Args: []string{"--community", srv.URL, "--user-id", "mem-carol", "-o", "json"}}, Identity: "user mem-carol", Member: "mem-carol"},
		{Name: "exchange external id", Inv: cmdtest.Invocation{Env: env, Args: []string{"--external-id", "ext-alice", "-o", "json"}}, Identity: "external id ext-alice", Member: "mem-alice"},
	})

	t.Run("unknown user", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdExchange, cmdtest.Invocation{Env: env, Args: []string{"--email", "nobody@example.com"}})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure)
	})
	t.Run("bare token output", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdExchange, cmdtest.Invocation{Env: env, Args: []string{"--user-id", "mem-carol"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, 1, strings.Count(r.Stdout, "\n"))
	})
}
