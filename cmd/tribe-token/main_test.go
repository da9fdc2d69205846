package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/root"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestMain runs the tests, then removes the binary they built.
func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := binaryDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

// binaryDir is the directory the binary is built into, made once.
var binaryDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "tribe-token-test-") })

// builtBinary builds tribe-token once for all the tests of this package:
// the path of the binary, or why it could not be built.
var builtBinary = sync.OnceValues(func() (string, error) {
	dir, err := binaryDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "tribe-token")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := []string{"build", "-o", bin}
	if raceEnabled {
		build = append(build, "-race")
	}
	build = append(build, "github.com/tribekit/tribekit/cmd/tribe-token")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", build...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
})

// buildBinary returns tribe-token built from this tree, built on the first
// call of the test binary and shared by the tests after it.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := builtBinary()
	require.NoError(t, err)
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
		assert.Equal(t, cmdutil.ExitUsage, exitCode(t, c.Run()))
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
			assert.Equal(t, cmdutil.ExitOK, exitCode(t, err), stderr.String())
		case <-time.After(10 * time.Second):
			t.Fatal("mock did not stop on SIGINT")
		}
		assert.Contains(t, stderr.String(), "stopped")
	})

	t.Run("a second signal ends a stop that hangs", func(t *testing.T) {
		c := exec.CommandContext(t.Context(), bin, "mock", "--addr", "127.0.0.1:0")
		stdout, err := c.StdoutPipe()
		require.NoError(t, err)
		stderrPipe, err := c.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, c.Start())
		t.Cleanup(func() { _ = c.Process.Kill() })
		sc := bufio.NewScanner(stdout)
		require.True(t, sc.Scan(), "first line")
		graphql, ok := strings.CutPrefix(sc.Text(), "graphql=")
		require.True(t, ok, sc.Text())
		go func() { _, _ = io.Copy(io.Discard, stdout) }()
		stderrLines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(stderrPipe)
			for sc.Scan() {
				stderrLines <- sc.Text()
			}
			close(stderrLines)
		}()

		// A request whose body never comes: the server cannot finish it,
		// so a graceful stop waits for it.
		u, err := url.Parse(graphql)
		require.NoError(t, err)
		conn, err := net.Dial("tcp", u.Host)
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", u.Path, u.Host)
		require.NoError(t, err)

		waitFor := func(prefix string) {
			t.Helper()
			deadline := time.After(10 * time.Second)
			for {
				select {
				case l, ok := <-stderrLines:
					require.True(t, ok, "stderr closed before %q", prefix)
					if strings.HasPrefix(l, prefix) {
						return
					}
				case <-deadline:
					t.Fatalf("no %q line on stderr", prefix)
				}
			}
		}
		waitFor("mock Tribe server at")
		require.NoError(t, c.Process.Signal(os.Interrupt))
		waitFor("stopping the mock Tribe server")
		// Stopping is under way, held up by the request. A second signal
		// ends the process at once (or it may just have stopped).
		_ = c.Process.Signal(os.Interrupt)
		waited := make(chan error, 1)
		go func() { waited <- c.Wait() }()
		select {
		case err := <-waited:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				ws, ok := ee.Sys().(syscall.WaitStatus)
				require.True(t, ok)
				assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGINT, "ended by the second SIGINT: %v", err)
			} else {
				require.NoError(t, err)
				t.Log("the server stopped before the second signal")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the second SIGINT did not end the mock")
		}
	})
}

// run runs tribe-token in-process, as main does, with inv's environment,
// stdin and hooks.
func run(t *testing.T, inv cmdtest.Invocation) cmdtest.Outcome {
	t.Helper()
	return cmdtest.RunTree(t, root.NewCmdRoot, inv)
}

// args is a shorthand for a command line.
func args(a ...string) []string { return a }
