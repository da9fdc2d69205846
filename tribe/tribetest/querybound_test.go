//go:build linux

package tribetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
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
func serveCPU(t *testing.T, s *Server, query string) (*httptest.ResponseRecorder, time.Duration) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadCPU(t)
	s.ServeHTTP(w, req)
	return w, threadCPU(t) - before
}

// boundShapes are families of documents, each growing with n, in the
// shapes that make the overlapping-fields rule work hardest: one response
// name repeated, several names repeated, same-named fields with
// sub-selections, fragment spreads under same-named fields, fragments
// spread side by side, a chain of fragments spread from many places, and
// same-named fields with list and object arguments.
func boundShapes() map[string]func(n int) string {
	rep := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(" ")
			b.WriteString(f(i))
		}
		return b.String()
	}
	frags := func(n int, body func(i int) string) string {
		return rep(n, func(i int) string { return fmt.Sprintf("fragment F%d on Member { %s }", i, body(i)) })
	}
	return map[string]func(n int) string{
		"one name": func(n int) string { return "{" + strings.Repeat(" __typename", n) + " }" },
		"eight names": func(n int) string {
			return "{" + rep(8, func(i int) string { return strings.Repeat(fmt.Sprintf(" a%d: __typename", i), n) }) + " }"
		},
		"same-named fields with sub-selections": func(n int) string {
			return "{" + rep(n, func(int) string {
				return "authMember {" + rep(10, func(j int) string { return fmt.Sprintf("k%d: __typename", j) }) + " }"
			}) + " }"
		},
		"spreads under same-named fields": func(n int) string {
			return "{" + rep(n, func(int) string {
				return "authMember {" + rep(10, func(j int) string { return fmt.Sprintf("...F%d", j) }) + " }"
			}) + " }" + frags(10, func(i int) string { return fmt.Sprintf("f%d: id", i) })
		},
		"fragments side by side": func(n int) string {
			return "{ authMember {" + rep(n, func(i int) string { return fmt.Sprintf("...F%d", i) }) + " } }" +
				frags(n, func(int) string { return "id" })
		},
		"a chain of fragments spread from many places": func(n int) string {
			return "{" + rep(n, func(i int) string { return fmt.Sprintf("a%d: authMember { ...F0 }", i) }) + " }" +
				frags(maxFragments, func(i int) string {
					if i == maxFragments-1 {
						return fmt.Sprintf("f%d: id", i)
					}
					return fmt.Sprintf("f%d: id ...F%d", i, i+1)
				})
		},
		"list arguments": func(n int) string {
			return "{" + strings.Repeat(` members(limit: 1, roleIds: [`+strings.Repeat(` "r"`, 40)+`]) { totalCount }`, n) + " }"
		},
		"object arguments": func(n int) string {
			return "{" + strings.Repeat(" authMember(o: {"+rep(40, func(i int) string { return fmt.Sprintf("k%d: %d", 39-i, i) })+"}) { id }", n) + " }"
		},
	}
}

// largestUnderBound is the largest n up to 20000 for which shape(n) parses
// and passes checkBound.
func largestUnderBound(shape func(n int) string) int {
	passes := func(n int) bool {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: shape(n)}, maxQueryTokens)
		return err == nil && checkBound(doc) == nil
	}
	lo, hi := 0, 20000
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if passes(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// TestQueryBoundCPU: no document costs a request more than 100 ms of CPU
// to validate and answer, however its fields and fragments are arranged:
// each shape is tried at the largest size the bound lets through, and one
// size past it. The 110 KB one is refused before validation, with code
// 118. (Run alone, as every test of this package: the CPU time is this
// thread's only.)
func TestQueryBoundCPU(t *testing.T) {
	budget := 100 * time.Millisecond
	if raceEnabled {
		budget *= 10 // the race detector slows every step
	}
	s := NewUnstartedServer(WithQueryCacheSize(0)) // every request validates anew
	t.Cleanup(s.Close)
	for name, shape := range boundShapes() {
		t.Run(name, func(t *testing.T) {
			n := largestUnderBound(shape)
			require.Positive(t, n)
			for _, size := range []int{n, n + 1} {
				w, cpu := serveCPU(t, s, shape(size))
				t.Logf("n=%d, %d bytes: %v of CPU, HTTP %d", size, len(shape(size)), cpu, w.Code)
				assert.Less(t, cpu, budget)
				require.Equal(t, http.StatusOK, w.Code)
			}
		})
	}

	// 110 KB: the request that took seconds of CPU.
	q := "{" + strings.Repeat(" __typename", 9990) + " }"
	require.Greater(t, len(q), 100<<10)
	w, cpu := serveCPU(t, s, q)
	assert.Less(t, cpu, budget)
	var r gqlResult
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r))
	require.Len(t, r.Errors, 1, w.Body.String())
	assert.Equal(t, "118", r.Errors[0].Code)
	assert.Equal(t, "query too large to validate: it has more than 2000 selections (fields, fragments and spreads); split it into smaller operations", r.Errors[0].Message)
}

// TestQueryBound: each limit refuses a document one step past it, with a
// message that says which limit; a document at the limits, and the full
// introspection query, are validated and answered as usual.
func TestQueryBound(t *testing.T) {
	s := setup(t)
	const over = 548 // 548² > maxCompareSteps ≥ 547²
	tests := []struct {
		name, query, err string
	}{
		{"one name", "{" + strings.Repeat(" __typename", over) + " }",
			`merging its fields would take 300304 comparisons, more than 300000 (548 fields are named "__typename")`},
		{"aliases are names", "{" + strings.Repeat(" x: __typename", over) + " }",
			`merging its fields would take 300304 comparisons, more than 300000 (548 fields are named "x")`},
		{"arguments weigh", "{" + strings.Repeat(` members(limit: 1, roleIds: ["a", "b"]) { totalCount }`, 250) + " }",
			`merging its fields would take 375000 comparisons, more than 300000 (250 fields are named "members")`},
		{"spreads side by side", "{" + strings.Repeat(" ...F", over) + " } fragment F on Query { __typename }",
			"merging its fields would take 300337 comparisons, more than 300000"},
		{"selections", "{" + aliases(maxSelections+1) + " }", "it has more than 2000 selections (fields, fragments and spreads)"},
		{"fragments", "{ __typename }" + fragments(maxFragments+1), "it defines 101 fragments, more than 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.GraphQLURL(), "", tc.query, nil)
			require.Len(t, r.Errors, 1, r.Raw)
			assert.Equal(t, "118", r.Errors[0].Code)
			assert.Equal(t, "query too large to validate: "+tc.err+"; split it into smaller operations", r.Errors[0].Message)
		})
	}

	// At the limits: validated, and answered.
	var b strings.Builder
	b.WriteString("{" + strings.Repeat(" __typename", 300))
	for i := range maxFragments {
		fmt.Fprintf(&b, " ...F%d", i)
	}
	b.WriteString(aliases(maxSelections-300-2*maxFragments) + " }" + fragments(maxFragments))
	r := gql(t, s, s.GraphQLURL(), "", b.String(), nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Equal(t, "Query", r.Data["__typename"])
	assert.Equal(t, "Query", r.Data["f99"])
	r = gql(t, s, s.GraphQLURL(), "", introspectionQuery, nil)
	require.Empty(t, r.Errors, "the full introspection query is well under the bound")
}

// fragments defines n fragments on Query, F0 to Fn-1.
func fragments(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query { f%d: __typename }", i, i)
	}
	return b.String()
}

// aliases is n fields, each under an alias of its own.
func aliases(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	return b.String()
}
