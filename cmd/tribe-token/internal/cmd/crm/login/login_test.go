package login

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	crmwhoami "github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func TestNewCmdLogin(t *testing.T) {
	scopes := []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}
	def := Options{CRM: shared.Flags{Scopes: scopes}, Wait: 5 * time.Minute}
	cmdtest.RunFlagTable(t, NewCmdLogin, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: def},
		{Name: "every flag", Args: []string{"--port", "8765", "--organization", "0f8fad5b-d9cb-469f-a165-70867728950e", "--open", "--allow-narrower-scopes", "--wait", "2m",
			"--redirect-url", "http://localhost:8765/callback", "--store", "t.json", "--client-id", "c"},
			Want: Options{Port: 8765, Organization: "0f8fad5b-d9cb-469f-a165-70867728950e", Open: true, AllowNarrowerScopes: true, Wait: 2 * time.Minute,
				CRM: shared.Flags{RedirectURL: "http://localhost:8765/callback", Store: "t.json", ClientID: "c", Scopes: scopes}}},
		{Name: "zero wait", Args: []string{"--wait", "0s"}, WantErr: "--wait 0s is not positive"},
		{Name: "negative wait", Args: []string{"--wait", "-1s"}, WantErr: "--wait -1s is not positive"},
		{Name: "port out of range", Args: []string{"--port", "70000"}, WantErr: "--port 70000 is out of range"},
		{Name: "negative port", Args: []string{"--port", "-1"}, WantErr: "--port -1 is out of range"},
		{Name: "organization not a uuid", Args: []string{"--organization", "acme"}, WantErr: `--organization "acme" is not a UUID`},
		{Name: "https redirect", Args: []string{"--redirect-url", "https://127.0.0.1/cb"}, WantErr: "--redirect-url must be a plain http URL on 127.0.0.1"},
		{Name: "remote redirect", Args: []string{"--redirect-url", "http://app.example/cb"}, WantErr: "--redirect-url must be"},
		{Name: "scope with a space", Args: []string{"--scope", "a b"}, WantErr: "--scope"},
	})
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"0f8fad5b-d9cb-469f-a165-70867728950e": true,
		"0F8FAD5B-D9CB-469F-A165-70867728950E": true,
		"0f8fad5b-d9cb-469f-a165-70867728950":  false,
		"0f8fad5bd9cb469fa16570867728950e":     false,
		"0f8fad5b-d9cb-469f-a165-70867728950g": false,
		"":                                     false,
	} {
		assert.Equal(t, want, isUUID(s), s)
	}
}

// TestBrowserEnvKeepsOnlyHarmless: no TRIBE_* variable, none named like a
// secret's and none holding a secret of the run reaches the browser.
func TestBrowserEnvKeepsOnlyHarmless(t *testing.T) {
	f := &cmdutil.Factory{Environ: func() []string { return []string{"TRIBE_X=1", "PATH=/bin", "MY_TOKEN=x", "OTHER=s3cret-value"} }}
	f.AddSecret("s3cret-value")
	assert.Equal(t, []string{"PATH=/bin"}, BrowserEnv(f))
}

func TestCRMLoginChecksTheStoreFirst(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	store := filepath.Join(cmdtest.WriteFile(t, "file", ""), "token.json")
	r := cmdtest.Run(t, NewCmdLogin, cmdtest.Invocation{Env: env, Args: []string{"--wait", "2s", "--base-url", srv.URL, "--store", store}})
	cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "cannot save the token to "+store)
	assert.Zero(t, srv.Counts().Authorize)
}

func TestCRMLoginPrintsTheTokenWhenSavingFails(t *testing.T) {
	srv, env, _ := cmdtest.NewCRM(t)
	dir := filepath.Join(t.TempDir(), "crm")
	store := filepath.Join(dir, "token.json")
	require.NoError(t, os.Mkdir(dir, 0o700))
	proxy := cmdtest.SabotagingProxy(t, srv.URL, dir)

	var stdout strings.Builder
	stderr := cmdtest.NewLineWriter(16)
	f := cmdutil.New(strings.NewReader(""), &stdout, stderr, func(k string) string { return env[k] })
	consent, done := startLogin(t, f, stderr, "--wait", "10s", "--base-url", srv.URL, "--token-url", proxy.URL+"/oauth2/token", "--store", store)
	resp, err := http.Get(consent)
	require.NoError(t, err)
	resp.Body.Close()

	require.Equal(t, cmdutil.ExitFailure, <-done, stderr.String())
	assert.Contains(t, stderr.String(), "tribe-token: the token was NOT saved to "+store)
	m := regexp.MustCompile(`(?m)^refresh token\s+(\S+)$`).FindStringSubmatch(stdout.String())
	require.Len(t, m, 2, stdout.String())
	assert.True(t, srv.RefreshTokenActive(m[1]), "the printed refresh token is the live one")
	assert.Regexp(t, `(?m)^redirect url\s+http://127\.0\.0\.1:\d+/callback$`, stdout.String())
}

// TestCRMLoginWait: when the browser never comes back, the message names
// --wait only.
func TestCRMLoginWait(t *testing.T) {
	_, env, flags := cmdtest.NewCRM(t)
	r := cmdtest.Run(t, NewCmdLogin, cmdtest.Invocation{Env: env, Args: append([]string{"--wait", "200ms"}, flags...)})
	require.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	last := lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(last, "tribe-token: "), last)
	assert.Contains(t, last, "did not come back within --wait 200ms")
	assert.NotContains(t, last, "--timeout")
}

func TestCRMLogin(t *testing.T) {
	srv, env, flags := cmdtest.NewCRM(t)
	var stdout bytes.Buffer
	stderr := cmdtest.NewLineWriter(16)
	f := cmdutil.New(strings.NewReader(""), &stdout, stderr, func(k string) string { return env[k] })
	consent, done := startLogin(t, f, stderr, append([]string{"--wait", "10s"}, flags...)...)
	assert.True(t, strings.HasPrefix(consent, srv.AuthURL()+"?"), consent)
	// The browser: the mock consents at once and redirects to the loopback
	// listener, which answers with a page.
	resp, err := http.Get(consent)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.Equal(t, cmdutil.ExitOK, <-done, stderr.String())
	assert.Regexp(t, `logged in\s+yes`, stdout.String())
	assert.Regexp(t, `refresh token\s+yes`, stdout.String())
	assert.Contains(t, srv.LastAuthorization().RedirectURL, "http://127.0.0.1:")

	r := cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: env, Args: append([]string{"-o", "json"}, flags...)})
	cmdtest.RequireOK(t, r)
	cmdtest.ExpireStoredToken(t, flags[len(flags)-1])
	r = cmdtest.Run(t, crmwhoami.NewCmdWhoami, cmdtest.Invocation{Env: env, Args: append([]string{"-o", "json"}, flags...)})
	cmdtest.RequireOK(t, r)
	assert.Equal(t, 1, srv.Counts().RefreshToken, "refreshed with the recorded loopback redirect URL")
}

// TestCRMLoginBrowserEnvironment opens the consent URL with a fake browser,
// a script that records its environment: no TRIBE_* variable, no variable
// named like a secret, and no variable holding a secret the run read (here
// the client secret, read from a file) reaches it; the rest does.
func TestCRMLoginBrowserEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake browser is a shell script")
	}
	srv, _, flags := cmdtest.NewCRM(t)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret.txt")
	require.NoError(t, os.WriteFile(secretFile, []byte(crmtest.DefaultClientSecret+"\n"), 0o600))
	envOut := filepath.Join(dir, "browser-env.txt")
	browser := filepath.Join(dir, "browser.sh")
	script := "#!/bin/sh\n/usr/bin/env > " + envOut + ".tmp && mv " + envOut + ".tmp " + envOut + "\n"
	require.NoError(t, os.WriteFile(browser, []byte(script), 0o700))

	environ := []string{
		"PATH=/usr/bin:/bin",
		"HOME=/home/someone",
		"DISPLAY=:0",
		"XAUTHORITY=/home/someone/.Xauthority",
		"TRIBE_CRM_CLIENT_ID=" + crmtest.DefaultClientID,
		"TRIBE_CLIENT_SECRET=tribe-secret-value",
		"TRIBE_ANYTHING=x",
		"tribe_lower=x",
		"GITHUB_TOKEN=ghp_value",
		"AWS_SECRET_ACCESS_KEY=aws-value",
		"DB_PASSWORD=db-value",
		"MY_API_KEY=key-value",
		"GOOGLE_APPLICATION_CREDENTIALS=/creds.json",
		"APP_CONFIG=" + crmtest.DefaultClientSecret,
		"ENCODED=" + strings.ReplaceAll(crmtest.DefaultClientSecret, "-", "%2D"),
		"AUTH_HEADER=Bearer abc.def",
	}
	stderr := cmdtest.NewLineWriter(16)
	var stdout bytes.Buffer
	f := cmdutil.New(strings.NewReader(""), &stdout, stderr, func(k string) string {
		return map[string]string{"TRIBE_CRM_CLIENT_ID": crmtest.DefaultClientID}[k]
	})
	f.Environ = func() []string { return environ }
	f.Browser = []string{browser}
	consent, done := startLogin(t, f, stderr, append([]string{"--open", "--wait", "10s", "--client-secret-file", secretFile}, flags...)...)
	var got []byte
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(envOut)
		got = b
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "the browser ran")
	// Finish the login as the browser would.
	resp, err := http.Get(consent)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, cmdutil.ExitOK, <-done, stderr.String())
	assert.NotContains(t, stderr.String(), "Could not open a browser")

	vars := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		vars[k] = v
	}
	for _, keep := range []string{"PATH", "HOME", "DISPLAY", "XAUTHORITY"} {
		assert.Contains(t, vars, keep)
	}
	for _, drop := range []string{"TRIBE_CRM_CLIENT_ID", "TRIBE_CLIENT_SECRET", "TRIBE_ANYTHING", "tribe_lower", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "MY_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "APP_CONFIG", "ENCODED", "AUTH_HEADER"} {
		assert.NotContains(t, vars, drop)
	}
	assert.NotContains(t, string(got), crmtest.DefaultClientSecret)
	assert.Contains(t, srv.LastAuthorization().RedirectURL, "http://127.0.0.1:")
}

// TestBrowserEnvNeverNil: an empty environment stays empty rather than
// becoming this process's whole environment.
func TestBrowserEnvNeverNil(t *testing.T) {
	f := &cmdutil.Factory{Environ: func() []string { return []string{"TRIBE_X=1"} }}
	got := BrowserEnv(f)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

// startLogin runs "crm login" with args in the background, with f, whose
// stderr is stderr, and returns the consent URL it prints there and the
// channel its exit code comes on. The run is cancelled after 15 seconds.
func startLogin(t *testing.T, f *cmdutil.Factory, stderr *cmdtest.LineWriter, args ...string) (string, <-chan int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	t.Cleanup(cancel)
	done := make(chan int, 1)
	go func() { done <- cmdutil.Execute(ctx, f, cmdtest.Command(f, NewCmdLogin), args) }()
	for {
		select {
		case l := <-stderr.Lines:
			if strings.HasPrefix(l, "http") {
				return l, done
			}
		case code := <-done:
			t.Fatalf("login ended early with %d: %s", code, stderr.String())
		case <-ctx.Done():
			t.Fatal("no consent URL on stderr")
		}
	}
}
