package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJQPaginateMemoryIsBounded runs api --paginate --jq, as a process of
// its own (this test binary, see TestMain), against servers on loopback
// that answer every page at once with nearly the 8 MiB an answer may
// have, and always one more page: with --jq, a page is filtered and let
// go as it comes, so the run holds one page, not the 64 MiB of all of them
// that merging holds; and a page of empty objects, which would take tens
// of times its size decoded, is refused before it does.
func TestJQPaginateMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("moves about 64 MiB through a child process; not in -short")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory and time; the bound is measured without it")
	}
	body := strings.Repeat("x", 1000)
	tests := []struct {
		name      string
		node      func(i int) string
		wantErr   string
		wantPages int32
		wantLines int // on stdout, at least
	}{
		{name: "pages of 1 KB nodes", node: func(i int) string { return fmt.Sprintf(`{"id":"n%07d","body":"%s"}`, i, body) },
			wantErr: "the answers passed --max-bytes 64MiB", wantPages: 9, wantLines: 8 * 7000},
		{name: "a page of empty objects", node: func(int) string { return "{}" },
			wantErr: "the answer's data is too large to filter with --jq (it would take more than 128MiB decoded)", wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var page bytes.Buffer
			page.WriteString(`{"data":{"members":{"nodes":[`)
			for i := 0; page.Len() < 7<<20+512<<10; i++ {
				if i > 0 {
					page.WriteByte(',')
				}
				page.WriteString(tt.node(i))
			}
			page.WriteString(`],"pageInfo":{"hasNextPage":true,"endCursor":"`)
			srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
				_, _ = w.Write(page.Bytes())
				fmt.Fprintf(w, `c%d"}}}}`, n)
			})

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "api", "--paginate", "--jq", ".data.members.nodes[] | .id // 0",
				`query Members($after: String) { members(after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`)
			cmd.Env = []string{processEnv + "=1", "TRIBE_TOKEN=tok-123", "TRIBE_ENDPOINT=" + srv.URL + "/graphql"}
			var stdout lineCounter
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
			assert.Equal(t, 1, exit.ExitCode())
			assert.Contains(t, stderr.String(), tt.wantErr)
			assert.Equal(t, tt.wantPages, n.Load())
			assert.GreaterOrEqual(t, stdout.lines, tt.wantLines)

			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			require.True(t, ok)
			peak := ru.Maxrss << 10 // KiB on Linux
			t.Logf("peak RSS %d MiB, %d pages, %d lines printed", peak>>20, n.Load(), stdout.lines)
			assert.Less(t, peak, int64(128<<20), "peak RSS: one page at a time")
		})
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ lines int }

func (w *lineCounter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}
