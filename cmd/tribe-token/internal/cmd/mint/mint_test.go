package mint

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdMint(t *testing.T) {
	def := Options{Output: cmdutil.OutToken}
	with := func(f func(o *Options)) Options { o := def; f(&o); return o }
	cmdtest.RunFlagTable(t, NewCmdMint, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Args: nil, Want: def},
		{Name: "every flag", Args: []string{"--network", "n1", "--member", "m1", "--context", "space", "--entity", "s1", "--client-id", "id", "--client-secret-file", "-", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "json"},
			Want: Options{Network: "n1", Member: "m1", Context: "space", Entity: "s1", App: cmdutil.AppFlags{ClientID: "id", SecretFile: "-"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: "json"}},
		{Name: "region", Args: []string{"--region", "eu", "--output", "env"}, Want: with(func(o *Options) { o.Endpoint.Region = "eu"; o.Output = "env" })},
		{Name: "network context", Args: []string{"--context", "NETWORK"}, Want: with(func(o *Options) { o.Context = "NETWORK" })},
		{Name: "no retry", Args: []string{"--no-retry"}, Want: with(func(o *Options) { o.NoRetry = true })},
		{Name: "cache", Args: []string{"--cache", "redis://127.0.0.1:6379/0", "--cache-key-file", "key.txt"}, Want: with(func(o *Options) { o.Cache = cmdutil.CacheFlags{URL: "redis://127.0.0.1:6379/0", KeyFile: "key.txt"} })},
		{Name: "cache unencrypted", Args: []string{"--cache", "rediss://h:6380", "--cache-insecure-no-encryption"}, Want: with(func(o *Options) { o.Cache = cmdutil.CacheFlags{URL: "rediss://h:6380", InsecureNoEncryption: true} })},
		{Name: "cache key as a flag", Args: []string{"--cache-key", "x"}, WantErr: "unknown flag: --cache-key"},
		{Name: "unknown output", Args: []string{"-o", "yaml"}, WantErr: `unknown --output "yaml"`},
		{Name: "endpoint and region", Args: []string{"--region", "eu", "--endpoint", "https://x"}, WantErr: "--endpoint and --region both"},
		{Name: "unknown region", Args: []string{"--region", "mars"}, WantErr: `unknown --region "mars"`},
		{Name: "unknown context", Args: []string{"--context", "galaxy"}, WantErr: `--context "galaxy" is not a permission context`},
		{Name: "context without entity", Args: []string{"--context", "POST"}, WantErr: "--context POST needs --entity"},
		{Name: "network with a space", Args: []string{"--network", "n 1"}, WantErr: `--network "n 1" has spaces`},
		{Name: "member with a tab", Args: []string{"--member", "m\t1"}, WantErr: "--member"},
		{Name: "secret as a flag", Args: []string{"--client-secret", "x"}, WantErr: "unknown flag: --client-secret"},
		{Name: "argument", Args: []string{"extra"}, WantErr: "takes no arguments"},
	})
}

// requireOneLine checks a failed run's stderr: one line, the exit code,
// what it must say and what it must not.
func requireOneLine(t *testing.T, r cmdtest.Outcome, code int, want []string, notWant []string) {
	t.Helper()
	require.Equal(t, code, r.Code, r.Stderr)
	require.Empty(t, r.Stdout)
	require.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
	for _, w := range want {
		assert.Contains(t, r.Stderr, w)
	}
	for _, nw := range notWant {
		assert.NotContains(t, r.Stderr, nw)
	}
}

// TestMintRefusedCredentials: HTTP 401 names where the client id and
// secret came from, short, with no piece of the answer's body and no hint
// that the mock's settings are stale.
func TestMintRefusedCredentials(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.txt")
	require.NoError(t, os.WriteFile(secretFile, []byte("wrong-secret\n"), 0o600))
	withCreds, err := url.Parse(srv.GraphQLURL())
	require.NoError(t, err)
	withCreds.User = url.UserPassword(tribetest.DefaultClientID, "wrong-secret")
	unrelated := []string{"is it stale", "the endpoint was", `\"`, "secre…", "wrong-secret"}

	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    string
		notWant []string
	}{
		{"the secret of TRIBE_CLIENT_SECRET", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CLIENT_SECRET", "wrong-secret"), nil,
			"the app's credentials were refused; check the client id and secret (from TRIBE_CLIENT_ID / TRIBE_CLIENT_SECRET)", nil},
		{"the id of TRIBE_CLIENT_ID", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CLIENT_ID", "wrong-id"), nil,
			"check the client id and secret (from TRIBE_CLIENT_ID / TRIBE_CLIENT_SECRET)", nil},
		{"--client-id and --client-secret-file", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CLIENT_ID", "", "TRIBE_CLIENT_SECRET", ""), []string{"--client-id", tribetest.DefaultClientID, "--client-secret-file", secretFile},
			"check the client id and secret (from --client-id / --client-secret-file " + secretFile + ")", []string{"TRIBE_CLIENT_SECRET"}},
		{"credentials in the URL of --endpoint", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CLIENT_ID", "", "TRIBE_CLIENT_SECRET", "", "TRIBE_ENDPOINT", ""), []string{"--endpoint", withCreds.String()},
			"the client id and secret in the URL of --endpoint " + srv.GraphQLURL() + " were refused; check the credentials in that URL", []string{"set TRIBE_CLIENT", "TRIBE_CLIENT_SECRET"}},
		{"credentials in the URL of TRIBE_ENDPOINT", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CLIENT_ID", "", "TRIBE_CLIENT_SECRET", "", "TRIBE_ENDPOINT", withCreds.String()), nil,
			"the client id and secret in the URL of TRIBE_ENDPOINT=" + srv.GraphQLURL() + " (from the environment) were refused", []string{"set TRIBE_CLIENT"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdtest.Exec(t.Context(), tc.env, nil, NewCmdMint, tc.args...)
			requireOneLine(t, r, cmdutil.ExitFailure, []string{"HTTP 401 Unauthorized", tc.want}, append(unrelated, tc.notWant...))
			assert.Less(t, len(r.Stderr), 300, "short: %s", r.Stderr)
		})
	}
}

// TestMintEndpointPath: an endpoint whose path 404s asks whether the path
// should be /graphql, naming the flag or variable.
func TestMintEndpointPath(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	typo := strings.TrimSuffix(srv.GraphQLURL(), "l")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"--endpoint", cmdtest.APIEnv(srv), []string{"--endpoint", typo}, `is the path /graphql? --endpoint has the path "/graphq"`},
		{"TRIBE_ENDPOINT", cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_ENDPOINT", typo), nil, `is the path /graphql? TRIBE_ENDPOINT has the path "/graphq"`},
		{"a member, not asked about", cmdtest.APIEnv(srv), []string{"--endpoint", typo, "--member", tribetest.PlainMemberID}, `is the path /graphql? --endpoint has the path "/graphq"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdtest.Exec(t.Context(), tc.env, nil, NewCmdMint, tc.args...)
			requireOneLine(t, r, cmdutil.ExitFailure, []string{"HTTP 404 Not Found", tc.want}, []string{`\"`, "is it stale", "is mem"})
		})
	}
}

// TestMintRateLimited: with --no-retry a rate limit says so once, how to
// wait, and nothing about stale settings; without it, every wait is
// announced on stderr with how long, and the token comes.
func TestMintRateLimited(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	quick := func(f *cmdutil.Factory) { f.RateLimitWait = 10 * time.Millisecond }

	t.Run("--no-retry", func(t *testing.T) {
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: http.StatusTooManyRequests, Times: 1}))
		r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), quick, NewCmdMint, "--no-retry")
		requireOneLine(t, r, cmdutil.ExitFailure, []string{"limitedToken: rate limited (HTTP 429)", "leave out --no-retry to wait"},
			[]string{"is it stale", "the endpoint was", "gateway", `\"`})
		assert.Equal(t, 1, strings.Count(r.Stderr, "rate limited"), "said once: %s", r.Stderr)
	})
	t.Run("--no-retry, code 104 with a Retry-After", func(t *testing.T) {
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{RetryAfter: 3 * time.Second, Times: 1}))
		r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), quick, NewCmdMint, "--no-retry")
		requireOneLine(t, r, cmdutil.ExitFailure, []string{"rate limited", "retry after 3s", "leave out --no-retry to wait"}, []string{"is it stale", "the endpoint was"})
	})
	t.Run("waits are announced", func(t *testing.T) {
		srv.Reset()
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: http.StatusTooManyRequests, Times: 2}))
		r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), quick, NewCmdMint)
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Len(t, strings.Split(strings.TrimSpace(r.Stdout), "."), 3, "a token")
		assert.Equal(t, cmdtest.WaitLine("rate limited (HTTP 429)", "10ms", 2)+
			cmdtest.WaitLine("rate limited (HTTP 429)", "10ms", 3), r.Stderr)
		assert.Equal(t, 3, srv.Count("limitedToken"))
	})
	t.Run("a server failing for a moment", func(t *testing.T) {
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: http.StatusServiceUnavailable, Times: 1}))
		r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), quick, NewCmdMint)
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Contains(t, r.Stderr, "tribe-token: the server answered HTTP 503 Service Unavailable; waiting ")
		assert.Contains(t, r.Stderr, "before trying again (try 2 of 4)\n")
	})
}

// TestMintIsSuggested: "tribe-token token" and other near-misses suggest
// mint.
func TestMintIsSuggested(t *testing.T) {
	for _, word := range []string{"token", "get-token", "new-token", "mnit", "mintt"} {
		t.Run(word, func(t *testing.T) {
			line := cmdtest.Suggestion(t.Context(), NewCmdMint, word)
			assert.Contains(t, line, "unknown command; did you mean mint?")
			assert.NotContains(t, strings.ReplaceAll(line, cmdutil.ProgName, ""), word, "the word is not echoed (it may be a secret)")
		})
	}
}

func TestMint(t *testing.T) {
	srv := cmdtest.NewMock(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(tribetest.DefaultClientSecret+"\n"), 0o600))
	noSecret := map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID}
	gw := srv.GatewayURL(tribetest.DefaultNetworkID)

	tests := []struct {
		name     string
		inv      cmdtest.Invocation
		identity string
	}{
		{"bot", cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "-o", "json"}}, "bot@net-acme"},
		{"member", cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "--member", tribetest.PlainMemberID, "-o", "json"}}, "member mem-carol@net-acme"},
		{"secret file", cmdtest.Invocation{Env: noSecret, Args: []string{"--network", tribetest.DefaultNetworkID, "--endpoint", srv.GraphQLURL(), "--client-secret-file", secretFile, "-o", "json"}}, "bot@net-acme"},
		{"secret on stdin", cmdtest.Invocation{Env: noSecret, Stdin: tribetest.DefaultClientSecret + "\r\n", Args: []string{"--network", tribetest.DefaultNetworkID, "--endpoint", srv.GraphQLURL(), "--client-secret-file", "-", "-o", "json"}}, "bot@net-acme"},
		{"client id flag", cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret, "TRIBE_NETWORK_ID": tribetest.DefaultNetworkID}, Args: []string{"--client-id", tribetest.DefaultClientID, "--endpoint", srv.GraphQLURL(), "-o", "json"}}, "bot@net-acme"},
		{"context", cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "--context", "network", "--entity", tribetest.DefaultNetworkID, "-o", "json"}}, "bot@net-acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdMint, tt.inv)
			cmdtest.RequireOK(t, r)
			var out struct {
				Token, Type, Expiry, Identity string
				GatewayURL                    string `json:"gateway_url"`
			}
			require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
			assert.Equal(t, tt.identity, out.Identity)
			assert.Equal(t, "Bearer", out.Type)
			assert.Equal(t, gw, out.GatewayURL)
			assert.Len(t, strings.Split(out.Token, "."), 3)
			exp, err := time.Parse(time.RFC3339, out.Expiry)
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(time.Hour), exp, 2*time.Minute)
		})
	}
}

func TestMintOutputs(t *testing.T) {
	srv := cmdtest.NewMock(t)
	tok := cmdtest.MintToken(t, srv, NewCmdMint)
	assert.Len(t, strings.Split(tok, "."), 3)
	assert.NotContains(t, tok, "\n")

	r := cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID, "--output", "env"}})
	cmdtest.RequireOK(t, r)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	// Four lines since the gateway is tied to its token (TRIBE_GATEWAY_FOR).
	require.Len(t, lines, 4)
	assert.Regexp(t, `^export TRIBE_TOKEN='[A-Za-z0-9_\-.]+'$`, lines[0])
	assert.Regexp(t, `^export TRIBE_TOKEN_EXPIRY='\d{4}-\d\d-\d\dT[\d:]+Z'$`, lines[1])
	assert.Equal(t, "export TRIBE_GATEWAY_URL='"+srv.GatewayURL(tribetest.DefaultNetworkID)+"'", lines[2])
	assert.Regexp(t, `^export TRIBE_GATEWAY_FOR='sha256:[0-9a-f]{16}'$`, lines[3])
}

func TestMintServerRefusals(t *testing.T) {
	srv := cmdtest.NewMock(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"not installed", cmdtest.AppEnv(srv), []string{"--network", tribetest.OtherNetworkID}, []string{"Forbidden (code 102)", "installed on community net-other"}},
		{"unknown member", cmdtest.AppEnv(srv), []string{"--network", tribetest.DefaultNetworkID, "--member", "mem-nobody"}, []string{"mem-nobody"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{Env: tt.env, Args: tt.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitFailure, tt.want...)
		})
	}
}

func TestMintCacheUnencrypted(t *testing.T) {
	srv := cmdtest.NewMock(t)
	r := cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{Env: cmdtest.With(cmdtest.APIEnv(srv), "TRIBE_CACHE_URL", "redis://"+cmdtest.ClosedPort(t)), Args: []string{"--cache-insecure-no-encryption"}})
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Contains(t, r.Stderr, "tribe-token: warning: --cache-insecure-no-encryption: tokens are kept in Redis unencrypted")
}

// TestMintAnnouncesTheDefaultEndpoint: without an endpoint, mint says on
// stderr which it uses, sends only there, and names it again when it
// fails; not with an endpoint given, nor for a usage error.
func TestMintAnnouncesTheDefaultEndpoint(t *testing.T) {
	rt := &cmdtest.RecordingTransport{}
	r := cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "secret-value-1"}, Args: []string{"--network", "n", "--timeout", "2s"}, Hook: func(f *cmdutil.Factory) { f.Transport = rt }})
	assert.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(r.Stderr), "\n") {
		if !strings.Contains(l, "before trying again") { // each wait is announced
			lines = append(lines, l)
		}
	}
	require.Len(t, lines, 2, r.Stderr)
	assert.Equal(t, "tribe-token: using the default endpoint "+tribe.DefaultEndpoint+" (US); set --endpoint, --region eu or TRIBE_ENDPOINT for another", lines[0])
	u, err := url.Parse(tribe.DefaultEndpoint)
	require.NoError(t, err)
	for _, h := range rt.Sent() {
		assert.Equal(t, u.Host, h)
	}
	assert.Contains(t, lines[1], "the endpoint was the default endpoint "+tribe.DefaultEndpoint)

	t.Run("not with an endpoint", func(t *testing.T) {
		srv := cmdtest.NewMock(t)
		cmdtest.RequireOK(t, cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--network", tribetest.DefaultNetworkID}}))
	})
	t.Run("nor for usage errors", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdMint, cmdtest.Invocation{})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "missing:")
	})
}
