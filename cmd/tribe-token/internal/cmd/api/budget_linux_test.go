package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaginateMemoryIsBounded runs api --paginate, as a process of its own
// (this test binary, see TestMain), against a hostile server on loopback
// that answers every page at once with nearly the 8 MiB an answer may
// have, hundreds of thousands of small nodes, and always one more page.
// The run stops with the --max-bytes error (64MiB by default), having
// printed the pages before it, and its peak resident memory stays under
// 256 MiB. (Decoding each page into Go values, as api did, took about
// 400 MB a page and gigabytes for the run.)
func TestPaginateMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("moves about 64 MiB through a child process; not in -short")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory and time; the bound is measured without it")
	}
	var page bytes.Buffer
	page.WriteString(`{"data":{"members":{"nodes":[`)
	for i := 0; page.Len() < 7<<20+512<<10; i++ {
		if i > 0 {
			page.WriteByte(',')
		}
		fmt.Fprintf(&page, `{"id":"n%07d"}`, i)
	}
	page.WriteString(`],"pageInfo":{"hasNextPage":true,"endCursor":"`)
	srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
		_, _ = w.Write(page.Bytes())
		fmt.Fprintf(w, `c%d"}}}}`, n)
	})

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "api", "--paginate",
		`query Members($after: String) { members(after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`)
	cmd.Env = []string{processEnv + "=1", "TRIBE_TOKEN=tok-123", "TRIBE_ENDPOINT=" + srv.URL + "/graphql"}
	var stdout countingWriter
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr.String(), "the answers passed --max-bytes 64MiB (67108864 bytes) reading Members; raise --max-bytes")
	assert.Contains(t, stderr.String(), "the pages so far are printed")
	assert.Equal(t, int32(9), n.Load(), "8 pages of 7.5 MiB fit in 64 MiB; the 9th passes it")
	assert.Greater(t, stdout.n, int64(8*(7<<20)), "the 8 pages are printed")
	assert.Equal(t, "\n}\n", string(stdout.tail[:]), "whole")

	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	require.True(t, ok)
	peak := ru.Maxrss << 10 // KiB on Linux
	t.Logf("peak RSS %d MiB, %d pages, %d MiB printed", peak>>20, n.Load(), stdout.n>>20)
	assert.Less(t, peak, int64(256<<20), "peak RSS")
}

// countingWriter counts what is written and keeps its last 3 bytes.
type countingWriter struct {
	n    int64
	tail [3]byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	for _, b := range p[max(0, len(p)-3):] {
		copy(w.tail[:], w.tail[1:])
		w.tail[2] = b
	}
	return len(p), nil
}
