package listen

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/webhook"
)

const secret = "whsec-listen-test-secret"

func TestNewCmdListen(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdListen, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Addr: "127.0.0.1:0", Output: "text"}},
		{Name: "every flag", Args: []string{"--addr", "[::1]:8080", "-o", "json", "--secret-file", "s.txt"},
			Want: Options{Addr: "[::1]:8080", Output: "json", Secret: shared.SecretFlag{File: "s.txt"}}},
		{Name: "table is text", Args: []string{"-o", "table"}, Want: Options{Addr: "127.0.0.1:0", Output: "text"}},
		{Name: "addr without port", Args: []string{"--addr", "localhost"}, WantErr: `--addr "localhost" is not HOST:PORT`},
		{Name: "addr bad port", Args: []string{"--addr", "127.0.0.1:70000"}, WantErr: "has no port number from 0 to 65535"},
		{Name: "env output", Args: []string{"-o", "env"}, WantErr: `unknown --output "env"`},
		{Name: "secret on the command line", Args: []string{"--secret", secret}, WantErr: "--secret is not taken"},
		{Name: "arguments", Args: []string{secret}, WantErr: "takes no arguments"},
	})
}

// lines is a writer whose lines a test waits for.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// wait returns the text once it has n lines.
func (l *lines) wait(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	require.Eventually(t, func() bool {
		got = strings.Split(strings.TrimSuffix(l.String(), "\n"), "\n")
		return len(got) >= n && l.String() != ""
	}, 5*time.Second, 5*time.Millisecond, "waiting for %d lines: %q", n, l.String())
	return got
}

// receiver is a running listen.
type receiver struct {
	url            string
	stdout, stderr *lines
}

// start runs listen with opts until the test ends.
func start(t *testing.T, env map[string]string, output string) *receiver {
	t.Helper()
	r := &receiver{stdout: &lines{}, stderr: &lines{}}
	f := cmdutil.New(strings.NewReader(""), r.stdout, r.stderr, func(k string) string { return env[k] })
	o := &Options{Factory: f, Addr: "127.0.0.1:0", Output: output}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- listenRun(ctx, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Errorf("listen did not stop")
		}
		assert.NotContains(t, r.stdout.String()+r.stderr.String(), secret, "the secret is never printed")
	})
	first := r.stdout.wait(t, 1)[0]
	require.True(t, strings.HasPrefix(first, "url=http://127.0.0.1:"), first)
	require.True(t, strings.HasSuffix(first, "/webhook"), first)
	r.url = strings.TrimPrefix(first, "url=")
	return r
}

// send posts a request signed with key now, and returns the status and
// answer.
func (r *receiver) send(t *testing.T, key string, body string) (int, string) {
	t.Helper()
	req, err := webhook.NewRequest(t.Context(), r.url, key, time.Now(), []byte(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestListenText(t *testing.T) {
	r := start(t, map[string]string{shared.SecretEnv: secret}, cmdutil.OutText)

	code, answer := r.send(t, secret, `{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"c-7"}}`)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-7"}}`, answer)

	event := `{"type":"SUBSCRIPTION","data":{"id":"ev-1","name":"post.published"}}`
	code, _ = r.send(t, secret, event)
	assert.Equal(t, http.StatusOK, code)
	code, _ = r.send(t, secret, event) // a retry: printed once
	assert.Equal(t, http.StatusOK, code)
	r.send(t, secret, `{"type":"APP_UNINSTALLED","data":{"id":"inst-1"}}`)
	r.send(t, secret, `{"type":"INTERACTION","data":{"interactionId":"int-1","dynamicBlockKey":"settings"}}`)
	r.send(t, secret, `{"type":"FEDERATED_SEARCH","data":{"query":"q"}}`)
	r.send(t, secret, `{"type":"SUBSCRIPTION","data":{"id":"ev\u001b[2J 2","name":"evil name"}}`)

	got := r.stdout.wait(t, 7)
	assert.Equal(t, []string{
		"TEST - -",
		"SUBSCRIPTION post.published ev-1",
		"APP_UNINSTALLED - inst-1",
		"INTERACTION - int-1",
		"FEDERATED_SEARCH - -",
		`SUBSCRIPTION evil_name ev\x1b[2J_2`,
	}, got[1:])

	t.Run("bad requests are refused with a line on stderr", func(t *testing.T) {
		code, _ := r.send(t, "whsec-another-secret", event)
		assert.Equal(t, http.StatusForbidden, code)
		code, _ = r.send(t, secret, `not json`)
		assert.Equal(t, http.StatusBadRequest, code)
		resp, err := http.Get(r.url)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		errLines := r.stderr.wait(t, 5)
		text := strings.Join(errLines, "\n")
		assert.Contains(t, text, "status=403")
		assert.Contains(t, text, "matches no signing secret")
		assert.Contains(t, text, "status=400")
		assert.Contains(t, text, "status=405")
		assert.Contains(t, text, "duplicate delivery dropped")
		for _, l := range errLines[1:] {
			assert.True(t, strings.HasPrefix(l, "tribe-token: "), l)
		}
		assert.NotContains(t, text, "not json", "no body in the log")
		assert.Len(t, r.stdout.wait(t, 7), 7, "nothing printed for a refused request")
	})
}

func TestListenJSON(t *testing.T) {
	r := start(t, map[string]string{shared.SecretEnv: "whsec-new\n" + secret}, cmdutil.OutJSON)
	r.send(t, secret, `{"type":"SUBSCRIPTION","data":{"id":"ev-1","name":"member.created","object":{"id":"m1"}}}`)
	r.send(t, "whsec-new", `{"type":"TEST","data":{"challenge":"c"}}`)
	got := r.stdout.wait(t, 3)
	var ev, test map[string]any
	require.NoError(t, json.Unmarshal([]byte(got[1]), &ev), got[1])
	assert.Equal(t, map[string]any{"type": "SUBSCRIPTION", "name": "member.created", "id": "ev-1",
		"data": map[string]any{"id": "ev-1", "name": "member.created", "object": map[string]any{"id": "m1"}}}, ev)
	require.NoError(t, json.Unmarshal([]byte(got[2]), &test), got[2])
	assert.Equal(t, map[string]any{"type": "TEST", "data": map[string]any{"challenge": "c"}}, test)
}

func TestListenNeedsTheSecret(t *testing.T) {
	r := cmdtest.ParseFlags(t.Context(), nil, func(f *cmdutil.Factory, _ func(*Options) error) *cobra.Command {
		return NewCmdListen(f, nil)
	})
	assert.Equal(t, cmdutil.ExitUsage, r.Code)
	assert.Contains(t, r.Stderr, "no webhook signing secret; set TRIBE_WEBHOOK_SECRET, or pass --secret-file FILE")
	assert.Empty(t, r.Stdout)
}
