package cli

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// buildBinary builds tribe-token into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "tribe-token")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := []string{"build", "-o", bin}
	if raceEnabled {
		build = append(build, "-race")
	}
	build = append(build, "github.com/tribekit/tribekit/cmd/tribe-token")
	out, err := exec.CommandContext(t.Context(), "go", build...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// exitCode is the exit status of a finished command.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func TestBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT")
	}
	bin := buildBinary(t)

	t.Run("version", func(t *testing.T) {
		out, err := exec.CommandContext(t.Context(), bin, "version").Output()
		require.NoError(t, err)
		assert.Contains(t, string(out), runtime.Version())
	})

	t.Run("usage error exits 2", func(t *testing.T) {
		c := exec.CommandContext(t.Context(), bin, "mint", "--client-secret", plainSecret)
		var stderr strings.Builder
		c.Stderr = &stderr
		assert.Equal(t, ExitUsage, exitCode(t, c.Run()))
		assert.True(t, strings.HasPrefix(stderr.String(), "tribe-token: unknown flag: --client-secret"), stderr.String())
		assert.NotContains(t, stderr.String(), plainSecret)
	})

	t.Run("mock until SIGINT", func(t *testing.T) {
		c := exec.CommandContext(t.Context(), bin, "mock", "--addr", "127.0.0.1:0")
		stdout, err := c.StdoutPipe()
		require.NoError(t, err)
		var stderr strings.Builder
		c.Stderr = &stderr
		require.NoError(t, c.Start())
		t.Cleanup(func() { _ = c.Process.Kill() })

		sc := bufio.NewScanner(stdout)
		require.True(t, sc.Scan(), "first line")
		graphql, ok := strings.CutPrefix(sc.Text(), "graphql=")
		require.True(t, ok, sc.Text())
		require.True(t, sc.Scan(), "second line")
		oauth, ok := strings.CutPrefix(sc.Text(), "oauth=")
		require.True(t, ok, sc.Text())
		go func() { _, _ = io.Copy(io.Discard, stdout) }()

		// A request from "another language": plain HTTP to the OAuth URL.
		resp, err := http.PostForm(oauth, map[string][]string{
			"grant_type": {"password"}, "client_id": {tribetest.DefaultClientID}, "client_secret": {tribetest.DefaultClientSecret},
			"username": {"carol"}, "password": {tribetest.DefaultPassword},
		})
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Contains(t, string(body), `"access_token"`)

		// And the binary's own mint against it.
		mint := exec.CommandContext(t.Context(), bin, "mint", "--endpoint", graphql, "--network", tribetest.DefaultNetworkID, "-o", "json")
		mint.Env = append(os.Environ(), "TRIBE_CLIENT_ID="+tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET="+tribetest.DefaultClientSecret)
		out, err := mint.Output()
		require.NoError(t, err)
		assert.Contains(t, string(out), `"identity": "bot@net-acme"`)

		require.NoError(t, c.Process.Signal(os.Interrupt))
		waited := make(chan error, 1)
		go func() { waited <- c.Wait() }()
		select {
		case err := <-waited:
			assert.Equal(t, ExitOK, exitCode(t, err), stderr.String())
		case <-time.After(10 * time.Second):
			t.Fatal("mock did not stop on SIGINT")
		}
		assert.Contains(t, stderr.String(), "stopped")
	})
}
