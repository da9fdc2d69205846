package root

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// newCRM starts a crmtest server closed with the test, and returns it with
// the environment and flags that point the CLI at it.
func newCRM(t *testing.T, opts ...crmtest.Option) (*crmtest.Server, map[string]string, []string) {
	t.Helper()
	srv := crmtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	env := map[string]string{
		"TRIBE_CRM_CLIENT_ID":     crmtest.DefaultClientID,
		"TRIBE_CRM_CLIENT_SECRET": crmtest.DefaultClientSecret,
	}
	store := filepath.Join(t.TempDir(), "crm", "token.json")
	return srv, env, []string{"--base-url", srv.URL, "--store", store}
}

func TestCRMClientCredentials(t *testing.T) {
	srv, env, flags := newCRM(t)
	r := run(t, invocation{env: env, args: append(args("crm", "token", "--grant", "client-credentials"), flags...)})
	requireOK(t, r)
	tok := strings.TrimSpace(r.stdout)
	assert.True(t, srv.AccessTokenActive(tok))

	r = run(t, invocation{env: env, args: append(args("crm", "whoami", "--grant", "client-credentials", "-o", "json"), flags...)})
	requireOK(t, r)
	var out crmWhoamiResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	emp := crmtest.DefaultEmployee()
	assert.Equal(t, emp.ID, out.Employee.ID)
	require.NotNil(t, out.Person)
	assert.Equal(t, emp.Person.EmailAddress, out.Person.Email)

	r = run(t, invocation{env: map[string]string{"TRIBE_CRM_TOKEN": tok}, args: args("crm", "whoami", "--api-url", srv.URL)})
	requireOK(t, r)
	assert.Regexp(t, `employee\s+`+emp.Name, r.stdout)
}

func TestCRMQuickSetupAndStoredToken(t *testing.T) {
	srv, env, flags := newCRM(t)
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	store := flags[len(flags)-1]

	r := run(t, invocation{env: with(env, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "-o", "json"), flags...)})
	requireOK(t, r)
	var out struct{ Token, Expiry, Identity string }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.True(t, srv.AccessTokenActive(out.Token))
	assert.False(t, srv.RefreshTokenActive(rt), "the copied refresh token is spent")
	assert.NotContains(t, r.stdout, rt)
	fi, err := os.Stat(store)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The stored token is reused while valid…
	r = run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
	requireOK(t, r)
	assert.Equal(t, out.Token, strings.TrimSpace(r.stdout))
	// …even without the application's credentials…
	r = run(t, invocation{args: append(args("crm", "whoami"), flags...)})
	requireOK(t, r)
	// …and refreshed with the recorded redirect URL once expired.
	expireStoredToken(t, store)
	r = run(t, invocation{env: env, args: append(args("crm", "token", "-o", "env", "--with-refresh-token"), flags...)})
	requireOK(t, r)
	assert.Regexp(t, `(?m)^export TRIBE_CRM_TOKEN='.+'$`, r.stdout)
	assert.Regexp(t, `(?m)^export TRIBE_CRM_REFRESH_TOKEN='.+'$`, r.stdout)
	assert.NotContains(t, r.stdout, out.Token)
	assert.Equal(t, 2, srv.Counts().RefreshToken, "quick setup, then the refresh")

	r = run(t, invocation{env: env, args: append(args("crm", "whoami"), flags...)})
	requireOK(t, r)
	assert.Contains(t, r.stdout, crmtest.DefaultEmployee().Name)

	// An expired token without the credentials to refresh it is refused.
	expireStoredToken(t, store)
	r = run(t, invocation{args: append(args("crm", "whoami"), flags...)})
	requireFail(t, r, ExitUsage, "TRIBE_CRM_CLIENT_ID", "expired")

	// A spent refresh token is the server's refusal, with what to do.
	r = run(t, invocation{env: with(env, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL), flags...)})
	requireFail(t, r, ExitFailure, "invalid_grant", "crm login")
	assert.NotContains(t, r.stderr, rt)
}

func TestCRMNoStoredToken(t *testing.T) {
	_, env, flags := newCRM(t)
	store := flags[len(flags)-1]
	for _, env := range []map[string]string{env, nil} {
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "no token at "+store+"; run 'tribe-token crm login'")
		assert.NotContains(t, r.stderr, "redirect URL")
	}
}

// TestCRMStoredTokenProblems checks what the stored grant says about a token
// file it cannot use, and that the redirect URL is asked for only when the
// token must be refreshed.
func TestCRMStoredTokenProblems(t *testing.T) {
	srv, env, flags := newCRM(t)
	store := flags[len(flags)-1]
	require.NoError(t, os.MkdirAll(filepath.Dir(store), 0o700))

	t.Run("not json", func(t *testing.T) {
		require.NoError(t, os.WriteFile(store, []byte("rt-secret-value, not json"), 0o600))
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "token file "+store+" is not a token", "crm login")
		assert.NotContains(t, r.stderr, "rt-secret-value")
		assert.NotContains(t, r.stderr, "redirect URL")
	})
	t.Run("too large", func(t *testing.T) {
		require.NoError(t, os.WriteFile(store, []byte(strings.Repeat(" ", 1<<20+1)), 0o600))
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "too large for a token file")
	})

	// A valid token from quick setup, without the record of its redirect URL.
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	require.NoError(t, os.Remove(store))
	r := run(t, invocation{env: with(env, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL), flags...)})
	requireOK(t, r)
	tok := strings.TrimSpace(r.stdout)
	require.NoError(t, os.Remove(metaPath(store)))

	t.Run("valid token without the record", func(t *testing.T) {
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireOK(t, r)
		assert.Equal(t, tok, strings.TrimSpace(r.stdout))
	})
	t.Run("expired token without the record", func(t *testing.T) {
		expireStoredToken(t, store)
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "has expired", "--redirect-url")
	})
	t.Run("record not json", func(t *testing.T) {
		require.NoError(t, os.WriteFile(metaPath(store), []byte("{"), 0o600))
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "is not JSON", "--redirect-url")
	})
	t.Run("record too large", func(t *testing.T) {
		require.NoError(t, os.WriteFile(metaPath(store), []byte(strings.Repeat(" ", 1<<20+1)), 0o600))
		r := run(t, invocation{env: env, args: append(args("crm", "token"), flags...)})
		requireFail(t, r, ExitUsage, "larger than 1048576 bytes")
	})
	t.Run("expired, refreshed with --redirect-url", func(t *testing.T) {
		r := run(t, invocation{env: env, args: append(args("crm", "token", "--redirect-url", crmtest.DefaultRedirectURL), flags...)})
		requireOK(t, r)
		assert.NotEqual(t, tok, strings.TrimSpace(r.stdout))
	})
}

func TestCRMLoginWait(t *testing.T) {
	_, env, flags := newCRM(t)
	for _, w := range []string{"0s", "-1s"} {
		r := run(t, invocation{env: env, args: append(args("crm", "login", "--wait", w), flags...)})
		requireFail(t, r, ExitUsage, "--wait "+w+" is not positive")
	}

	// The browser never comes back: the message names --wait only.
	r := run(t, invocation{env: env, args: append(args("crm", "login", "--wait", "200ms"), flags...)})
	require.Equal(t, ExitFailure, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(last, "tribe-token: "), last)
	assert.Contains(t, last, "did not come back within --wait 200ms")
	assert.NotContains(t, last, "--timeout")
}

// lineWriter is a goroutine-safe writer that reports each line written.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, l := range strings.SplitAfter(string(p), "\n") {
		if strings.HasSuffix(l, "\n") {
			select {
			case w.lines <- strings.TrimSpace(l):
			default:
			}
		}
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestCRMLogin(t *testing.T) {
	srv, env, flags := newCRM(t)
	stderr := &lineWriter{lines: make(chan string, 16)}
	var stdout bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append(args("crm", "login", "--wait", "10s"), flags...), strings.NewReader(""), &stdout, stderr, func(k string) string { return env[k] })
	}()

	var consent string
	for consent == "" {
		select {
		case l := <-stderr.lines:
			if strings.HasPrefix(l, "http") {
				consent = l
			}
		case code := <-done:
			t.Fatalf("login ended early with %d: %s", code, stderr.String())
		case <-ctx.Done():
			t.Fatal("no consent URL on stderr")
		}
	}
	assert.True(t, strings.HasPrefix(consent, srv.AuthURL()+"?"), consent)
	// The browser: the mock consents at once and redirects to the loopback
	// listener, which answers with a page.
	resp, err := http.Get(consent)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.Equal(t, ExitOK, <-done, stderr.String())
	assert.Regexp(t, `logged in\s+yes`, stdout.String())
	assert.Regexp(t, `refresh token\s+yes`, stdout.String())
	assert.Contains(t, srv.LastAuthorization().RedirectURL, "http://127.0.0.1:")

	r := run(t, invocation{env: env, args: append(args("crm", "whoami", "-o", "json"), flags...)})
	requireOK(t, r)
	expireStoredToken(t, flags[len(flags)-1])
	r = run(t, invocation{env: env, args: append(args("crm", "whoami", "-o", "json"), flags...)})
	requireOK(t, r)
	assert.Equal(t, 1, srv.Counts().RefreshToken, "refreshed with the recorded loopback redirect URL")
}

// expireStoredToken makes the token in the token file expire, on the mock's
// clock and on the client's: a day passes.
func expireStoredToken(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var tok map[string]any
	require.NoError(t, json.Unmarshal(b, &tok))
	require.Contains(t, tok, "expiry")
	tok["expiry"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	b, err = json.Marshal(tok)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}
