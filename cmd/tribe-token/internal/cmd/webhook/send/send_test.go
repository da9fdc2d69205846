package send

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/webhook"
)

const secret = "whsec-send-test-secret"

func TestNewCmdSend(t *testing.T) {
	const u = "http://127.0.0.1:8080/webhook"
	cmdtest.RunFlagTable(t, NewCmdSend, []cmdtest.FlagCase[Options]{
		{Name: "type", Args: []string{"--url", u, "--type", "TEST"}, Want: Options{URL: u, Type: "TEST"}},
		{Name: "event", Args: []string{"--url", u, "--event", "post.published"}, Want: Options{URL: u, Event: "post.published"}},
		{Name: "event and its type", Args: []string{"--url", u, "--type", "SUBSCRIPTION", "--event", "member.created"}, Want: Options{URL: u, Type: "SUBSCRIPTION", Event: "member.created"}},
		{Name: "every flag", Args: []string{"--url", "https://app.example/i", "--type", "INTERACTION", "--data", "@submit.json", "--secret-file", "s.txt"},
			Want: Options{URL: "https://app.example/i", Type: "INTERACTION", Data: "@submit.json", Secret: shared.SecretFlag{File: "s.txt"}}},
		{Name: "a type of one's own with data", Args: []string{"--url", u, "--type", "NEW_TYPE", "--data", "{}"}, Want: Options{URL: u, Type: "NEW_TYPE", Data: "{}"}},
		{Name: "an event of one's own with data", Args: []string{"--url", u, "--event", "reaction.added", "--data", "{}"}, Want: Options{URL: u, Event: "reaction.added", Data: "{}"}},
		{Name: "nothing", WantErr: "missing: --url, --type or --event"},
		{Name: "no type", Args: []string{"--url", u}, WantErr: "missing: --type or --event"},
		{Name: "no url", Args: []string{"--type", "TEST"}, WantErr: "missing: --url"},
		{Name: "url not http", Args: []string{"--url", "ftp://x/y", "--type", "TEST"}, WantErr: "--url is not an http or https URL"},
		{Name: "url without host", Args: []string{"--url", "webhook", "--type", "TEST"}, WantErr: "--url is not an http or https URL"},
		{Name: "url with a password", Args: []string{"--url", "http://u:pw-in-url@127.0.0.1/x", "--type", "TEST"}, WantErr: "--url has a user name or password in it"},
		{Name: "unknown type", Args: []string{"--url", u, "--type", "TSET"}, WantErr: `--type "TSET" is not one of TEST, SUBSCRIPTION`},
		{Name: "unknown event", Args: []string{"--url", u, "--event", "post.publised"}, WantErr: `--event "post.publised" is not an event with a sample`},
		{Name: "event of another type", Args: []string{"--url", u, "--type", "TEST", "--event", "post.published"}, WantErr: "leave --type out with --event"},
		{Name: "subscription without event", Args: []string{"--url", u, "--type", "SUBSCRIPTION"}, WantErr: "--type SUBSCRIPTION needs --event NAME"},
		{Name: "secret on the command line", Args: []string{"--url", u, "--type", "TEST", "--secret", secret}, WantErr: "--secret is not taken"},
	})
}

// app is an app's webhook endpoint for the tests: a webhook.Handler on
// secret, recording what it processed.
type app struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // type, event name and id of each request
}

func newApp(t *testing.T, h *webhook.Handler) *app {
	t.Helper()
	v, err := webhook.NewVerifier(0, secret)
	require.NoError(t, err)
	a := &app{}
	h.Verifier = v
	note := func(r *webhook.Request, name, id string) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.seen = append(a.seen, strings.TrimSpace(r.Type+" "+name+" "+id))
	}
	if h.Event == nil {
		h.Event = func(_ context.Context, r *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
			note(r, e.Name, e.ID)
			return nil, nil
		}
	}
	if h.Default == nil {
		h.Default = func(_ context.Context, r *webhook.Request) (*webhook.Answer, error) {
			note(r, "", "")
			return nil, nil
		}
	}
	a.Server = httptest.NewServer(h)
	t.Cleanup(a.Close)
	return a
}

// run runs "webhook send" with the secret in the environment.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	f, stdout, stderr := cmdtest.Factory(map[string]string{shared.SecretEnv: secret}, stdin)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	code := cmdutil.Execute(ctx, f, NewCmdSend(f, nil), args)
	out, errOut := stdout.String(), stderr.String()
	assert.NotContains(t, out+errOut, secret, "the secret is never printed")
	return code, out, errOut
}

func TestSendToAnApp(t *testing.T) {
	a := newApp(t, &webhook.Handler{Dedupe: webhook.NewMemoryDedupe(0)})
	for _, typ := range webhook.Types() {
		args := []string{"--url", a.URL, "--type", typ}
		if typ == webhook.TypeSubscription {
			args = append(args, "--event", "member.verified")
		}
		code, out, errOut := run(t, "", args...)
		assert.Equal(t, cmdutil.ExitOK, code, "%s: %s", typ, errOut)
		var answer map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &answer), out)
		assert.Equal(t, typ, answer["type"])
		assert.Equal(t, "SUCCEEDED", answer["status"])
	}
	for _, ev := range webhook.SampleEvents() {
		code, _, errOut := run(t, "", "--url", a.URL, "--event", ev)
		assert.Equal(t, cmdutil.ExitOK, code, "%s: %s", ev, errOut)
	}
	t.Run("each send is a new delivery", func(t *testing.T) {
		a.mu.Lock()
		a.seen = nil
		a.mu.Unlock()
		for range 2 {
			code, _, errOut := run(t, "", "--url", a.URL, "--event", "post.published")
			require.Equal(t, cmdutil.ExitOK, code, errOut)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		require.Len(t, a.seen, 2, "the app's dedupe processed both")
		assert.NotEqual(t, a.seen[0], a.seen[1])
		assert.True(t, strings.HasPrefix(a.seen[0], "SUBSCRIPTION post.published "), a.seen[0])
	})
}

func TestSendData(t *testing.T) {
	var got []json.RawMessage
	var mu sync.Mutex
	a := newApp(t, &webhook.Handler{Default: func(_ context.Context, r *webhook.Request) (*webhook.Answer, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Data)
		return nil, nil
	}})
	dir := t.TempDir()
	file := filepath.Join(dir, "submit.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"interactionId":"int-9","callbackId":"save","inputs":{"title":"x"}}`+"\n"), 0o600))

	code, _, errOut := run(t, "", "--url", a.URL, "--type", "INTERACTION", "--data", "@"+file)
	require.Equal(t, cmdutil.ExitOK, code, errOut)
	code, _, errOut = run(t, `{"query":"from stdin"}`, "--url", a.URL, "--type", "FEDERATED_SEARCH", "--data", "@-")
	require.Equal(t, cmdutil.ExitOK, code, errOut)
	code, _, errOut = run(t, "", "--url", a.URL, "--type", "BRAND_NEW", "--data", `{"x":1}`)
	require.Equal(t, cmdutil.ExitOK, code, errOut)
	require.Len(t, got, 3)
	assert.JSONEq(t, `{"interactionId":"int-9","callbackId":"save","inputs":{"title":"x"}}`, string(got[0]))
	assert.JSONEq(t, `{"query":"from stdin"}`, string(got[1]))
	assert.JSONEq(t, `{"x":1}`, string(got[2]))

	for _, tc := range []struct{ data, want string }{
		{`[1]`, "--data is not a JSON object"},
		{`{"a":`, "--data is not a JSON object"},
		{"@" + filepath.Join(dir, "missing.json"), "reading the --data file"},
	} {
		code, _, errOut := run(t, "", "--url", a.URL, "--type", "INTERACTION", "--data", tc.data)
		assert.Equal(t, cmdutil.ExitUsage, code, tc.data)
		assert.Contains(t, errOut, tc.want)
	}
	code, _, errOut = run(t, "", "--url", a.URL, "--type", "TEST", "--data", `{"nochallenge":1}`)
	assert.Equal(t, cmdutil.ExitUsage, code)
	assert.Contains(t, errOut, "--data of a TEST needs a challenge")
}

// TestSendChecksTheAnswer: exit 0 only for 2xx, SUCCEEDED, and for TEST
// the challenge echoed; 1 for anything else.
func TestSendChecksTheAnswer(t *testing.T) {
	answering := func(status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	tests := []struct {
		name   string
		url    string
		typ    string
		code   int
		stderr string
	}{
		{"SUCCEEDED", answering(200, `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`), "", cmdutil.ExitOK, ""},
		{"FAILED", answering(200, `{"type":"SUBSCRIPTION","status":"FAILED","errorCode":10,"errorMessage":"db down"}`), "", cmdutil.ExitFailure, "FAILED (errorCode 10): db down"},
		{"HTTP 500", answering(500, `{"type":"SUBSCRIPTION","status":"SUCCEEDED"}`), "", cmdutil.ExitFailure, "with HTTP 500, not 2xx"},
		{"HTTP 302", answering(302, ``), "", cmdutil.ExitFailure, "with HTTP 302, not 2xx"},
		{"not JSON", answering(200, `OK`), "", cmdutil.ExitFailure, "not a JSON object"},
		{"no status", answering(200, `{}`), "", cmdutil.ExitFailure, `status "", not SUCCEEDED`},
		{"another type", answering(200, `{"type":"TEST","status":"SUCCEEDED"}`), "", cmdutil.ExitFailure, `type "TEST", not the request's SUBSCRIPTION`},
		{"TEST with a wrong challenge", answering(200, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"nope"}}`), "TEST", cmdutil.ExitFailure, "does not echo the challenge"},
		{"TEST without data", answering(200, `{"type":"TEST","status":"SUCCEEDED"}`), "TEST", cmdutil.ExitFailure, "does not echo the challenge"},
		{"nothing listening", "http://" + closedAddr(t) + "/webhook", "", cmdutil.ExitFailure, "posting the post.published event to the app"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--url", tc.url, "--event", "post.published"}
			if tc.typ != "" {
				args = []string{"--url", tc.url, "--type", tc.typ}
			}
			code, _, errOut := run(t, "", args...)
			assert.Equal(t, tc.code, code, errOut)
			assert.Contains(t, errOut, tc.stderr)
		})
	}
	t.Run("the answer is printed, inert", func(t *testing.T) {
		url := answering(403, "webhook: refused\x1b[31m\n")
		code, out, _ := run(t, "", "--url", url, "--type", "TEST")
		assert.Equal(t, cmdutil.ExitFailure, code)
		assert.Equal(t, "webhook: refused\\x1b[31m\n", out)
	})
	t.Run("a huge answer", func(t *testing.T) {
		url := answering(200, strings.Repeat("x", maxAnswer+10))
		code, out, errOut := run(t, "", "--url", url, "--type", "TEST")
		assert.Equal(t, cmdutil.ExitFailure, code)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "over 1048576 bytes")
	})
}

// TestSendIsVerified: what send posts is verified by the package, and
// refused under another secret.
func TestSendIsVerified(t *testing.T) {
	v, err := webhook.NewVerifier(0, "whsec-another-secret")
	require.NoError(t, err)
	srv := httptest.NewServer(&webhook.Handler{Verifier: v})
	defer srv.Close()
	code, out, errOut := run(t, "", "--url", srv.URL, "--type", "TEST")
	assert.Equal(t, cmdutil.ExitFailure, code)
	assert.Contains(t, out, "matches no signing secret")
	assert.Contains(t, errOut, "with HTTP 403")
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
