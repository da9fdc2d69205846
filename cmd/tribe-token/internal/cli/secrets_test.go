package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestNoSecretInOutput runs every command, succeeding and failing, with
// recognisable secrets and checks that none appears on stdout or stderr,
// except the token the command was asked for.
func TestNoSecretInOutput(t *testing.T) {
	const (
		clientSecret = "SENTINEL-client-secret-4f1a"
		password     = "SENTINEL-password-77c2"
		wrongSecret  = "SENTINEL-wrong-secret-9d0e"
		wrongPW      = "SENTINEL-wrong-password-1b3c"
	)
	fx := tribetest.DefaultFixtures()
	fx.Apps[0].ClientSecret = clientSecret
	for i := range fx.Networks[0].Members {
		fx.Networks[0].Members[i].Password = password
	}
	srv := newMock(t, tribetest.WithFixtures(fx))
	crmSrv, crmEnv, crmFlags := newCRM(t)
	rt, err := crmSrv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)

	env := map[string]string{
		"TRIBE_CLIENT_ID":     tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET": clientSecret,
		"TRIBE_ENDPOINT":      srv.GraphQLURL(),
		"TRIBE_COMMUNITY_URL": srv.URL,
		"TRIBE_PASSWORD":      password,
		"TRIBE_NETWORK_ID":    tribetest.DefaultNetworkID,
	}
	secrets := []string{clientSecret, password, wrongSecret, wrongPW, crmtest.DefaultClientSecret, rt}
	minted := run(t, invocation{env: env, args: args("mint")})
	requireOK(t, minted)
	// A token handed to a command as input must not be echoed either.
	tok := strings.TrimSpace(minted.stdout)

	runs := []invocation{
		{env: env, args: args("mint", "-o", "json")},
		{env: env, args: args("mint", "-o", "env")},
		{env: env, args: args("mint", "--member", "mem-nobody")},
		{env: env, args: args("mint", "--network", tribetest.OtherNetworkID)},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("mint")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret+"\n"), args: args("mint")},
		{stdin: wrongSecret, env: with(env, "TRIBE_CLIENT_SECRET", ""), args: args("mint", "--client-secret-file", "-")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("whoami")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("whoami", "-o", "json")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("decode")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("decode", "-o", "json")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("jwt", "check")},
		{env: with(env, "TRIBE_TOKEN", tok+"x"), args: args("whoami")},
		{env: env, args: args("password", "--username", "carol", "-o", "json")},
		{env: with(env, "TRIBE_PASSWORD", wrongPW), args: args("password", "--username", "carol")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("password", "--username", "carol")},
		{env: env, args: args("exchange", "--email", "carol@example.com", "-o", "env")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("exchange", "--email", "carol@example.com")},
		{env: env, args: args("mint", "--client-secret", clientSecret)},
		{env: with(env, "TRIBE_REFRESH_TOKEN", wrongPW), args: args("refresh", "-o", "json", "--with-refresh-token")},
		{env: env, args: args("refresh", "--refresh-token", wrongPW)},
		{env: env, args: args("demo")},
		{env: crmEnv, args: append(args("crm", "token", "--grant", "client-credentials", "-o", "json"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "-o", "json"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL), crmFlags...)},
		{env: crmEnv, args: append(args("crm", "whoami"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_CLIENT_SECRET", wrongSecret), args: append(args("crm", "token", "--grant", "client-credentials"), crmFlags...)},
	}
	for _, inv := range runs {
		t.Run(strings.Join(inv.args, " "), func(t *testing.T) {
			r := run(t, inv)
			check := secrets
			if inv.env["TRIBE_TOKEN"] != "" {
				check = append(check[:len(check):len(check)], tok)
			}
			for _, s := range check {
				assert.NotContains(t, r.stdout, s, "stdout")
				assert.NotContains(t, r.stderr, s, "stderr")
			}
		})
	}
}
