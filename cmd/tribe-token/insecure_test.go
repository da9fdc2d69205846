package main

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/password"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/root"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// remoteHost is in TEST-NET-1 (RFC 5737): not loopback, and never
// contacted, as the transport sends nothing.
const remoteHost = "192.0.2.1:1"

// TestInsecureHTTPEverywhere checks the one rule for plain http: every
// command that sends a secret or a token refuses a plain http URL to a host
// that is not loopback before sending anything, naming where the URL came
// from, with exit code 2; --insecure-http lets the request go (to a
// transport that records it and sends nothing).
func TestInsecureHTTPEverywhere(t *testing.T) {
	const remote = "http://" + remoteHost
	tribeEnv := map[string]string{
		"TRIBE_CLIENT_ID":     "app-id",
		"TRIBE_CLIENT_SECRET": "app-secret-value",
		"TRIBE_PASSWORD":      "password-value",
		"TRIBE_REFRESH_TOKEN": "refresh-token-value",
		"TRIBE_TOKEN":         "access-token-value",
		"TRIBE_NETWORK_ID":    "net-1",
	}
	crmEnv := map[string]string{
		"TRIBE_CRM_CLIENT_ID":     "crm-id",
		"TRIBE_CRM_CLIENT_SECRET": "crm-secret-value",
	}
	store := func(t *testing.T, expired bool) string {
		path := filepath.Join(t.TempDir(), "crm-token.json")
		tok := &oauth2.Token{AccessToken: "stored-access", RefreshToken: "stored-refresh", TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}
		if expired {
			tok.Expiry = time.Now().Add(-time.Hour)
		}
		require.NoError(t, crm.FileStore{Path: path}.Save(context.Background(), tok))
		require.NoError(t, shared.SaveMeta(path, shared.Meta{RedirectURL: "http://127.0.0.1/callback"}))
		return path
	}

	tests := []struct {
		name   string
		env    map[string]string
		args   func(t *testing.T) []string
		source string
		// login: the command sends nothing itself with --insecure-http
		// (the browser would); it prints the consent URL instead.
		login bool
	}{
		{"mint --endpoint", tribeEnv, func(*testing.T) []string { return args("mint", "--endpoint", remote+"/graphql") }, "--endpoint", false},
		{"mint TRIBE_ENDPOINT", cmdtest.With(tribeEnv, "TRIBE_ENDPOINT", remote+"/graphql"), func(*testing.T) []string { return args("mint") }, "TRIBE_ENDPOINT", false},
		{"whoami TRIBE_GATEWAY_URL", cmdtest.With(tribeEnv, "TRIBE_GATEWAY_URL", remote+"/gateway"), func(*testing.T) []string { return args("whoami") }, "TRIBE_GATEWAY_URL", false},
		{"whoami --endpoint", tribeEnv, func(*testing.T) []string { return args("whoami", "--endpoint", remote) }, "--endpoint", false},
		{"password --community", tribeEnv, func(*testing.T) []string { return args("password", "--community", remote, "--username", "u") }, "--community", false},
		{"exchange --token-url", tribeEnv, func(*testing.T) []string {
			return args("exchange", "--token-url", remote+"/api/v1/oauth/token", "--email", "a@example.com")
		}, "--token-url", false},
		{"refresh TRIBE_COMMUNITY_URL", cmdtest.With(tribeEnv, "TRIBE_COMMUNITY_URL", remote), func(*testing.T) []string { return args("refresh", "-o", "json", "--with-refresh-token") }, "TRIBE_COMMUNITY_URL", false},
		{"api --endpoint", tribeEnv, func(*testing.T) []string {
			return args("api", "--network", "n", "--endpoint", remote+"/graphql", "{ network { id } }")
		}, "--endpoint", false},
		{"api TRIBE_GATEWAY_URL", cmdtest.With(tribeEnv, "TRIBE_TOKEN", "tok-value", "TRIBE_GATEWAY_URL", remote+"/graphql"), func(*testing.T) []string {
			return args("api", "{ network { id } }")
		}, "TRIBE_GATEWAY_URL", false},
		{"schema pull --endpoint", tribeEnv, func(*testing.T) []string {
			return args("schema", "pull", "--network", "n", "--endpoint", remote+"/graphql")
		}, "--endpoint", false},
		{"crm token client-credentials --base-url", crmEnv, func(t *testing.T) []string {
			return args("crm", "token", "--grant", "client-credentials", "--base-url", remote, "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--base-url", false},
		{"crm token refresh-token --token-url", cmdtest.With(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", "crm-refresh-value"), func(t *testing.T) []string {
			return args("crm", "token", "--grant", "refresh-token", "--redirect-url", "http://127.0.0.1/callback", "--token-url", remote+"/oauth2/token", "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--token-url", false},
		{"crm token stored TRIBE_CRM_BASE_URL", cmdtest.With(crmEnv, "TRIBE_CRM_BASE_URL", remote), func(t *testing.T) []string {
			return args("crm", "token", "--store", store(t, true))
		}, "TRIBE_CRM_BASE_URL", false},
		{"crm whoami --api-url", cmdtest.With(crmEnv, "TRIBE_CRM_TOKEN", "crm-access-value"), func(t *testing.T) []string {
			return args("crm", "whoami", "--api-url", remote)
		}, "--api-url", false},
		{"crm whoami stored --base-url", crmEnv, func(t *testing.T) []string {
			return args("crm", "whoami", "--base-url", remote, "--store", store(t, false))
		}, "--base-url", false},
		{"crm login --auth-url", crmEnv, func(t *testing.T) []string {
			return args("crm", "login", "--wait", "50ms", "--auth-url", remote+"/oauth2/auth", "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--auth-url", true},
		{"crm login --base-url", crmEnv, func(t *testing.T) []string {
			return args("crm", "login", "--wait", "50ms", "--base-url", remote, "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--base-url", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The Tribe library retries a failed request after a pause.
			t.Parallel()
			rt := &cmdtest.RecordingTransport{}
			hook := func(f *cmdutil.Factory) { f.Transport = rt }
			r := run(t, cmdtest.Invocation{Env: tt.env, Args: tt.args(t), Hook: hook})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.source+" is plain http to "+remoteHost, "clear text", "use an https URL, or pass --insecure-http")
			assert.Empty(t, rt.Sent(), "nothing sent")

			r = run(t, cmdtest.Invocation{Env: tt.env, Args: append(tt.args(t), "--insecure-http"), Hook: hook})
			assert.Equal(t, cmdutil.ExitFailure, r.Code, "stderr: %s", r.Stderr)
			assert.NotContains(t, r.Stderr, "plain http")
			if tt.login {
				assert.Contains(t, r.Stderr, remote+"/oauth2/auth?", "the consent URL is shown")
				assert.Contains(t, r.Stderr, "did not come back")
				return
			}
			assert.Contains(t, r.Stderr, cmdtest.NotSent)
			assert.Equal(t, []string{remoteHost}, rt.Sent()[:1], "sent only to the transport")
		})
	}

	t.Run("loopback is plain http's one exception", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.2:1", "http://localhost:1", "http://[::1]:1", "HTTP://LOCALHOST:1"} {
			rt := &cmdtest.RecordingTransport{}
			r := run(t, cmdtest.Invocation{Env: crmEnv, Args: args("crm", "token", "--grant", "client-credentials", "--base-url", u, "--store", filepath.Join(t.TempDir(), "s.json")), Hook: func(f *cmdutil.Factory) { f.Transport = rt }})
			assert.Equal(t, cmdutil.ExitFailure, r.Code, "%s: %s", u, r.Stderr)
			assert.Len(t, rt.Sent(), 1, u)
		}
	})
	t.Run("userinfo is not shown", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Env: tribeEnv, Args: args("mint", "--endpoint", "http://app-id:userinfo-secret@"+remoteHost+"/graphql")})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "--endpoint is plain http to "+remoteHost)
		assert.NotContains(t, r.Stderr, "userinfo-secret")
	})
}

// TestInsecureHTTPFlagEverywhere checks that every command that sends a
// secret has --insecure-http, with one help text.
func TestInsecureHTTPFlagEverywhere(t *testing.T) {
	want := []string{"api", "crm login", "crm token", "crm whoami", "exchange", "mint", "password", "refresh", "schema pull", "whoami"}
	var got []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("insecure-http"); f != nil {
			got = append(got, strings.TrimPrefix(c.CommandPath(), cmdutil.ProgName+" "))
			assert.Equal(t, cmdutil.InsecureHelp, f.Usage, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	f, _, _ := cmdtest.Factory(nil, "")
	walk(root.NewCmdRoot(f))
	assert.ElementsMatch(t, want, got)

	for _, cmd := range want {
		r := run(t, cmdtest.Invocation{Args: append(strings.Fields(cmd), "--help")})
		cmdtest.RequireOK(t, r)
		assert.Regexp(t, `--insecure-http\s+`+regexp.QuoteMeta(cmdutil.InsecureHelp), strings.Join(strings.Fields(r.Stdout), " "), cmd) // help is wrapped
	}
}

// TestInsecureHTTP reaches the mock at a plain http URL whose host is not
// loopback (0.0.0.0, which Linux routes to this machine), as a mock in Docker
// would be: refused before anything is sent, unless --insecure-http.
func TestInsecureHTTP(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("connects to 0.0.0.0, which only Linux routes to the loopback listener")
	}
	srv := cmdtest.NewMock(t)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	remote := "http://0.0.0.0:" + u.Port()
	env := cmdtest.With(cmdtest.AppEnv(srv), "TRIBE_ENDPOINT", remote+"/graphql", "TRIBE_PASSWORD", tribetest.DefaultPassword)
	tok := cmdtest.MintToken(t, srv, mint.NewCmdMint)
	rt := cmdtest.PasswordRefreshToken(t, cmdtest.With(env, "TRIBE_COMMUNITY_URL", srv.URL), password.NewCmdPassword)
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"mint", env, args("mint", "--network", tribetest.DefaultNetworkID)},
		{"whoami", cmdtest.With(env, "TRIBE_TOKEN", tok), args("whoami")},
		{"password", env, args("password", "--community", remote, "--username", "carol")},
		{"exchange", env, args("exchange", "--community", remote, "--email", "bob@example.com")},
		{"refresh", cmdtest.With(env, "TRIBE_REFRESH_TOKEN", rt), args("refresh", "--community", remote, "-o", "json", "--with-refresh-token")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tt.env, Args: tt.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "plain http", "clear text")
			r = run(t, cmdtest.Invocation{Env: tt.env, Args: append(tt.args, "--insecure-http")})
			cmdtest.RequireOK(t, r)
			help := run(t, cmdtest.Invocation{Args: args(tt.name, "--help")})
			assert.Regexp(t, `--insecure-http\s+allow a plain http .*INSECURE: credentials and tokens travel in clear text`, strings.Join(strings.Fields(help.Stdout), " ")) // help is wrapped
		})
	}
}
