package root

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// startMock runs "mock" in-process until the test ends and returns the
// lines it printed first.
func startMock(t *testing.T, n int, extra ...string) []string {
	t.Helper()
	lines, _ := startMockStderr(t, n, extra...)
	return lines
}

// startMockStderr is startMock that also returns what the mock wrote on
// stderr (safe to read while it runs).
func startMockStderr(t *testing.T, n int, extra ...string) ([]string, *lineWriter) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout := &lineWriter{lines: make(chan string, 16)}
	stderr := &lineWriter{lines: make(chan string, 16)}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append(args("mock"), extra...), strings.NewReader(""), stdout, stderr, func(string) string { return "" })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, ExitOK, code, stderr.String())
		case <-time.After(5 * time.Second):
			t.Error("mock did not stop")
		}
	})
	var lines []string
	timeout := time.After(5 * time.Second)
	for len(lines) < n {
		select {
		case l := <-stdout.lines:
			lines = append(lines, l)
		case code := <-done:
			done <- code
			t.Fatalf("mock ended with %d: %s", code, stderr.String())
		case <-timeout:
			t.Fatalf("mock printed %q", stdout.String())
		}
	}
	return lines, stderr
}

func TestMockText(t *testing.T) {
	lines := startMock(t, 6)
	require.True(t, strings.HasPrefix(lines[0], "graphql=http://127.0.0.1:"), lines[0])
	graphql := strings.TrimPrefix(lines[0], "graphql=")
	base := strings.TrimSuffix(graphql, "/graphql")
	assert.Equal(t, []string{
		"graphql=" + base + "/graphql",
		"oauth=" + base + "/api/v1/oauth/token",
		"url=" + base,
		"listen=" + strings.TrimPrefix(base, "http://"),
		"network=" + tribetest.DefaultNetworkID,
		"client_id=" + tribetest.DefaultClientID,
	}, lines)

	// The server it runs answers the real client code.
	r := run(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret}, args: args("mint", "--endpoint", graphql, "--network", tribetest.DefaultNetworkID, "--member", tribetest.AdminMemberID)})
	requireOK(t, r)
	r = run(t, invocation{env: map[string]string{"TRIBE_TOKEN": strings.TrimSpace(r.stdout), "TRIBE_ENDPOINT": graphql}, args: args("whoami")})
	requireOK(t, r)
	assert.Contains(t, r.stdout, "Alice Admin")
}

func TestMockEnvOutputDrivesTheOtherCommands(t *testing.T) {
	lines := startMock(t, 6, "--output", "env", "--print-credentials")
	env := map[string]string{}
	for _, l := range lines {
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		require.True(t, ok, l)
		env[k] = strings.Trim(v, "'")
	}
	assert.Equal(t, tribetest.DefaultClientSecret, env["TRIBE_CLIENT_SECRET"])
	r := run(t, invocation{env: env, args: args("mint", "-o", "env")})
	requireOK(t, r)
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		env[k] = strings.Trim(v, "'")
	}
	r = run(t, invocation{env: env, args: args("whoami")})
	requireOK(t, r)
	assert.Contains(t, r.stdout, "Acme Community")
	r = run(t, invocation{env: with(env, "TRIBE_PASSWORD", tribetest.DefaultPassword), args: args("password", "--username", "bob")})
	requireOK(t, r)
}

func TestMockJSONWithFixtures(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Apps[0].ClientID, fx.Apps[0].ClientSecret = "fixture-app", "fixture-app-secret"
	b, err := json.Marshal(fx)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixtures.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	lines := startMock(t, 1, "--fixtures", path, "-o", "json")
	var info mockInfo
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &info))
	assert.Equal(t, "fixture-app", info.ClientID)
	assert.Empty(t, info.ClientSecret, "only with --print-credentials")
	assert.True(t, strings.HasSuffix(info.GraphQL, "/graphql"))
	assert.True(t, strings.HasSuffix(info.OAuth, "/api/v1/oauth/token"))
	r := run(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": "fixture-app", "TRIBE_CLIENT_SECRET": "fixture-app-secret", "TRIBE_ENDPOINT": info.GraphQL}, args: args("mint", "--network", info.NetworkID)})
	requireOK(t, r)
}

func TestMockWithCRM(t *testing.T) {
	lines := startMock(t, 9, "--crm", "--print-credentials", "-o", "env")
	env := map[string]string{}
	for _, l := range lines {
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		env[k] = strings.Trim(v, "'")
	}
	require.Contains(t, env, "TRIBE_CRM_BASE_URL")
	store := filepath.Join(t.TempDir(), "crm.json")
	r := run(t, invocation{env: env, args: args("crm", "token", "--grant", "client-credentials")})
	requireOK(t, r)
	r = run(t, invocation{env: env, args: args("crm", "whoami", "--grant", "client-credentials", "--store", store)})
	requireOK(t, r)
	assert.Contains(t, r.stdout, "employee")
}

// TestMockListenAddress: the mock prints the address it really listens on
// and, when that is not loopback, warns on stderr that anyone who can
// reach the machine can use it with the default fixtures' public
// credentials; its URLs stay loopback ones that clients can use.
func TestMockListenAddress(t *testing.T) {
	tests := []struct {
		addr       string
		listenHost []string // any of
		warn       bool
	}{
		{"127.0.0.1:0", []string{"127.0.0.1"}, false},
		{"localhost:0", []string{"127.0.0.1", "::1"}, false},
		// Go listens on both families for an unspecified IPv4 address
		// where it can, and says so.
		{"0.0.0.0:0", []string{"0.0.0.0", "::"}, true},
		{":0", []string{"::", "0.0.0.0"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			lines, stderr := startMockStderr(t, 1, "--addr", tc.addr, "-o", "json")
			var info mockInfo
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &info))
			host, port, err := net.SplitHostPort(info.Listen)
			require.NoError(t, err, info.Listen)
			assert.Contains(t, tc.listenHost, host, "listen=%s", info.Listen)
			assert.NotEqual(t, "0", port)
			ip := net.ParseIP(host)
			require.NotNil(t, ip, host)
			assert.True(t, strings.HasPrefix(info.URL, "http://127.0.0.1:"+port) || strings.HasPrefix(info.URL, "http://[::1]:"+port), "a loopback URL for clients: %s", info.URL)

			// The URL printed works.
			r := run(t, invocation{env: map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret}, args: args("mint", "--endpoint", info.GraphQL, "--network", info.NetworkID)})
			requireOK(t, r)

			// The warning comes before the information on stdout.
			warning := "warning: the mock Tribe server listens on " + info.Listen + ", not only on loopback"
			if tc.warn {
				assert.Contains(t, stderr.String(), warning)
				assert.Contains(t, stderr.String(), "default fixtures' credentials, which are public")
				assert.NotContains(t, stderr.String(), tribetest.DefaultClientSecret)
			} else {
				assert.NotContains(t, stderr.String(), "warning")
			}
		})
	}
}

func TestMockListenLine(t *testing.T) {
	lines := startMock(t, 4, "--addr", "127.0.0.1:0")
	require.True(t, strings.HasPrefix(lines[3], "listen=127.0.0.1:"), lines[3])
	lines = startMock(t, 3, "--addr", "127.0.0.1:0", "-o", "env")
	require.True(t, strings.HasPrefix(lines[2], "export TRIBE_MOCK_LISTEN='127.0.0.1:"), lines[2])
}
