package root

import (
	"encoding/json"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// What the CLI says on the paths people take first: usage and missing
// settings, the endpoint it talks to, output formats and help.

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
		for _, form := range testenv.SecretForms(wrong) {
			assert.NotContains(t, r.stderr, form)
		}
	})
}

func TestDefaultEndpointIsAnnounced(t *testing.T) {
	rt := &recordingTransport{}
	r := runHooked(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "secret-value-1"}, args: args("mint", "--network", "n", "--timeout", "2s")},
		func(f *cmdutil.Factory) { f.Transport = rt })
	assert.Equal(t, ExitFailure, r.code, r.stderr)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.Contains(l, "before trying again") { // each wait is announced
			lines = append(lines, l)
		}
	}
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
			assert.Contains(t, strings.Join(strings.Fields(r.stdout), " "), tribe.DefaultEndpoint+", Bettermode's US region", cmd) // help is wrapped
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

func TestPlainRedisOnlyToLoopback(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_CACHE_KEY", cacheKey(1))
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"--cache", env, args("mint", "--network", tribetest.DefaultNetworkID, "--cache", "redis://:redis-pass-1234@cache.example:6379"), []string{"--cache is plain redis:// to cache.example", "rediss://", "--insecure-http"}},
		{"TRIBE_CACHE_URL", with(env, "TRIBE_CACHE_URL", "redis://cache.example:6379"), args("mint", "--network", tribetest.DefaultNetworkID), []string{"TRIBE_CACHE_URL is plain redis:// to cache.example"}},
		{"a cluster node", env, args("api", "--network", tribetest.DefaultNetworkID, "--cache", "redis://127.0.0.1:1?addr=10.0.0.2:6379", "{ network { id } }"), []string{"--cache is plain redis:// to 10.0.0.2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: tc.env, args: tc.args})
			requireFail(t, r, ExitUsage, tc.want...)
			assert.NotContains(t, r.stderr, "redis-pass-1234")
		})
	}
	t.Run("rediss:// and loopback pass the check", func(t *testing.T) {
		for _, u := range []string{"rediss://127.0.0.1:1", "redis://127.0.0.1:1", "redis://localhost:1"} {
			r := run(t, invocation{env: env, args: args("mint", "--network", tribetest.DefaultNetworkID, "--cache", u, "--timeout", "5s")})
			assert.NotContains(t, r.stderr, "plain redis://", u)
		}
	})
	t.Run("--insecure-http allows it", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("mint", "--network", tribetest.DefaultNetworkID, "--cache", "redis://127.0.0.2:1", "--insecure-http", "--timeout", "5s")})
		assert.NotContains(t, r.stderr, "plain redis://")
	})
}

func TestOneOutputVocabulary(t *testing.T) {
	srv := newMock(t)
	tok := mintToken(t, srv)

	t.Run("every --output accepts text and json, and says so", func(t *testing.T) {
		for _, cmd := range [][]string{{"mint"}, {"whoami"}, {"decode"}, {"version"}, {"mock"}, {"password"}, {"exchange"}, {"refresh"}, {"jwt", "sign"}, {"jwt", "check"}, {"crm", "token"}, {"crm", "whoami"}} {
			r := run(t, invocation{args: append(cmd, "--help")})
			requireOK(t, r)
			assert.Regexp(t, `--output string\s+output format: [a-z]+ \(`, r.stdout, cmd)
			assert.Contains(t, r.stdout, "text", cmd)
			assert.Contains(t, r.stdout, "json", cmd)
		}
	})
	t.Run("text is mint's bare token", func(t *testing.T) {
		r := run(t, invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "-o", "text")})
		requireOK(t, r)
		assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "."), 3)
	})
	t.Run("text and its old name table are whoami's table", func(t *testing.T) {
		env := map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}
		text := run(t, invocation{env: env, args: args("whoami", "-o", "text")})
		requireOK(t, text)
		table := run(t, invocation{env: env, args: args("whoami", "-o", "table")})
		requireOK(t, table)
		assert.Equal(t, text.stdout, table.stdout)
		assert.Regexp(t, `member\s+`, text.stdout)
	})
	t.Run("decode and version take text", func(t *testing.T) {
		requireOK(t, run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode", "-o", "text")}))
		requireOK(t, run(t, invocation{args: args("version", "-o", "text")}))
	})
}

func TestJWTCheckJSONOnFailure(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		fields []string
	}{
		{"claims missing", unsignedJWT(`{"sub":"u-1"}`), []string{"name", "iat", "email"}},
		{"expired", unsignedJWT(`{"sub":"u-1","name":"Ada","email":"ada@example.com","iat":1000,"exp":2000}`), []string{"exp"}},
		{"not a JWT", "not-a-jwt", []string{"token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tc.token}, args: args("jwt", "check", "-o", "json")})
			assert.Equal(t, ExitUsage, r.code, r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "tribe-token: "), r.stderr)
			var out jwtCheckResult
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
			assert.False(t, out.OK)
			var got []string
			for _, p := range out.Problems {
				got = append(got, p.Field)
				assert.NotEmpty(t, p.Problem)
			}
			assert.Equal(t, tc.fields, got)
			assert.NotEmpty(t, out.Error)
			assert.NotContains(t, r.stdout, tc.token, "never the token (the claims read are shown)")
		})
	}
}

func TestVersionJSONHasTheTablesFields(t *testing.T) {
	table := run(t, invocation{args: args("version")})
	requireOK(t, table)
	r := run(t, invocation{args: args("version", "-o", "json")})
	requireOK(t, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	for _, l := range strings.Split(strings.TrimSpace(table.stdout), "\n") {
		key, value, _ := strings.Cut(l, "  ")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		jsonKey := map[string]string{"commit time": "time"}[key]
		if jsonKey == "" {
			jsonKey = key
		}
		require.Contains(t, out, jsonKey, "the table's %q", key)
		if key != "revision" {
			assert.Equal(t, value, out[jsonKey])
		}
	}
	assert.Equal(t, runtime.GOOS+"/"+runtime.GOARCH, out["platform"])
}

func TestHelpSaysWhatNewcomersNeed(t *testing.T) {
	tests := []struct {
		cmd  []string
		want []string
	}{
		{args("crm", "login"), []string{"STORE.meta.json", "no secret", "redirect URL"}},
		{args("crm", "token"), []string{"STORE.meta.json"}},
		{args("crm", "whoami"), []string{"STORE.meta.json"}},
		{args("jwt", "sign"), []string{"(umask 077; head -c 32 /dev/urandom | base64 > jwt-secret.txt)"}},
		{args("mint"), []string{"(umask 077; head -c 32 /dev/urandom | base64 > cache-key.txt)", "redis:// (plain, only to a loopback host unless --insecure-http)"}},
		{args("mock"), []string{"unset", "TRIBE_GATEWAY_URL", "head -1"}},
		{args("whoami"), []string{"TRIBE_GATEWAY_FOR"}},
		{args("demo"), []string{"limitedToken, bot, impersonation, gateway"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.cmd, " "), func(t *testing.T) {
			r := run(t, invocation{args: append(tc.cmd, "--help")})
			requireOK(t, r)
			for _, w := range tc.want {
				assert.Contains(t, strings.Join(strings.Fields(r.stdout), " "), w)
			}
		})
	}
	t.Run("no help suggests a secret file others can read", func(t *testing.T) {
		for _, cmd := range [][]string{{"jwt", "sign"}, {"mint"}, {"api"}} {
			r := run(t, invocation{args: append(cmd, "--help")})
			// Help is wrapped: it is read with its lines joined.
			text := strings.Join(strings.Fields(r.stdout), " ")
			for rest := text; strings.Contains(rest, "urandom"); {
				i := strings.Index(rest, "urandom")
				if strings.Contains(rest[i:min(len(rest), i+40)], "> ") {
					assert.Contains(t, rest[max(0, i-40):i], "umask 077", "%v: %s", cmd, rest[max(0, i-40):min(len(rest), i+40)])
				}
				rest = rest[i+len("urandom"):]
			}
		}
	})
}
