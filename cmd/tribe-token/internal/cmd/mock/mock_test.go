package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	crmtoken "github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/token"
	crmwhoami "github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/password"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdMock(t *testing.T) {
	def := Options{Addr: "127.0.0.1:0", Output: "text", ListLength: 2, PageTotal: 20}
	cmdtest.RunFlagTable(t, NewCmdMock, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: def},
		{Name: "every flag", Args: []string{"--addr", ":8080", "--fixtures", "fx.json", "--print-credentials", "--token-lifetime", "5m", "--log", "--crm", "-o", "env",
			"--schema", "s.gql", "--list-length", "3", "--page-total", "50"},
			Want: Options{Addr: ":8080", Fixtures: "fx.json", PrintCredentials: true, TokenLifetime: 5 * time.Minute, Log: true, CRM: true, Output: "env",
				Schema: "s.gql", ListLength: 3, PageTotal: 50}},
		{Name: "admin", Args: []string{"--admin", "--addr", "[::1]:0"}, Want: Options{Addr: "[::1]:0", Output: "text", ListLength: 2, PageTotal: 20, Admin: true}},
		{Name: "json", Args: []string{"-o", "json"}, Want: Options{Addr: "127.0.0.1:0", Output: "json", ListLength: 2, PageTotal: 20}},
		{Name: "short lifetime", Args: []string{"--token-lifetime", "10ms"}, WantErr: "--token-lifetime 10ms is too short"},
		{Name: "addr without port", Args: []string{"--addr", "nonsense"}, WantErr: `--addr "nonsense" is not HOST:PORT`},
		{Name: "addr bad port", Args: []string{"--addr", "127.0.0.1:99999"}, WantErr: "--addr \"127.0.0.1:99999\" has no port number"},
		{Name: "table output", Args: []string{"-o", "table"}, WantErr: `unknown --output "table"`},
		{Name: "admin on every interface", Args: []string{"--admin", "--addr", ":8080"}, WantErr: `--admin needs a loopback --addr, not ":8080"`},
		{Name: "admin on an address", Args: []string{"--admin", "--addr", "192.0.2.1:8080"}, WantErr: "--admin needs a loopback --addr"},
		{Name: "negative list length", Args: []string{"--list-length", "-1"}, WantErr: "--list-length -1 is not from 0 to 10000"},
		{Name: "huge page total", Args: []string{"--page-total", "10001"}, WantErr: "--page-total 10001 is not from 0 to 10000"},
		{Name: "rate limit", Args: []string{"--rate-limit", "requests=3,complexity=100,window=2s,dailyRequests=50"},
			Want: Options{Addr: "127.0.0.1:0", Output: "text", ListLength: 2, PageTotal: 20, RateLimit: "requests=3,complexity=100,window=2s,dailyRequests=50",
				Limits: &tribetest.RateLimits{Requests: 3, Complexity: 100, Window: 2 * time.Second, DailyRequests: 50}}},
		{Name: "rate limit without value", Args: []string{"--rate-limit", "requests"}, WantErr: `"requests" is not name=value`},
		{Name: "rate limit bad window", Args: []string{"--rate-limit", "window=soon"}, WantErr: "window=soon is not a positive duration"},
		{Name: "rate limit unknown", Args: []string{"--rate-limit", "burst=3"}, WantErr: `unknown limit "burst"`},
		{Name: "rate limit negative", Args: []string{"--rate-limit", "requests=-1"}, WantErr: "requests=-1 is not a whole number"},
		{Name: "rate limit twice", Args: []string{"--rate-limit", "requests=1,requests=2"}, WantErr: "requests is given twice"},
	})
}

// firstWrite is an io.Writer that hands its first write to a channel.
type firstWrite struct {
	once sync.Once
	ch   chan string
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { w.ch <- string(p) })
	return len(p), nil
}

// runMock runs mockRun until the test ends and returns what it printed
// first.
func runMock(t *testing.T, o *Options) Info {
	t.Helper()
	out := &firstWrite{ch: make(chan string, 1)}
	o.Factory = &cmdutil.Factory{Out: out, ErrOut: io.Discard, Getenv: func(string) string { return "" }}
	o.Output = cmdutil.OutJSON
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mockRun(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("mock did not stop")
		}
	})
	var info Info
	select {
	case line := <-out.ch:
		require.NoError(t, json.Unmarshal([]byte(line), &info))
	case err := <-done:
		t.Fatalf("mock ended: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("mock printed nothing")
	}
	return info
}

func post(t *testing.T, url, auth, ctype, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// token mints a bot token from the running mock with the default app.
func token(t *testing.T, info Info) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"query":     `query($n: String!) { limitedToken(context: NETWORK, entityId: $n, networkId: $n) { accessToken } }`,
		"variables": map[string]any{"n": tribetest.DefaultNetworkID},
	})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, info.GraphQL, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(tribetest.DefaultClientID, tribetest.DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Data struct{ LimitedToken struct{ AccessToken string } }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NotEmpty(t, out.Data.LimitedToken.AccessToken)
	return "Bearer " + out.Data.LimitedToken.AccessToken
}

// TestMockSchemaAndAdmin: --schema serves a schema of one's own (SDL or
// the published one), mocked; --admin serves the admin API and prints its
// URL; without --admin there is none.
func TestMockSchemaAndAdmin(t *testing.T) {
	dir := t.TempDir()
	sdl := filepath.Join(dir, "schema.graphql")
	require.NoError(t, os.WriteFile(sdl, []byte(`type Query { limitedToken(context: PermissionContext!, entityId: String!, networkId: String!, impersonateMemberId: String): AppToken!
  widgets: [Widget!]! }
enum PermissionContext { NETWORK MEMBER }
type AppToken { accessToken: String! gatewayUrl: String }
type Widget { id: ID! name: String! }`), 0o644))

	info := runMock(t, &Options{Addr: "127.0.0.1:0", Schema: sdl, Admin: true, ListLength: 3, PageTotal: 20})
	assert.Equal(t, strings.TrimSuffix(info.GraphQL, "/graphql")+"/__admin", info.Admin, "no trailing slash")
	auth := token(t, info)
	status, out := post(t, info.GraphQL, auth, "application/json", `{"query":"{ widgets { id name } }"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, out["data"].(map[string]any)["widgets"], 3, "--list-length")
	status, out = post(t, info.Admin+"/stubs", "", "application/json", `{"type":"Query","field":"widgets","value":[{"id":"w1","name":"stubbed"}]}`)
	require.Equal(t, http.StatusOK, status, out)
	_, out = post(t, info.GraphQL, auth, "application/json", `{"query":"{ widgets { id name } }"}`)
	assert.Equal(t, []any{map[string]any{"id": "w1", "name": "stubbed"}}, out["data"].(map[string]any)["widgets"])

	plain := runMock(t, &Options{Addr: "127.0.0.1:0", ListLength: 2, PageTotal: 20})
	assert.Empty(t, plain.Admin)
	status, _ = post(t, strings.TrimSuffix(plain.GraphQL, "/graphql")+"/__admin/reset", "", "application/json", `{}`)
	assert.Equal(t, http.StatusNotFound, status, "no admin API without --admin")

	pub := runMock(t, &Options{Addr: "127.0.0.1:0", Schema: testenv.PublishedSchema(t), ListLength: 2, PageTotal: 20})
	status, out = post(t, pub.GraphQL, token(t, pub), "application/json", `{"query":"{ spaces(limit: 3) { totalCount nodes { id name } } }"}`)
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 20, out["data"].(map[string]any)["spaces"].(map[string]any)["totalCount"], "--page-total")

	bad := filepath.Join(dir, "bad.graphql")
	require.NoError(t, os.WriteFile(bad, []byte(`type Query { x: Nope }`), 0o644))
	f, _, _ := cmdtest.Factory(nil, "")
	err := mockRun(t.Context(), &Options{Factory: f, Addr: "127.0.0.1:0", Schema: bad, ListLength: 2, PageTotal: 20})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading --schema "+bad)
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMockSaysHowToStopIt: Ctrl-C only where it reaches the mock, in the
// foreground of a terminal; kill with the process id elsewhere (a job in
// the background, a script, a test harness), as the README stops it.
func TestMockSaysHowToStopIt(t *testing.T) {
	tests := []struct {
		name       string
		foreground func() bool
		want       []string
		notWant    string
	}{
		{"in the background or a script", nil, []string{fmt.Sprintf("stop it with kill %d (SIGTERM)", os.Getpid()), "a second SIGTERM ends it at once"}, "Ctrl-C"},
		{"in the foreground of a terminal", func() bool { return true }, []string{"stop it with Ctrl-C\n", "a second Ctrl-C ends it at once"}, "kill "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			o := &Options{Addr: "127.0.0.1:0", ListLength: 2, PageTotal: 20, Output: cmdutil.OutText, foreground: tc.foreground,
				Factory: &cmdutil.Factory{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr, Getenv: func(string) string { return "" }}}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- mockRun(ctx, o) }()
			require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "mock Tribe server at ") }, 5*time.Second, 10*time.Millisecond)
			cancel()
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(5 * time.Second):
				t.Fatal("mock did not stop")
			}
			for _, w := range tc.want {
				assert.Contains(t, stderr.String(), w)
			}
			assert.NotContains(t, stderr.String(), tc.notWant)
		})
	}
}

// TestMockAdminVariable: TRIBE_MOCK_ADMIN has no trailing slash, so the
// README's "$TRIBE_MOCK_ADMIN/counts" reaches the counts.
func TestMockAdminVariable(t *testing.T) {
	var stdout syncBuffer
	o := &Options{Addr: "127.0.0.1:0", ListLength: 2, PageTotal: 20, Output: cmdutil.OutEnv, Admin: true,
		Factory: &cmdutil.Factory{In: strings.NewReader(""), Out: &stdout, ErrOut: io.Discard, Getenv: func(string) string { return "" }}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mockRun(ctx, o) }()
	defer func() {
		cancel()
		assert.NoError(t, <-done)
	}()
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "unset ") }, 5*time.Second, 10*time.Millisecond)
	var admin string
	for _, l := range strings.Split(stdout.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "export TRIBE_MOCK_ADMIN="); ok {
			admin = strings.Trim(v, "'")
		}
	}
	require.NotEmpty(t, admin, stdout.String())
	assert.False(t, strings.HasSuffix(admin, "/"), admin)
	resp, err := http.Get(admin + "/counts")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
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

// startMock runs "mock" in-process until the test ends and returns the
// lines it printed first.
func startMock(t *testing.T, n int, extra ...string) []string {
	t.Helper()
	lines, _ := startMockStderr(t, n, extra...)
	return lines
}

// startMockStderr is startMock that also returns what the mock wrote on
// stderr (safe to read while it runs).
func startMockStderr(t *testing.T, n int, extra ...string) ([]string, *cmdtest.LineWriter) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stdout := cmdtest.NewLineWriter(16)
	stderr := cmdtest.NewLineWriter(16)
	done := make(chan int, 1)
	go func() {
		f := cmdutil.New(strings.NewReader(""), stdout, stderr, func(string) string { return "" })
		done <- cmdutil.Execute(ctx, f, cmdtest.Command(f, NewCmdMock), extra)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, cmdutil.ExitOK, code, stderr.String())
		case <-time.After(5 * time.Second):
			t.Error("mock did not stop")
		}
	})
	var lines []string
	timeout := time.After(5 * time.Second)
	for len(lines) < n {
		select {
		case l := <-stdout.Lines:
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
	r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret}, Args: []string{"--endpoint", graphql, "--network", tribetest.DefaultNetworkID, "--member", tribetest.AdminMemberID}})
	cmdtest.RequireOK(t, r)
	r = cmdtest.Run(t, whoami.NewCmdWhoami, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": strings.TrimSpace(r.Stdout), "TRIBE_ENDPOINT": graphql}})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "Alice Admin")
}

func TestMockEnvOutputDrivesTheOtherCommands(t *testing.T) {
	lines := startMock(t, 6, "--output", "env", "--print-credentials")
	env := cmdtest.ParseEnvOutput(t, strings.Join(lines, "\n"))
	assert.Equal(t, tribetest.DefaultClientSecret, env["TRIBE_CLIENT_SECRET"])
	r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: env, Args: []string{"-o", "env"}})
	cmdtest.RequireOK(t, r)
	maps.Copy(env, cmdtest.ParseEnvOutput(t, r.Stdout))
	r = cmdtest.Run(t, whoami.NewCmdWhoami, cmdtest.Invocation{Env: env})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "Acme Community")
	r = cmdtest.Run(t, password.NewCmdPassword, cmdtest.Invocation{Env: cmdtest.With(env, "TRIBE_PASSWORD", tribetest.DefaultPassword), Args: []string{"--username", "bob"}})
	cmdtest.RequireOK(t, r)
}

func TestMockJSONWithFixtures(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Apps[0].ClientID, fx.Apps[0].ClientSecret = "fixture-app", "fixture-app-secret"
	b, err := json.Marshal(fx)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixtures.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	lines := startMock(t, 1, "--fixtures", path, "-o", "json")
	var info Info
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &info))
	assert.Equal(t, "fixture-app", info.ClientID)
	assert.Empty(t, info.ClientSecret, "only with --print-credentials")
	assert.True(t, strings.HasSuffix(info.GraphQL, "/graphql"))
	assert.True(t, strings.HasSuffix(info.OAuth, "/api/v1/oauth/token"))
	r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_ID": "fixture-app", "TRIBE_CLIENT_SECRET": "fixture-app-secret", "TRIBE_ENDPOINT": info.GraphQL}, Args: []string{"--network", info.NetworkID}})
	cmdtest.RequireOK(t, r)
}

func TestMockWithCRM(t *testing.T) {
	lines := startMock(t, 9, "--crm", "--print-credentials", "-o", "env")
	env := cmdtest.ParseEnvOutput(t, strings.Join(lines, "\n"))
	require.Contains(t, env, "TRIBE_CRM_BASE_URL")
	store := filepath.Join(t.TempDir(), "crm.json")
	r := cmdtest.Run(t, crmtoken.NewCmdToken, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials"}})
	cmdtest.RequireOK(t, r)
	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: env, Args: []string{"--grant", "client-credentials", "--store", store}})
	cmdtest.RequireOK(t, r)
	assert.Contains(t, r.Stdout, "employee")
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
			var info Info
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &info))
			host, port, err := net.SplitHostPort(info.Listen)
			require.NoError(t, err, info.Listen)
			assert.Contains(t, tc.listenHost, host, "listen=%s", info.Listen)
			assert.NotEqual(t, "0", port)
			ip := net.ParseIP(host)
			require.NotNil(t, ip, host)
			assert.True(t, strings.HasPrefix(info.URL, "http://127.0.0.1:"+port) || strings.HasPrefix(info.URL, "http://[::1]:"+port), "a loopback URL for clients: %s", info.URL)

			// The URL printed works.
			r := cmdtest.Run(t, mint.NewCmdMint, cmdtest.Invocation{Env: map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret}, Args: []string{"--endpoint", info.GraphQL, "--network", info.NetworkID}})
			cmdtest.RequireOK(t, r)

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

// TestMockHelpClaimsWhatItHonours: the help says the credentials are drawn
// at random for each run, and not that --fixtures changes that.
func TestMockHelpClaimsWhatItHonours(t *testing.T) {
	r := cmdtest.Run(t, NewCmdMock, cmdtest.Invocation{Args: []string{"--help"}})
	cmdtest.RequireOK(t, r)
	assert.NotContains(t, r.Stdout, "unless --fixtures")
	assert.Contains(t, r.Stdout, "drawn at random for each run")
}
