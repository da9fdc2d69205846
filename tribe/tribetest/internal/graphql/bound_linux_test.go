//go:build linux

package graphql_test

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

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
				frags(graphql.MaxFragments, func(i int) string {
					if i == graphql.MaxFragments-1 {
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
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: shape(n)}, graphql.MaxQueryTokens)
		return err == nil && graphql.CheckBound(doc, "118") == nil
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

// TestBoundCPU: no document costs more than 100 ms of CPU to parse,
// bound and validate, however its fields and fragments are arranged: each
// shape is tried at the largest size the bound (and the token limit) lets
// through, and one size past it. (The CPU time is this thread's only, whatever else the process
// does meanwhile.)
func TestBoundCPU(t *testing.T) {
	budget := 100 * time.Millisecond
	if raceEnabled {
		budget *= 10 // the race detector slows every step
	}
	s := repoSchema(t)
	for name, shape := range boundShapes() {
		t.Run(name, func(t *testing.T) {
			n := largestUnderBound(shape)
			require.Positive(t, n)
			for _, size := range []int{n, n + 1} {
				q, cpu := getCPU(t, graphql.NewCache(s, 0), shape(size))
				t.Logf("n=%d, %d bytes: %v of CPU, %d errors", size, len(shape(size)), cpu, len(q.Errors()))
				assert.Less(t, cpu, budget)
				if size > n { // refused by the bound, or the token limit
					require.NotEmpty(t, q.Errors())
				}
			}
		})
	}
}

// threadCPU is the CPU time (user and system) the calling thread has used.
func threadCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_THREAD, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// getCPU gets text from c in this goroutine, locked to its thread, and
// returns the query and the CPU time the thread spent on it.
func getCPU(t *testing.T, c *graphql.Cache, text string) (*graphql.Query, time.Duration) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadCPU(t)
	q := c.Get(text)
	return q, threadCPU(t) - before
}
