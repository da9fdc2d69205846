package root

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// sabotagingProxy forwards to target, but first, on the first request,
// replaces the directory dir with a regular file: whatever the request
// spends, nothing can be saved in dir afterwards, even by root.
func sabotagingProxy(t *testing.T, target, dir string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			if err := os.Rename(dir, dir+".moved"); err != nil {
				t.Errorf("sabotage: %v", err)
			}
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Errorf("sabotage: %v", err)
			}
		})
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// readOnlyDir returns a new directory holding the files given (name, content
// pairs) in which this process cannot create files: mode 0500, and, for root,
// which ignores the mode, immutable (chattr +i). It skips the test if neither
// works.
func readOnlyDir(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, files[i]), []byte(files[i+1]), 0o600))
	}
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if canCreateIn(dir) {
		if err := exec.CommandContext(t.Context(), "chattr", "+i", dir).Run(); err != nil {
			t.Skipf("cannot make a read-only directory (running as root without chattr: %v)", err)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
		if canCreateIn(dir) {
			t.Skip("cannot make a read-only directory")
		}
	}
	return dir
}

// canCreateIn reports whether a file can be created in dir.
func canCreateIn(dir string) bool {
	f, err := os.CreateTemp(dir, "probe-*")
	if err != nil {
		return false
	}
	f.Close()
	_ = os.Remove(f.Name())
	return true
}

// passwordRefreshToken gets a fresh v1 refresh token from the mock.
func passwordRefreshToken(t *testing.T, env map[string]string) string {
	t.Helper()
	r := run(t, invocation{env: env, args: args("password", "--username", "carol", "-o", "json", "--with-refresh-token")})
	requireOK(t, r)
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	require.NotEmpty(t, out.RefreshToken)
	return out.RefreshToken
}

func TestRefreshChecksTheFileIsWritableBeforeSpendingTheToken(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	rt := passwordRefreshToken(t, env)
	dir := readOnlyDir(t, "refresh.txt", rt+"\n")
	file := filepath.Join(dir, "refresh.txt")

	r := run(t, invocation{env: env, args: args("refresh", "--refresh-token-file", file)})
	requireFail(t, r, ExitUsage, "cannot write the new refresh token to "+file, "nothing was sent")
	assert.NotContains(t, r.stderr, rt)

	// The refresh token was not spent: it still works.
	r = run(t, invocation{env: with(env, "TRIBE_REFRESH_TOKEN", rt), args: args("refresh", "-o", "json", "--with-refresh-token")})
	requireOK(t, r)
}

func TestRefreshPrintsTheNewTokenWhenSavingFails(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	tests := []struct {
		output string
		// newRefresh finds the new refresh token on stdout.
		newRefresh func(t *testing.T, stdout string) string
		where      string
	}{
		{outToken, func(t *testing.T, stdout string) string {
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			require.Len(t, lines, 2, "the access token, then the refresh token")
			return lines[1]
		}, "on the line after the access token"},
		{outJSON, func(t *testing.T, stdout string) string {
			var out struct {
				RefreshToken string `json:"refresh_token"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &out))
			return out.RefreshToken
		}, "(the refresh_token field): keep it"},
		{outEnv, func(t *testing.T, stdout string) string {
			for _, l := range strings.Split(stdout, "\n") {
				if v, ok := strings.CutPrefix(l, "export TRIBE_REFRESH_TOKEN="); ok {
					return strings.Trim(v, "'")
				}
			}
			t.Fatalf("no refresh token in %q", stdout)
			return ""
		}, "as TRIBE_REFRESH_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			rt := passwordRefreshToken(t, env)
			dir := filepath.Join(t.TempDir(), "tokens")
			require.NoError(t, os.Mkdir(dir, 0o700))
			file := filepath.Join(dir, "refresh.txt")
			require.NoError(t, os.WriteFile(file, []byte(rt+"\n"), 0o600))
			proxy := sabotagingProxy(t, srv.URL, dir)

			r := run(t, invocation{env: env, args: args("refresh", "--token-url", proxy.URL+"/api/v1/oauth/token", "--refresh-token-file", file, "-o", tt.output)})
			require.Equal(t, ExitFailure, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "tribe-token: the new refresh token was NOT saved to "+file), r.stderr)
			assert.Contains(t, r.stderr, tt.where)
			assert.Contains(t, r.stderr, "keep it")
			assert.NotContains(t, r.stderr, rt)

			next := tt.newRefresh(t, r.stdout)
			require.NotEmpty(t, next)
			assert.NotEqual(t, rt, next)
			assert.NotContains(t, r.stderr, next, "the token is on stdout only")
			// The printed refresh token is the live one.
			r = run(t, invocation{env: with(env, "TRIBE_REFRESH_TOKEN", next), args: args("refresh", "-o", "json", "--with-refresh-token")})
			requireOK(t, r)
		})
	}
}

// TestRefreshRefusesASymlinkBeforeSpendingTheToken checks that a refresh
// token file that is a symbolic link is refused before the refresh token is
// sent (it could not be replaced safely), and that the token still works.
func TestRefreshRefusesASymlinkBeforeSpendingTheToken(t *testing.T) {
	srv := newMock(t)
	env := with(appEnv(srv), "TRIBE_COMMUNITY_URL", srv.URL, "TRIBE_PASSWORD", tribetest.DefaultPassword)
	rt := passwordRefreshToken(t, env)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "secrets"), 0o700))
	target := filepath.Join(dir, "secrets", "refresh.txt")
	require.NoError(t, os.WriteFile(target, []byte(rt+"\n"), 0o600))
	link := filepath.Join(dir, "link.txt")
	require.NoError(t, os.Symlink(filepath.Join("secrets", "refresh.txt"), link))

	r := run(t, invocation{env: env, args: args("refresh", "--refresh-token-file", link)})
	requireFail(t, r, ExitUsage, "cannot write the new refresh token to "+link, "is a symbolic link", "nothing was sent")
	assert.NotContains(t, r.stderr, rt)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link is still a link")
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, rt+"\n", string(b), "the token file is untouched")

	// The refresh token was not spent: through the real path it rotates.
	r = run(t, invocation{env: env, args: args("refresh", "--refresh-token-file", target)})
	requireOK(t, r)
	b, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.NotEqual(t, rt, strings.TrimSpace(string(b)), "the file holds the new refresh token")
}

func TestCRMQuickSetupChecksTheStoreBeforeSpendingTheToken(t *testing.T) {
	srv, env, _ := newCRM(t)
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	notADir := writeFile(t, "file", "")
	store := filepath.Join(notADir, "token.json")

	r := run(t, invocation{env: with(env, "TRIBE_CRM_REFRESH_TOKEN", rt), args: args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "--base-url", srv.URL, "--store", store)})
	requireFail(t, r, ExitUsage, "cannot save the token to "+store, "nothing was sent")
	assert.True(t, srv.RefreshTokenActive(rt), "the copied refresh token is not spent")
	assert.Zero(t, srv.Counts().RefreshToken)
}

func TestCRMQuickSetupPrintsTheNewTokenWhenSavingFails(t *testing.T) {
	for _, output := range []string{outToken, outJSON} {
		t.Run(output, func(t *testing.T) {
			srv, env, _ := newCRM(t)
			rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
			require.NoError(t, err)
			dir := filepath.Join(t.TempDir(), "crm")
			store := filepath.Join(dir, "token.json")
			require.NoError(t, os.Mkdir(dir, 0o700))
			proxy := sabotagingProxy(t, srv.URL, dir)

			r := run(t, invocation{env: with(env, "TRIBE_CRM_REFRESH_TOKEN", rt), args: args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL,
				"--base-url", srv.URL, "--token-url", proxy.URL+"/oauth2/token", "--store", store, "-o", output)})
			require.Equal(t, ExitFailure, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, "tribe-token: the new refresh token was NOT saved to "+store), r.stderr)
			assert.NotContains(t, r.stderr, rt)

			var access, refresh string
			if output == outToken {
				lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
				require.Len(t, lines, 2, "the access token, then the refresh token")
				access, refresh = lines[0], lines[1]
			} else {
				var out struct {
					Token        string
					RefreshToken string `json:"refresh_token"`
				}
				require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
				access, refresh = out.Token, out.RefreshToken
			}
			assert.True(t, srv.AccessTokenActive(access))
			assert.True(t, srv.RefreshTokenActive(refresh), "the printed refresh token is the live one")
			assert.False(t, srv.RefreshTokenActive(rt))
		})
	}
}

func TestCRMLoginChecksTheStoreFirst(t *testing.T) {
	srv, env, _ := newCRM(t)
	store := filepath.Join(writeFile(t, "file", ""), "token.json")
	r := run(t, invocation{env: env, args: args("crm", "login", "--wait", "2s", "--base-url", srv.URL, "--store", store)})
	requireFail(t, r, ExitUsage, "cannot save the token to "+store)
	assert.Zero(t, srv.Counts().Authorize)
}

func TestCRMLoginPrintsTheTokenWhenSavingFails(t *testing.T) {
	srv, env, _ := newCRM(t)
	dir := filepath.Join(t.TempDir(), "crm")
	store := filepath.Join(dir, "token.json")
	require.NoError(t, os.Mkdir(dir, 0o700))
	proxy := sabotagingProxy(t, srv.URL, dir)

	stderr := &lineWriter{lines: make(chan string, 16)}
	var stdout strings.Builder
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, args("crm", "login", "--wait", "10s", "--base-url", srv.URL, "--token-url", proxy.URL+"/oauth2/token", "--store", store),
			strings.NewReader(""), &stdout, stderr, func(k string) string { return env[k] })
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
	resp, err := http.Get(consent)
	require.NoError(t, err)
	resp.Body.Close()

	require.Equal(t, ExitFailure, <-done, stderr.String())
	assert.Contains(t, stderr.String(), "tribe-token: the token was NOT saved to "+store)
	m := regexp.MustCompile(`(?m)^refresh token\s+(\S+)$`).FindStringSubmatch(stdout.String())
	require.Len(t, m, 2, stdout.String())
	assert.True(t, srv.RefreshTokenActive(m[1]), "the printed refresh token is the live one")
	assert.Regexp(t, `(?m)^redirect url\s+http://127\.0\.0\.1:\d+/callback$`, stdout.String())
}
