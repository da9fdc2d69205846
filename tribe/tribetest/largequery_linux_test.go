//go:build linux

package tribetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threadCPU is the CPU time (user and system) the calling thread has used.
func threadCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_THREAD, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serveCPU answers one POST of query on s in this goroutine, locked to
// its thread, and returns the answer and the CPU time the thread spent on
// it: the handler's own work, whatever else the process does meanwhile.
func serveCPU(t *testing.T, s *Server, query string) (gqlResult, time.Duration) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	runtime.LockOSThread()
	before := threadCPU(t)
	s.ServeHTTP(w, req)
	cpu := threadCPU(t) - before
	runtime.UnlockOSThread()
	r := gqlResult{Status: w.Code, Raw: w.Body.String()}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r), r.Raw)
	return r, cpu
}

// TestLargeQueryCPU: a query of 110 KB, one field 9990 times, which
// validation would compare pairwise for seconds, is refused before it is
// validated, within 100 ms of the handler's CPU, with code 118; the
// largest such query the bound lets through is validated and answered
// within the same. (Every test of this package runs alone: the CPU time
// is this thread's only.)
func TestLargeQueryCPU(t *testing.T) {
	budget := 100 * time.Millisecond
	if raceEnabled {
		budget *= 10 // the race detector slows every step
	}
	s := NewUnstartedServer(WithQueryCacheSize(0)) // every request validates anew
	t.Cleanup(s.Close)

	q := "{" + strings.Repeat(" __typename", 9990) + " }"
	require.Greater(t, len(q), 100<<10)
	r, cpu := serveCPU(t, s, q)
	t.Logf("%d bytes: %v of CPU", len(q), cpu)
	assert.Less(t, cpu, budget)
	assert.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Errors, 1, r.Raw)
	assert.Equal(t, "118", r.Errors[0].Code)
	assert.Equal(t, "query too large to validate: it has more than 2000 selections (fields, fragments and spreads); split it into smaller operations", r.Errors[0].Message)
	assert.NotContains(t, r.Raw, `"data"`)

	q = "{" + strings.Repeat(" __typename", 547) + " }" // 547² comparisons: just under the bound
	r, cpu = serveCPU(t, s, q)
	t.Logf("%d bytes: %v of CPU", len(q), cpu)
	assert.Less(t, cpu, budget)
	require.Empty(t, r.Errors, r.Raw)
	assert.Equal(t, "Query", r.Data["__typename"])
}
