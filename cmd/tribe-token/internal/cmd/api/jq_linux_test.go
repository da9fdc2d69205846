package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestJQPaginateMemoryIsBounded runs api --paginate --jq, as a process of
// its own (this test binary, see TestMain), against servers on loopback
// that answer every page at once with nearly the 8 MiB an answer may
// have, and always one more page: with --jq, a page is filtered and let
// go as it comes, so the run holds one page, not the 64 MiB of all of them
// that merging holds; and a page of empty objects, which would take tens
// of times its size decoded, is refused before it does.
func TestJQPaginateMemoryIsBounded(t *testing.T) {
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
			var stdout lineCounter
			run := paginateInChild(t, tt.node, &stdout, "--jq", ".data.members.nodes[] | .id // 0")
			assert.Contains(t, run.stderr, tt.wantErr)
			assert.Equal(t, tt.wantPages, run.pages)
			assert.GreaterOrEqual(t, stdout.lines, tt.wantLines)
			assert.Less(t, run.peak, int64(128<<20), "peak RSS: one page at a time")
		})
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ lines int }

func (w *lineCounter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}
