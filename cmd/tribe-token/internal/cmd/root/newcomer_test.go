package root

import (
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// The paths a newcomer takes through the CLI (issue 15).

func TestEmptyFlagIsAUsageErrorNamingIt(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_NETWORK_ID", tribetest.DefaultNetworkID, "TRIBE_TOKEN", "tok-value")
	tests := []struct {
		name string
		args []string
		flag string
	}{
		{"mint --network", args("mint", "--network", ""), "--network is empty"},
		{"mint --network=", args("mint", "--network="), "--network is empty"},
		{"mint --endpoint", args("mint", "--endpoint", ""), "--endpoint is empty"},
		{"mint --member", args("mint", "--member", ""), "--member is empty"},
		{"mint --client-id", args("mint", "--client-id", ""), "--client-id is empty"},
		{"mint --output", args("mint", "-o", ""), "--output is empty"},
		{"whoami --endpoint", args("whoami", "--endpoint", ""), "--endpoint is empty"},
		{"whoami --token-file", args("whoami", "--token-file", ""), "--token-file is empty"},
		{"api --network", args("api", "--network", "", "{ network { id } }"), "--network is empty"},
		{"schema pull --network", args("schema", "pull", "--network", ""), "--network is empty"},
		{"mock --addr", args("mock", "--addr", ""), "--addr is empty"},
		{"crm token --store", args("crm", "token", "--store", ""), "--store is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: env, args: tc.args})
			requireFail(t, r, ExitUsage, tc.flag)
		})
	}
	t.Run("the environment variable it would have hidden is named", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("mint", "--network", "")})
		requireFail(t, r, ExitUsage, "leave the flag out to use TRIBE_NETWORK_ID")
	})
}

func TestMissingSettingsAreReportedAtOnce(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"mint, nothing set", nil, args("mint"), []string{"missing: TRIBE_CLIENT_ID (or --client-id), TRIBE_CLIENT_SECRET (or --client-secret-file), --network (or TRIBE_NETWORK_ID)", "no client id, client secret or community was given"}},
		{"mint, only the id", map[string]string{"TRIBE_CLIENT_ID": "id"}, args("mint"), []string{"missing: TRIBE_CLIENT_SECRET (or --client-secret-file), --network (or TRIBE_NETWORK_ID)"}},
		{"mint, only the network", nil, args("mint", "--network", "n"), []string{"missing: TRIBE_CLIENT_ID (or --client-id), TRIBE_CLIENT_SECRET (or --client-secret-file);"}},
		{"api --network, no credentials", nil, args("api", "--network", "n", "{ network { id } }"), []string{"missing: TRIBE_CLIENT_ID (or --client-id), TRIBE_CLIENT_SECRET (or --client-secret-file)"}},
		{"schema pull --network, no credentials", nil, args("schema", "pull", "--network", "n"), []string{"missing: TRIBE_CLIENT_ID (or --client-id), TRIBE_CLIENT_SECRET (or --client-secret-file)"}},
		{"password, no credentials", map[string]string{"TRIBE_COMMUNITY_URL": "https://c.example", "TRIBE_PASSWORD": "pw-value-1"}, args("password", "--username", "bob"), []string{"missing: TRIBE_CLIENT_ID (or --client-id), TRIBE_CLIENT_SECRET (or --client-secret-file)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: tc.env, args: tc.args})
			requireFail(t, r, ExitUsage, tc.want...)
		})
	}
}

// withUserinfo returns the mock's GraphQL URL with id and secret in it.
func withUserinfo(t *testing.T, srv *tribetest.Server, id, secret string) string {
	t.Helper()
	u, err := url.Parse(srv.GraphQLURL())
	require.NoError(t, err)
	u.User = url.UserPassword(id, secret)
	return u.String()
}

func TestCredentialsInTheEndpointURL(t *testing.T) {
	srv := newMock(t)
	good := withUserinfo(t, srv, tribetest.DefaultClientID, tribetest.DefaultClientSecret)
	const wrong = "wrong-secret-in-the-url-1234"
	bad := withUserinfo(t, srv, tribetest.DefaultClientID, wrong)
	net := tribetest.DefaultNetworkID

	t.Run("--endpoint alone mints", func(t *testing.T) {
		r := run(t, invocation{args: args("mint", "--endpoint", good, "--network", net)})
		requireOK(t, r)
		assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "."), 3)
	})
	t.Run("TRIBE_ENDPOINT alone mints", func(t *testing.T) {
		r := run(t, invocation{env: map[string]string{"TRIBE_ENDPOINT": good, "TRIBE_NETWORK_ID": net}, args: args("mint")})
		requireOK(t, r)
	})
	t.Run("the same credentials twice are fine", func(t *testing.T) {
		r := run(t, invocation{env: with(appEnv(srv), "TRIBE_ENDPOINT", good), args: args("mint", "--network", net)})
		requireOK(t, r)
	})
	t.Run("api mints with them", func(t *testing.T) {
		r := run(t, invocation{env: map[string]string{"TRIBE_ENDPOINT": good}, args: args("api", "--network", net, "query { network { id } }")})
		requireOK(t, r)
		assert.Contains(t, r.stdout, net)
	})
	t.Run("schema pull mints with them", func(t *testing.T) {
		r := run(t, invocation{env: map[string]string{"TRIBE_ENDPOINT": good}, args: args("schema", "pull", "--network", net)})
		requireOK(t, r)
		assert.Contains(t, r.stdout, "type Query")
	})
	t.Run("a token is sent without them", func(t *testing.T) {
		tok := mintToken(t, srv)
		r := run(t, invocation{env: map[string]string{"TRIBE_ENDPOINT": good, "TRIBE_TOKEN": tok}, args: args("whoami")})
		requireOK(t, r)
		assert.NotContains(t, r.stdout, tribetest.DefaultClientSecret)
		assert.Contains(t, r.stdout, srv.GraphQLURL())
	})
	t.Run("a different client id is a usage error", func(t *testing.T) {
		r := run(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": "another-id", "TRIBE_ENDPOINT": good}, args: args("mint", "--network", net)})
		requireFail(t, r, ExitUsage, "TRIBE_CLIENT_ID", "TRIBE_ENDPOINT", "differ")
		assert.NotContains(t, r.stderr, tribetest.DefaultClientSecret)
	})
	t.Run("a different secret is a usage error", func(t *testing.T) {
		r := run(t, invocation{env: appEnv(srv), args: args("mint", "--endpoint", bad, "--network", net)})
		requireFail(t, r, ExitUsage, "TRIBE_CLIENT_SECRET", "--endpoint", "differ")
		assert.NotContains(t, r.stderr, wrong)
		assert.NotContains(t, r.stderr, tribetest.DefaultClientSecret)
	})
	t.Run("the secret is never shown, even refused", func(t *testing.T) {
		r := run(t, invocation{env: map[string]string{"TRIBE_ENDPOINT": bad}, args: args("mint", "--network", net, "-o", "json")})
		requireFail(t, r, ExitFailure, "TRIBE_ENDPOINT=")
		for _, form := range secretForms(wrong) {
			assert.NotContains(t, r.stderr, form)
		}
	})
}

func TestDefaultEndpointIsAnnounced(t *testing.T) {
	rt := &recordingTransport{}
	r := runHooked(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "secret-value-1"}, args: args("mint", "--network", "n", "--timeout", "2s")},
		func(f *cmdutil.Factory) { f.Transport = rt })
	assert.Equal(t, ExitFailure, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.Len(t, lines, 2, r.stderr)
	assert.Equal(t, "tribe-token: using the default endpoint "+tribe.DefaultEndpoint+" (US); set --endpoint, --region eu or TRIBE_ENDPOINT for another", lines[0])
	u, err := url.Parse(tribe.DefaultEndpoint)
	require.NoError(t, err)
	for _, h := range rt.sent() {
		assert.Equal(t, u.Host, h)
	}
	assert.Contains(t, lines[1], "the endpoint was the default endpoint "+tribe.DefaultEndpoint)

	t.Run("not with an endpoint", func(t *testing.T) {
		srv := newMock(t)
		requireOK(t, run(t, invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID)}))
	})
	t.Run("nor for usage errors", func(t *testing.T) {
		r := run(t, invocation{args: args("mint")})
		requireFail(t, r, ExitUsage, "missing:")
	})
	t.Run("help shows it", func(t *testing.T) {
		for _, cmd := range [][]string{{"mint"}, {"whoami"}, {"api"}, {"schema", "pull"}} {
			r := run(t, invocation{args: append(cmd, "--help")})
			requireOK(t, r)
			assert.Contains(t, r.stdout, tribe.DefaultEndpoint+", Bettermode's US region", cmd)
		}
	})
}

func TestEndpointFromTheEnvironmentIsNamedInErrors(t *testing.T) {
	dead := "http://" + closedPort(t) + "/graphql"
	srv := newMock(t)
	tok := mintToken(t, srv)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"mint TRIBE_ENDPOINT", with(appEnv(srv), "TRIBE_ENDPOINT", dead), args("mint", "--network", tribetest.DefaultNetworkID), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"whoami TRIBE_ENDPOINT", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": dead}, args("whoami"), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"whoami TRIBE_GATEWAY_URL", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL(), "TRIBE_GATEWAY_URL": dead}, args("whoami"), "TRIBE_GATEWAY_URL=" + dead + " (from the environment)"},
		{"api TRIBE_GATEWAY_URL", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_GATEWAY_URL": dead}, args("api", "{ network { id } }"), "TRIBE_GATEWAY_URL=" + dead + " (from the environment)"},
		{"schema pull TRIBE_ENDPOINT", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": dead}, args("schema", "pull"), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"mint TRIBE_NETWORK_ID", with(appEnv(srv), "TRIBE_NETWORK_ID", tribetest.OtherNetworkID), args("mint"), "TRIBE_NETWORK_ID=" + tribetest.OtherNetworkID + " (from the environment)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: tc.env, args: append(tc.args, "--timeout", "5s")})
			requireFail(t, r, ExitFailure, tc.want)
		})
	}
}

// mintEnv mints through "mint -o env" and returns what sourcing it sets.
func mintEnv(t *testing.T, srv *tribetest.Server) map[string]string {
	t.Helper()
	r := run(t, invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "-o", "env")})
	requireOK(t, r)
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		require.True(t, ok, l)
		env[k] = strings.Trim(v, "'")
	}
	return env
}

func TestStaleGatewayDoesNotWin(t *testing.T) {
	old, fresh := newMock(t), newMock(t)
	env := mintEnv(t, old)
	require.NotEmpty(t, env["TRIBE_GATEWAY_URL"])
	require.NotEmpty(t, env["TRIBE_GATEWAY_FOR"])

	t.Run("its own token uses it", func(t *testing.T) {
		r := run(t, invocation{env: with(env, "TRIBE_ENDPOINT", fresh.GraphQLURL()), args: args("whoami")})
		requireOK(t, r)
		assert.Contains(t, r.stdout, env["TRIBE_GATEWAY_URL"])
	})
	t.Run("another token does not", func(t *testing.T) {
		// TRIBE_TOKEN=$(tribe-token mint) against a fresh server, in a shell
		// that still has the old gateway.
		tok := mintToken(t, fresh)
		r := run(t, invocation{env: with(env, "TRIBE_ENDPOINT", fresh.GraphQLURL(), "TRIBE_TOKEN", tok), args: args("whoami")})
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, fresh.GraphQLURL())
		assert.Equal(t, "tribe-token: not using TRIBE_GATEWAY_URL="+env["TRIBE_GATEWAY_URL"]+" (from the environment): TRIBE_GATEWAY_FOR says it was printed with another token\n", r.stderr)
	})
	t.Run("mint's env output clears a gateway it has not", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, cmdutil.WriteToken(&b, cmdutil.OutEnv, cmdutil.TokenOutput{Token: "tok", Identity: "x"}))
		assert.Equal(t, "export TRIBE_TOKEN='tok'\nunset TRIBE_TOKEN_EXPIRY TRIBE_GATEWAY_URL TRIBE_GATEWAY_FOR\n", b.String())
	})
}

func TestMockEnvOutputClearsWhatIsStale(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("needs bash")
	}
	lines := startMock(t, 7, "--output", "env", "--print-credentials")
	require.True(t, strings.HasPrefix(lines[6], "unset "), lines[6])
	script := `export TRIBE_GATEWAY_URL=http://stale TRIBE_GATEWAY_FOR=x TRIBE_TOKEN=stale TRIBE_TOKEN_EXPIRY=x TRIBE_MOCK_ADMIN=http://stale TRIBE_CRM_BASE_URL=http://stale
` + strings.Join(lines, "\n") + `
for v in TRIBE_GATEWAY_URL TRIBE_GATEWAY_FOR TRIBE_TOKEN TRIBE_TOKEN_EXPIRY TRIBE_MOCK_ADMIN TRIBE_CRM_BASE_URL; do echo "$v=${!v-unset}"; done
echo "TRIBE_CLIENT_SECRET=$TRIBE_CLIENT_SECRET"`
	out, err := exec.CommandContext(t.Context(), bash, "-c", script).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, "TRIBE_GATEWAY_URL=unset\nTRIBE_GATEWAY_FOR=unset\nTRIBE_TOKEN=unset\nTRIBE_TOKEN_EXPIRY=unset\nTRIBE_MOCK_ADMIN=unset\nTRIBE_CRM_BASE_URL=unset\nTRIBE_CLIENT_SECRET="+tribetest.DefaultClientSecret+"\n", string(out))
}

func TestEchoedValuesAreClipped(t *testing.T) {
	huge := strings.Repeat("x", 100_000)
	hugeSpaced := strings.Repeat("x ", 50_000)
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"--network", nil, args("mint", "--network", hugeSpaced)},
		{"TRIBE_NETWORK_ID", map[string]string{"TRIBE_NETWORK_ID": hugeSpaced}, args("mint")},
		{"--region", nil, args("mint", "--region", huge)},
		{"--output", nil, args("whoami", "-o", huge)},
		{"--context", nil, args("mint", "--network", "n", "--context", huge)},
		{"--timeout (pflag's own message)", nil, args("mint", "--timeout", huge)},
		{"mock --addr", nil, args("mock", "--addr", huge)},
		{"exchange --email", nil, args("exchange", "--email", huge)},
		{"--endpoint", map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "secret-value-1"}, args("mint", "--network", "n", "--endpoint", "http://"+huge+".example/graphql")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: tc.env, args: tc.args})
			requireFail(t, r, ExitUsage)
			assert.Less(t, len(r.stderr), 600, r.stderr)
			assert.Regexp(t, `x( ?x){20,} ?…`, r.stderr, "the value is echoed, clipped")
		})
	}
}
