package root

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/login"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestCRMLoginBrowserEnvironment opens the consent URL with a fake browser,
// a script that records its environment: no TRIBE_* variable, no variable
// named like a secret, and no variable holding a secret the run read (here
// the client secret, read from a file) reaches it; the rest does.
func TestCRMLoginBrowserEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake browser is a shell script")
	}
	srv, _, flags := newCRM(t)
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
	stderr := &lineWriter{lines: make(chan string, 16)}
	var stdout bytes.Buffer
	f := cmdutil.New(strings.NewReader(""), &stdout, stderr, func(k string) string {
		return map[string]string{"TRIBE_CRM_CLIENT_ID": crmtest.DefaultClientID}[k]
	})
	f.Environ = func() []string { return environ }
	f.Browser = []string{browser}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, f, append(args("crm", "login", "--open", "--wait", "10s", "--client-secret-file", secretFile), flags...))
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
	require.Equal(t, ExitOK, <-done, stderr.String())
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
	got := login.BrowserEnv(f)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}
