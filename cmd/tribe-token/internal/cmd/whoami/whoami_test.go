package whoami

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdWhoami(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdWhoami, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "every flag", Args: []string{"--token-file", "t.txt", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "json"},
			Want: Options{Token: cmdutil.TokenFlag{File: "t.txt"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: "json"}},
		{Name: "region", Args: []string{"--region", "us"}, Want: Options{Endpoint: cmdutil.EndpointFlags{Region: "us"}, Output: cmdutil.OutTable}},
		{Name: "no retry", Args: []string{"--no-retry"}, Want: Options{Output: cmdutil.OutTable, NoRetry: true}},
		{Name: "token output", Args: []string{"-o", "token"}, WantErr: `unknown --output "token"`},
		{Name: "endpoint and region", Args: []string{"--region", "us", "--endpoint", "https://x"}, WantErr: "--endpoint and --region"},
		{Name: "token as a flag", Args: []string{"--token", "x"}, WantErr: "unknown flag: --token"},
	})
}

// TestWhoamiRateLimited: with --no-retry a rate limit says so once, and
// nothing about a stale gateway; without it, each wait is announced on
// stderr with how long.
func TestWhoamiRateLimited(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	require.NoError(t, err)
	gateway := srv.URL + "/gateway/" + tribetest.DefaultNetworkID
	env := map[string]string{"TRIBE_TOKEN": tok, "TRIBE_GATEWAY_URL": gateway}
	quick := func(f *cmdutil.Factory) { f.RateLimitWait = 10 * time.Millisecond }

	t.Run("--no-retry", func(t *testing.T) {
		require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: http.StatusTooManyRequests, Times: 1}))
		r := cmdtest.Exec(t.Context(), env, quick, NewCmdWhoami, "--no-retry")
		require.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
		assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), r.Stderr)
		assert.Contains(t, r.Stderr, "rate limited (HTTP 429)")
		assert.Contains(t, r.Stderr, "leave out --no-retry to wait")
		assert.Equal(t, 1, strings.Count(r.Stderr, "rate limited"), r.Stderr)
		for _, unrelated := range []string{"TRIBE_GATEWAY_URL", "gateway", "mint a new", "stale", `\"`} {
			assert.NotContains(t, r.Stderr, unrelated)
		}
	})
	t.Run("waits are announced", func(t *testing.T) {
		require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: http.StatusTooManyRequests, Times: 1}))
		require.NoError(t, srv.Fail("network", tribetest.Fault{Status: http.StatusTooManyRequests, Times: 1}))
		r := cmdtest.Exec(t.Context(), env, quick, NewCmdWhoami, "-o", "json")
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Contains(t, r.Stdout, tribetest.PlainMemberID)
		assert.Equal(t, strings.Repeat(cmdtest.WaitLine("rate limited (HTTP 429)", "10ms", 2), 2), r.Stderr)
	})
}

// TestWhoamiIsSuggested: near-misses suggest whoami, once.
func TestWhoamiIsSuggested(t *testing.T) {
	for _, word := range []string{"whoiam", "who", "me", "whomai"} {
		t.Run(word, func(t *testing.T) {
			assert.Contains(t, cmdtest.Suggestion(t.Context(), NewCmdWhoami, word), "unknown command; did you mean whoami?")
		})
	}
}

// mintEnv mints through "mint -o env" and returns what sourcing it sets.
func mintEnv(t *testing.T, srv *tribetest.Server) map[string]string {
	t.Helper()
	r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "-o", "env"}})
	cmdtest.RequireOK(t, r)
	return cmdtest.ParseEnvOutput(t, r.Stdout)
}

func TestStaleGatewayDoesNotWin(t *testing.T) {
	old, fresh := cmdtest.NewMock(t), cmdtest.NewMock(t)
	env := mintEnv(t, old)
	require.NotEmpty(t, env["TRIBE_GATEWAY_URL"])
	require.NotEmpty(t, env["TRIBE_GATEWAY_FOR"])

	t.Run("its own token uses it", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_ENDPOINT", fresh.GraphQLURL())})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, r.Stdout, env["TRIBE_GATEWAY_URL"])
	})
	t.Run("another token does not", func(t *testing.T) {
		// TRIBE_TOKEN=$(tribe-token mint) against a fresh server, in a shell
		// that still has the old gateway.
		tok := cmdtest.MintToken(t, fresh, mint.NewCmdMint)
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_ENDPOINT", fresh.GraphQLURL(), "TRIBE_TOKEN", tok)})
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Contains(t, r.Stdout, fresh.GraphQLURL())
		assert.Equal(t, "tribe-token: not using TRIBE_GATEWAY_URL="+env["TRIBE_GATEWAY_URL"]+" (from the environment): TRIBE_GATEWAY_FOR says it was printed with another token\n", r.Stderr)
	})
	t.Run("mint's env output clears a gateway it has not", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, cmdutil.WriteToken(&b, cmdutil.OutEnv, cmdutil.TokenOutput{Token: "tok", Identity: "x"}))
		assert.Equal(t, "export TRIBE_TOKEN='tok'\nunset TRIBE_TOKEN_EXPIRY TRIBE_GATEWAY_URL TRIBE_GATEWAY_FOR\n", b.String())
	})
}

func TestWhoami(t *testing.T) {
	srv := cmdtest.NewMock(t)
	r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "--member", tribetest.AdminMemberID, "-o", "env"}})
	cmdtest.RequireOK(t, r)
	env := cmdtest.ParseEnvOutput(t, r.Stdout)
	tok := env["TRIBE_TOKEN"]

	t.Run("table from env", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env})
		cmdtest.RequireOK(t, r)
		assert.Regexp(t, `member\s+Alice Admin \(@alice, id mem-alice\)`, r.Stdout)
		assert.Regexp(t, `role\s+admin`, r.Stdout)
		assert.Regexp(t, `community\s+Acme Community \(acme\.example\.com, id net-acme\)`, r.Stdout)
		assert.Contains(t, r.Stdout, srv.GatewayURL(tribetest.DefaultNetworkID))
		assert.Regexp(t, `expires\s+.*\(in (59m|1h)`, r.Stdout)
		assert.NotContains(t, r.Stdout, tok)
	})
	t.Run("json from stdin", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Stdin: tok + "\n", Args: []string{"--token-file", "-", "--endpoint", srv.GraphQLURL(), "-o", "json"}})
		cmdtest.RequireOK(t, r)
		var out Result
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
		assert.Equal(t, tribetest.AdminMemberID, out.Member.ID)
		require.NotNil(t, out.Member.Role)
		assert.Equal(t, "admin", out.Member.Role.Type)
		assert.Equal(t, tribetest.DefaultNetworkID, out.Network.ID)
		assert.Equal(t, srv.GraphQLURL(), out.Endpoint)
		assert.NotEmpty(t, out.Expiry)
	})
	t.Run("bot", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_TOKEN", cmdtest.MintToken(t, srv, mint.NewCmdMint)), Args: []string{"-o", "json"}})
		cmdtest.RequireOK(t, r)
		var out Result
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
		require.NotNil(t, out.Member.Role)
		assert.Equal(t, "admin", out.Member.Role.Type)
	})
	t.Run("revoked token", func(t *testing.T) {
		tok := cmdtest.MintToken(t, srv, mint.NewCmdMint)
		require.NoError(t, srv.Revoke(tok))
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_TOKEN", tok)})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "invalid access token", "mint a new one")
		assert.NotContains(t, r.Stderr, tok)
	})
}

// TestWhoamiOutputInert has the servers answer whoami with names that hold
// terminal escapes.
func TestWhoamiOutputInert(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Networks[0].Name = cmdtest.Hostile
	for i := range fx.Networks[0].Members {
		fx.Networks[0].Members[i].Name = cmdtest.Hostile
	}
	srv := cmdtest.NewMock(t, tribetest.WithFixtures(fx))
	tok := cmdtest.MintToken(t, srv, mint.NewCmdMint, "--member", tribetest.PlainMemberID)
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_TOKEN", tok)

	r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env})
	cmdtest.RequireOK(t, r)
	cmdtest.AssertInertLines(t, r.Stdout)
	assert.Regexp(t, `(?m)^member\s+Eve\\x1b\[31m\\u202eevil\\u009b2J \(@carol`, r.Stdout)
	r = cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: env, Args: []string{"-o", "json"}})
	cmdtest.RequireOK(t, r)
	cmdtest.AssertInertLines(t, r.Stdout)
	var w Result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &w))
	assert.Equal(t, cmdtest.Hostile, w.Member.Name)

}
