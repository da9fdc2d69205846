package api

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
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
	var stdout countingWriter
	run := paginateInChild(t, func(i int) string { return fmt.Sprintf(`{"id":"n%07d"}`, i) }, &stdout)
	assert.Contains(t, run.stderr, "the answers passed --max-bytes 64MiB (67108864 bytes) reading Members; raise --max-bytes")
	assert.Contains(t, run.stderr, "the pages so far are printed")
	assert.Equal(t, int32(9), run.pages, "8 pages of 7.5 MiB fit in 64 MiB; the 9th passes it")
	assert.Greater(t, stdout.n, int64(8*(7<<20)), "the 8 pages are printed")
	assert.Equal(t, "\n}\n", string(stdout.tail[:]), "whole")
	assert.Less(t, run.peak, int64(256<<20), "peak RSS")
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
