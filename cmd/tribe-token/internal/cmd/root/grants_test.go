package root

import (
	"encoding/json"
	"net/url"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestPasswordAndExchange(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	tests := []struct {
		name     string
		inv      invocation
		identity string
		member   string
	}{
		{"password", invocation{env: env, args: args("password", "--username", "carol", "-o", "json")}, "user carol", "mem-carol"},
		{"password file on stdin", invocation{env: appEnv(srv), stdin: tribetest.DefaultPassword + "\n", args: args("password", "--token-url", srv.OAuthTokenURL(), "--username", "alice@example.com", "--password-file", "-", "-o", "json")}, "user alice@example.com", "mem-alice"},
		{"exchange email", invocation{env: env, args: args("exchange", "--email", "bob@example.com", "-o", "json")}, "email bob@example.com", "mem-bob"},
		{"exchange user id", invocation{env: env, args: args("exchange", "--community", srv.URL, "--user-id", "mem-carol", "-o", "json")}, "user mem-carol", "mem-carol"},
		{"exchange external id", invocation{env: env, args: args("exchange", "--external-id", "ext-alice", "-o", "json")}, "external id ext-alice", "mem-alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.inv)
			requireOK(t, r)
			var out struct{ Token, Type, Identity, Expiry string }
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
			assert.Equal(t, tt.identity, out.Identity)
			assert.NotEmpty(t, out.Expiry)
			assert.NotContains(t, r.stdout, "refresh_token", "only with --with-refresh-token")

			who := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": out.Token, "TRIBE_ENDPOINT": srv.GraphQLURL()}, args: args("whoami", "-o", "json")})
			requireOK(t, who)
			var w whoamiResult
			require.NoError(t, json.Unmarshal([]byte(who.stdout), &w))
			assert.Equal(t, tt.member, w.Member.ID)
		})
	}

	t.Run("refresh token on request", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("password", "--username", "carol", "-o", "env", "--with-refresh-token")})
		requireOK(t, r)
		assert.Regexp(t, `(?m)^export TRIBE_TOKEN='.+'$`, r.stdout)
		assert.Regexp(t, `(?m)^export TRIBE_REFRESH_TOKEN='.+'$`, r.stdout)
	})

	t.Run("wrong password", func(t *testing.T) {
		r := run(t, invocation{env: with(env, "TRIBE_PASSWORD", "not-the-password-123"), args: args("password", "--username", "carol")})
		requireFail(t, r, ExitFailure, "invalid_grant", "TRIBE_PASSWORD")
		assert.NotContains(t, r.stderr, "not-the-password-123")
	})
	t.Run("unknown user", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("exchange", "--email", "nobody@example.com")})
		requireFail(t, r, ExitFailure)
	})
	t.Run("bare token output", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("exchange", "--user-id", "mem-carol")})
		requireOK(t, r)
		assert.Equal(t, 1, strings.Count(r.stdout, "\n"))
	})
}

func TestRefresh(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	r := run(t, invocation{env: env, args: args("password", "--username", "carol", "-o", "json", "--with-refresh-token")})
	requireOK(t, r)
	var first struct {
		Token        string
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &first))
	require.NotEmpty(t, first.RefreshToken)

	file := writeFile(t, "refresh.txt", first.RefreshToken+"\n")
	r = run(t, invocation{env: env, args: args("refresh", "--refresh-token-file", file)})
	requireOK(t, r)
	assert.NotEqual(t, first.Token, strings.TrimSpace(r.stdout))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	second := strings.TrimSpace(string(b))
	assert.NotEqual(t, first.RefreshToken, second, "rotated in place")

	// The old refresh token no longer works…
	r = run(t, invocation{env: with(env, "TRIBE_REFRESH_TOKEN", first.RefreshToken), args: args("refresh", "-o", "json", "--with-refresh-token")})
	requireFail(t, r, ExitFailure, "invalid_grant", "already used")
	assert.NotContains(t, r.stderr, first.RefreshToken)
	// …the new one does, printed with its successor.
	r = run(t, invocation{env: with(env, "TRIBE_REFRESH_TOKEN", second), args: args("refresh", "-o", "env", "--with-refresh-token")})
	requireOK(t, r)
	assert.Regexp(t, `(?m)^export TRIBE_REFRESH_TOKEN='.+'$`, r.stdout)
	assert.NotContains(t, r.stdout, second)

	// A refresh token from the environment with nowhere to keep the new one
	// is refused before it is spent.
	r = run(t, invocation{env: with(env, "TRIBE_REFRESH_TOKEN", "whatever"), args: args("refresh")})
	requireFail(t, r, ExitUsage, "rotates refresh tokens")
}

// TestInsecureHTTP reaches the mock at a plain http URL whose host is not
// loopback (0.0.0.0, which Linux routes to this machine), as a mock in Docker
// would be: refused before anything is sent, unless --insecure-http.
func TestInsecureHTTP(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("connects to 0.0.0.0, which only Linux routes to the loopback listener")
	}
	srv := newMock(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	remote := "http://0.0.0.0:" + u.Port()
	env := with(appEnv(srv), "TRIBE_ENDPOINT", remote+"/graphql", "TRIBE_PASSWORD", tribetest.DefaultPassword)
	tok := mintToken(t, srv)
	rt := passwordRefreshToken(t, with(env, "TRIBE_COMMUNITY_URL", srv.URL))
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"mint", env, args("mint", "--network", tribetest.DefaultNetworkID)},
		{"whoami", with(env, "TRIBE_TOKEN", tok), args("whoami")},
		{"password", env, args("password", "--community", remote, "--username", "carol")},
		{"exchange", env, args("exchange", "--community", remote, "--email", "bob@example.com")},
		{"refresh", with(env, "TRIBE_REFRESH_TOKEN", rt), args("refresh", "--community", remote, "-o", "json", "--with-refresh-token")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, invocation{env: tt.env, args: tt.args})
			requireFail(t, r, ExitUsage, "plain http", "clear text")
			r = run(t, invocation{env: tt.env, args: append(tt.args, "--insecure-http")})
			requireOK(t, r)
			help := run(t, invocation{args: args(tt.name, "--help")})
			assert.Regexp(t, `--insecure-http\s+allow a plain http .*INSECURE: credentials and tokens travel in clear text`, strings.Join(strings.Fields(help.stdout), " ")) // help is wrapped
		})
	}
}
