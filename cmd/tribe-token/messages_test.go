package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// What the CLI says on the paths people take first: usage and missing
// settings, the endpoint it talks to, output formats and help.

func TestEmptyFlagIsAUsageErrorNamingIt(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_NETWORK_ID", tribetest.DefaultNetworkID, "TRIBE_TOKEN", "tok-value")
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
			r := run(t, cmdtest.Invocation{Env: env, Args: tc.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tc.flag)
		})
	}
	t.Run("the environment variable it would have hidden is named", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: env, Args: args("mint", "--network", "")})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "leave the flag out to use TRIBE_NETWORK_ID")
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
			r := run(t, cmdtest.Invocation{Env: tc.env, Args: tc.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tc.want...)
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
	srv := cmdtest.NewMock(t)
	good := withUserinfo(t, srv, tribetest.DefaultClientID, tribetest.DefaultClientSecret)
	const wrong = "wrong-secret-in-the-url-1234"
	bad := withUserinfo(t, srv, tribetest.DefaultClientID, wrong)
	net := tribetest.DefaultNetworkID

	t.Run("--endpoint alone mints", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Args: args("mint", "--endpoint", good, "--network", net)})
		cmdtest.RequireOK(t, r)
		assert.Len(t, strings.Split(strings.TrimSpace(r.Stdout), "."), 3)
	})
	t.Run("TRIBE_ENDPOINT alone mints", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_ENDPOINT": good, "TRIBE_NETWORK_ID": net}, Args: args("mint")})
		cmdtest.RequireOK(t, r)
	})
	t.Run("the same credentials twice are fine", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_ENDPOINT", good), Args: args("mint", "--network", net)})
		cmdtest.RequireOK(t, r)
	})
	t.Run("api mints with them", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_ENDPOINT": good}, Args: args("api", "--network", net, "query { network { id } }")})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, r.Stdout, net)
	})
	t.Run("schema pull mints with them", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_ENDPOINT": good}, Args: args("schema", "pull", "--network", net)})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, r.Stdout, "type Query")
	})
	t.Run("a token is sent without them", func(t *testing.T) {
		tok := cmdtest.MintToken(t, srv, mint.NewCmdMint)
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_ENDPOINT": good, "TRIBE_TOKEN": tok}, Args: args("whoami")})
		cmdtest.RequireOK(t, r)
		assert.NotContains(t, r.Stdout, tribetest.DefaultClientSecret)
		assert.Contains(t, r.Stdout, srv.GraphQLURL())
	})
	t.Run("a different client id is a usage error", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_ID": "another-id", "TRIBE_ENDPOINT": good}, Args: args("mint", "--network", net)})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "TRIBE_CLIENT_ID", "TRIBE_ENDPOINT", "differ")
		assert.NotContains(t, r.Stderr, tribetest.DefaultClientSecret)
	})
	t.Run("a different secret is a usage error", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: args("mint", "--endpoint", bad, "--network", net)})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "TRIBE_CLIENT_SECRET", "--endpoint", "differ")
		assert.NotContains(t, r.Stderr, wrong)
		assert.NotContains(t, r.Stderr, tribetest.DefaultClientSecret)
	})
	t.Run("the secret is never shown, even refused", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_ENDPOINT": bad}, Args: args("mint", "--network", net, "-o", "json")})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "TRIBE_ENDPOINT=")
		for _, form := range testenv.SecretForms(wrong) {
			assert.NotContains(t, r.Stderr, form)
		}
	})
}

// TestHelpShowsTheDefaultEndpoint: each command that talks to Tribe's API
// names, in its help, the endpoint it uses when none is given.
func TestHelpShowsTheDefaultEndpoint(t *testing.T) {
	for _, cmd := range [][]string{{"mint"}, {"whoami"}, {"api"}, {"schema", "pull"}} {
		r := run(t, cmdtest.Invocation{Args: append(cmd, "--help")})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, strings.Join(strings.Fields(r.Stdout), " "), tribe.DefaultEndpoint+", Bettermode's US region", cmd) // help is wrapped
	}
}

func TestEndpointFromTheEnvironmentIsNamedInErrors(t *testing.T) {
	dead := "http://" + cmdtest.ClosedPort(t) + "/graphql"
	srv := cmdtest.NewMock(t)
	tok := cmdtest.MintToken(t, srv, mint.NewCmdMint)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"mint TRIBE_ENDPOINT", cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_ENDPOINT", dead), args("mint", "--network", tribetest.DefaultNetworkID), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"whoami TRIBE_ENDPOINT", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": dead}, args("whoami"), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"whoami TRIBE_GATEWAY_URL", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL(), "TRIBE_GATEWAY_URL": dead}, args("whoami"), "TRIBE_GATEWAY_URL=" + dead + " (from the environment)"},
		{"api TRIBE_GATEWAY_URL", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_GATEWAY_URL": dead}, args("api", "{ network { id } }"), "TRIBE_GATEWAY_URL=" + dead + " (from the environment)"},
		{"schema pull TRIBE_ENDPOINT", map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": dead}, args("schema", "pull"), "TRIBE_ENDPOINT=" + dead + " (from the environment)"},
		{"mint TRIBE_NETWORK_ID", cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_NETWORK_ID", tribetest.OtherNetworkID), args("mint"), "TRIBE_NETWORK_ID=" + tribetest.OtherNetworkID + " (from the environment)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tc.env, Args: append(tc.args, "--timeout", "5s")})
			cmdtest.RequireFail(t, r, cmdutil.ExitFailure, tc.want)
		})
	}
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
			r := run(t, cmdtest.Invocation{Env: tc.env, Args: tc.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage)
			assert.Less(t, len(r.Stderr), 600, r.Stderr)
			assert.Regexp(t, `x( ?x){20,} ?…`, r.Stderr, "the value is echoed, clipped")
		})
	}
}

func TestPlainRedisOnlyToLoopback(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_CACHE_KEY", cmdtest.CacheKey(1))
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"--cache", env, args("mint", "--network", tribetest.DefaultNetworkID, "--cache", "redis://:redis-pass-1234@cache.example:6379"), []string{"--cache is plain redis:// to cache.example", "rediss://", "--insecure-http"}},
		{"TRIBE_CACHE_URL", cmdtest.With(env, "TRIBE_CACHE_URL", "redis://cache.example:6379"), args("mint", "--network", tribetest.DefaultNetworkID), []string{"TRIBE_CACHE_URL is plain redis:// to cache.example"}},
		{"a cluster node", env, args("api", "--network", tribetest.DefaultNetworkID, "--cache", "redis://127.0.0.1:1?addr=10.0.0.2:6379", "{ network { id } }"), []string{"--cache is plain redis:// to 10.0.0.2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tc.env, Args: tc.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tc.want...)
			assert.NotContains(t, r.Stderr, "redis-pass-1234")
		})
	}
	t.Run("rediss:// and loopback pass the check", func(t *testing.T) {
		for _, u := range []string{"rediss://127.0.0.1:1", "redis://127.0.0.1:1", "redis://localhost:1"} {
			r := run(t, cmdtest.Invocation{Env: env, Args: args("mint", "--network", tribetest.DefaultNetworkID, "--cache", u, "--timeout", "5s")})
			assert.NotContains(t, r.Stderr, "plain redis://", u)
		}
	})
	t.Run("--insecure-http allows it", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: env, Args: args("mint", "--network", tribetest.DefaultNetworkID, "--cache", "redis://127.0.0.2:1", "--insecure-http", "--timeout", "5s")})
		assert.NotContains(t, r.Stderr, "plain redis://")
	})
}

func TestOneOutputVocabulary(t *testing.T) {
	srv := cmdtest.NewMock(t)
	tok := cmdtest.MintToken(t, srv, mint.NewCmdMint)

	t.Run("every --output accepts text and json, and says so", func(t *testing.T) {
		for _, cmd := range [][]string{{"mint"}, {"whoami"}, {"decode"}, {"version"}, {"mock"}, {"password"}, {"exchange"}, {"refresh"}, {"jwt", "sign"}, {"jwt", "check"}, {"crm", "token"}, {"crm", "whoami"}} {
			r := run(t, cmdtest.Invocation{Args: append(cmd, "--help")})
			cmdtest.RequireOK(t, r)
			assert.Regexp(t, `--output string\s+output format: [a-z]+ \(`, r.Stdout, cmd)
			assert.Contains(t, r.Stdout, "text", cmd)
			assert.Contains(t, r.Stdout, "json", cmd)
		}
	})
	t.Run("text is mint's bare token", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: args("mint", "--network", tribetest.DefaultNetworkID, "-o", "text")})
		cmdtest.RequireOK(t, r)
		assert.Len(t, strings.Split(strings.TrimSpace(r.Stdout), "."), 3)
	})
	t.Run("text and its old name table are whoami's table", func(t *testing.T) {
		env := map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}
		text := run(t, cmdtest.Invocation{Env: env, Args: args("whoami", "-o", "text")})
		cmdtest.RequireOK(t, text)
		table := run(t, cmdtest.Invocation{Env: env, Args: args("whoami", "-o", "table")})
		cmdtest.RequireOK(t, table)
		assert.Equal(t, text.Stdout, table.Stdout)
		assert.Regexp(t, `member\s+`, text.Stdout)
	})
	t.Run("decode and version take text", func(t *testing.T) {
		cmdtest.RequireOK(t, run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: args("decode", "-o", "text")}))
		cmdtest.RequireOK(t, run(t, cmdtest.Invocation{Args: args("version", "-o", "text")}))
	})
}

// TestHelpSaysWhatEachCommandNeeds: each command's help says what a first
// run of it needs (where a file goes, how to make a key, what is unset),
// and none suggests writing a secret to a file others can read.
func TestHelpSaysWhatEachCommandNeeds(t *testing.T) {
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
			r := run(t, cmdtest.Invocation{Args: append(tc.cmd, "--help")})
			cmdtest.RequireOK(t, r)
			for _, w := range tc.want {
				assert.Contains(t, strings.Join(strings.Fields(r.Stdout), " "), w)
			}
		})
	}
	t.Run("no help suggests a secret file others can read", func(t *testing.T) {
		for _, cmd := range [][]string{{"jwt", "sign"}, {"mint"}, {"api"}} {
			r := run(t, cmdtest.Invocation{Args: append(cmd, "--help")})
			// Help is wrapped: it is read with its lines joined.
			text := strings.Join(strings.Fields(r.Stdout), " ")
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
