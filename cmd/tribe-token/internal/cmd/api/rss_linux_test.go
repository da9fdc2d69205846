package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pagedRun is what one run of api --paginate in a process of its own
// ended with ([paginateInChild]).
type pagedRun struct {
	stderr string
	pages  int32 // the pages the server was asked for
	peak   int64 // the process's peak resident memory, in bytes
}

// paginateInChild runs api --paginate with flags, as a process of its
// own (this test binary, see TestMain), against a server on loopback that
// answers every page at once with nearly the 8 MiB an answer may have, of
// nodes made by node, and always one more page; what it prints goes to
// stdout. Such a run cannot end well: it must fail with exit status 1. The
// test is skipped in -short and under the race detector, which multiplies
// memory and time: the bounds are measured without it.
func paginateInChild(t *testing.T, node func(i int) string, stdout io.Writer, flags ...string) pagedRun {
	t.Helper()
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
		page.WriteString(node(i))
	}
	page.WriteString(`],"pageInfo":{"hasNextPage":true,"endCursor":"`)
	srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
		_, _ = w.Write(page.Bytes())
		fmt.Fprintf(w, `c%d"}}}}`, n)
	})

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	args := append(append([]string{"api", "--paginate"}, flags...),
		`query Members($after: String) { members(after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = []string{processEnv + "=1", "TRIBE_TOKEN=tok-123", "TRIBE_ENDPOINT=" + srv.URL + "/graphql"}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	require.Equal(t, 1, exit.ExitCode(), "stderr: %s", stderr.String())

	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	require.True(t, ok)
	run := pagedRun{stderr: stderr.String(), pages: n.Load(), peak: ru.Maxrss << 10} // KiB on Linux
	t.Logf("peak RSS %d MiB, %d pages", run.peak>>20, run.pages)
	return run
}
