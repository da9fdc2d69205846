package cli

import (
	"bytes"
	"context"
	"encoding/json"
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
	ctx, cancel := context.WithCancel(t.Context())
	stdout := &lineWriter{lines: make(chan string, 16)}
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append(args("mock"), extra...), strings.NewReader(""), stdout, &stderr, func(string) string { return "" })
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
	return lines
}

func TestMockText(t *testing.T) {
	lines := startMock(t, 5)
	require.True(t, strings.HasPrefix(lines[0], "graphql=http://127.0.0.1:"), lines[0])
	graphql := strings.TrimPrefix(lines[0], "graphql=")
	base := strings.TrimSuffix(graphql, "/graphql")
	assert.Equal(t, []string{
		"graphql=" + base + "/graphql",
		"oauth=" + base + "/api/v1/oauth/token",
		"url=" + base,
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
	lines := startMock(t, 5, "--output", "env", "--print-credentials")
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
	lines := startMock(t, 8, "--crm", "--print-credentials", "-o", "env")
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
