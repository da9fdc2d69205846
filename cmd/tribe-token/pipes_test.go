package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/demo"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestBinaryPipesAndShells runs the built binary where the process matters: a
// stdout its reader closed, and the demo's last line through bash.
func TestBinaryPipesAndShells(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGPIPE and bash")
	}
	bin := buildBinary(t)

	t.Run("mock keeps serving when its reader closes stdout", func(t *testing.T) {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		// The reader is gone before the mock writes anything, as with
		// "tribe-token mock | head -0" (or head -1 on a slow machine).
		require.NoError(t, r.Close())
		c := exec.CommandContext(t.Context(), bin, "mock", "--addr", "127.0.0.1:0")
		c.Stdout = w
		stderrPipe, err := c.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, c.Start())
		t.Cleanup(func() { _ = c.Process.Kill() })
		require.NoError(t, w.Close())

		lines := make(chan string, 16)
		var all bytes.Buffer
		go func() {
			sc := bufio.NewScanner(stderrPipe)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var url string
		deadline := time.After(10 * time.Second)
		for url == "" {
			select {
			case l, ok := <-lines:
				require.True(t, ok, "stderr closed: the mock died: %s", all.String())
				all.WriteString(l + "\n")
				if rest, found := strings.CutPrefix(l, "mock Tribe server at "); found {
					url, _, _ = strings.Cut(rest, " ")
				}
			case <-deadline:
				t.Fatalf("no 'mock Tribe server at' line: %s", all.String())
			}
		}
		// Still serving.
		resp, err := http.Get(url + "/graphql")
		require.NoError(t, err)
		resp.Body.Close()
		assert.NotZero(t, resp.StatusCode)

		require.NoError(t, c.Process.Signal(syscall.SIGTERM))
		for l := range lines {
			all.WriteString(l + "\n")
		}
		err = c.Wait()
		assert.NoError(t, err, "exit 0, not killed by SIGPIPE: %s", all.String())
		assert.NotContains(t, all.String(), "goroutine ")
		assert.NotContains(t, all.String(), "broken pipe")
	})

	t.Run("the demo's last line works as printed", func(t *testing.T) {
		out, err := exec.CommandContext(t.Context(), bin, "demo").Output()
		require.NoError(t, err)
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		last := strings.TrimSpace(lines[len(lines)-1])
		require.Equal(t, demo.NextCommand, last)
		require.Contains(t, last, "go run ./cmd/tribe-token ")
		// From a clone, "go run ./cmd/tribe-token" builds what bin is.
		script := strings.ReplaceAll(last, "go run ./cmd/tribe-token", "'"+bin+"'")
		script = "set -m; " + script + "\nrc=$?; kill $! 2>/dev/null; wait $! 2>/dev/null; exit $rc"
		c := exec.CommandContext(t.Context(), "bash", "-c", script)
		c.Dir = t.TempDir()
		// A shell with a stale token and gateway in it, as one may have
		// after an earlier try.
		c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + c.Dir, "TRIBE_TOKEN=stale", "TRIBE_GATEWAY_URL=http://127.0.0.1:1/gateway/x"}
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		done := make(chan error, 1)
		require.NoError(t, c.Start())
		go func() { done <- c.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "stderr: %s", stderr.String())
		case <-time.After(30 * time.Second):
			_ = c.Process.Kill()
			t.Fatalf("the demo's commands did not finish: %s", stderr.String())
		}
		tok := strings.TrimSpace(stdout.String())
		require.Len(t, strings.Split(tok, "."), 3, "a token: %q; stderr: %s", tok, stderr.String())
		env, err := os.ReadFile(c.Dir + "/mock.env")
		require.NoError(t, err)
		// The token acts as Carol, on the mock the line started.
		var endpoint string
		for _, l := range strings.Split(string(env), "\n") {
			if v, ok := strings.CutPrefix(l, "export TRIBE_ENDPOINT="); ok {
				endpoint = strings.Trim(v, "'")
			}
		}
		require.NotEmpty(t, endpoint, string(env))
		// The mock is stopped: the token is decoded instead of asked about.
		r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: args("decode", "-o", "json")})
		cmdtest.RequireOK(t, r)
		assert.Contains(t, r.Stdout, `"id": "`+tribetest.PlainMemberID+`"`)
	})
}
