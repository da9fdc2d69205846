package root

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

// recordingTransport records the host of every request and sends none:
// nothing reaches the network.
type recordingTransport struct {
	mu    sync.Mutex
	hosts []string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.hosts = append(rt.hosts, r.URL.Host)
	return nil, errors.New("test transport: nothing is sent")
}

func (rt *recordingTransport) sent() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.hosts...)
}

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
		require.NoError(t, saveMeta(path, crmMeta{RedirectURL: "http://127.0.0.1/callback"}))
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
		{"mint TRIBE_ENDPOINT", with(tribeEnv, "TRIBE_ENDPOINT", remote+"/graphql"), func(*testing.T) []string { return args("mint") }, "TRIBE_ENDPOINT", false},
		{"whoami TRIBE_GATEWAY_URL", with(tribeEnv, "TRIBE_GATEWAY_URL", remote+"/gateway"), func(*testing.T) []string { return args("whoami") }, "TRIBE_GATEWAY_URL", false},
		{"whoami --endpoint", tribeEnv, func(*testing.T) []string { return args("whoami", "--endpoint", remote) }, "--endpoint", false},
		{"password --community", tribeEnv, func(*testing.T) []string { return args("password", "--community", remote, "--username", "u") }, "--community", false},
		{"exchange --token-url", tribeEnv, func(*testing.T) []string {
			return args("exchange", "--token-url", remote+"/api/v1/oauth/token", "--email", "a@example.com")
		}, "--token-url", false},
		{"refresh TRIBE_COMMUNITY_URL", with(tribeEnv, "TRIBE_COMMUNITY_URL", remote), func(*testing.T) []string { return args("refresh", "-o", "json", "--with-refresh-token") }, "TRIBE_COMMUNITY_URL", false},
		{"api --endpoint", tribeEnv, func(*testing.T) []string {
			return args("api", "--network", "n", "--endpoint", remote+"/graphql", "{ network { id } }")
		}, "--endpoint", false},
		{"api TRIBE_GATEWAY_URL", with(tribeEnv, "TRIBE_TOKEN", "tok-value", "TRIBE_GATEWAY_URL", remote+"/graphql"), func(*testing.T) []string {
			return args("api", "{ network { id } }")
		}, "TRIBE_GATEWAY_URL", false},
		{"schema pull --endpoint", tribeEnv, func(*testing.T) []string {
			return args("schema", "pull", "--network", "n", "--endpoint", remote+"/graphql")
		}, "--endpoint", false},
		{"crm token client-credentials --base-url", crmEnv, func(t *testing.T) []string {
			return args("crm", "token", "--grant", "client-credentials", "--base-url", remote, "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--base-url", false},
		{"crm token refresh-token --token-url", with(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", "crm-refresh-value"), func(t *testing.T) []string {
			return args("crm", "token", "--grant", "refresh-token", "--redirect-url", "http://127.0.0.1/callback", "--token-url", remote+"/oauth2/token", "--store", filepath.Join(t.TempDir(), "s.json"))
		}, "--token-url", false},
		{"crm token stored TRIBE_CRM_BASE_URL", with(crmEnv, "TRIBE_CRM_BASE_URL", remote), func(t *testing.T) []string {
			return args("crm", "token", "--store", store(t, true))
		}, "TRIBE_CRM_BASE_URL", false},
		{"crm whoami --api-url", with(crmEnv, "TRIBE_CRM_TOKEN", "crm-access-value"), func(t *testing.T) []string {
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
			rt := &recordingTransport{}
			hook := func(f *cmdutil.Factory) { f.Transport = rt }
			r := runHooked(t, invocation{env: tt.env, args: tt.args(t)}, hook)
			requireFail(t, r, ExitUsage, tt.source+" is plain http to "+remoteHost, "clear text", "use an https URL, or pass --insecure-http")
			assert.Empty(t, rt.sent(), "nothing sent")

			r = runHooked(t, invocation{env: tt.env, args: append(tt.args(t), "--insecure-http")}, hook)
			assert.Equal(t, ExitFailure, r.code, "stderr: %s", r.stderr)
			assert.NotContains(t, r.stderr, "plain http")
			if tt.login {
				assert.Contains(t, r.stderr, remote+"/oauth2/auth?", "the consent URL is shown")
				assert.Contains(t, r.stderr, "did not come back")
				return
			}
			assert.Contains(t, r.stderr, "test transport: nothing is sent")
			assert.Equal(t, []string{remoteHost}, rt.sent()[:1], "sent only to the transport")
		})
	}

	t.Run("loopback is plain http's one exception", func(t *testing.T) {
		for _, u := range []string{"http://127.0.0.2:1", "http://localhost:1", "http://[::1]:1", "HTTP://LOCALHOST:1"} {
			rt := &recordingTransport{}
			r := runHooked(t, invocation{env: crmEnv, args: args("crm", "token", "--grant", "client-credentials", "--base-url", u, "--store", filepath.Join(t.TempDir(), "s.json"))}, func(f *cmdutil.Factory) { f.Transport = rt })
			assert.Equal(t, ExitFailure, r.code, "%s: %s", u, r.stderr)
			assert.Len(t, rt.sent(), 1, u)
		}
	})
	t.Run("userinfo is not shown", func(t *testing.T) {
		r := run(t, invocation{env: tribeEnv, args: args("mint", "--endpoint", "http://app-id:userinfo-secret@"+remoteHost+"/graphql")})
		requireFail(t, r, ExitUsage, "--endpoint is plain http to "+remoteHost)
		assert.NotContains(t, r.stderr, "userinfo-secret")
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
			got = append(got, strings.TrimPrefix(c.CommandPath(), progName+" "))
			assert.Equal(t, insecureHelp, f.Usage, c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot())
	assert.ElementsMatch(t, want, got)

	for _, cmd := range want {
		r := run(t, invocation{args: append(strings.Fields(cmd), "--help")})
		requireOK(t, r)
		assert.Regexp(t, `--insecure-http\s+`+regexp.QuoteMeta(insecureHelp), strings.Join(strings.Fields(r.stdout), " "), cmd) // help is wrapped
	}
}
