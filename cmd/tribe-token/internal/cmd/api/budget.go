package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
)

// budget is what remains of --max-bytes: the bytes of answer bodies the
// run may still read, all requests together. It is safe for concurrent use.
type budget struct {
	limit int64
	left  atomic.Int64
}

func newBudget(limit int64) *budget {
	b := &budget{limit: limit}
	b.left.Store(limit)
	return b
}

// errMaxBytes is the error a body read past the budget returns; the
// command turns it into a message that names --max-bytes.
type errMaxBytes struct{ limit int64 }

func (e *errMaxBytes) Error() string {
	return "the answers passed --max-bytes " + sizeText(e.limit)
}

// budgetTransport counts the bytes of every answer body it hands on
// against a budget, and fails the read that passes it.
type budgetTransport struct {
	base   http.RoundTripper
	budget *budget
}

// RoundTrip implements http.RoundTripper.
func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil || res.Body == nil {
		return res, err
	}
	res.Body = &budgetBody{ReadCloser: res.Body, budget: t.budget}
	return res, nil
}

// budgetBody is an answer body read against a budget.
type budgetBody struct {
	io.ReadCloser
	budget *budget
}

// Read reads at most what is left of the budget, and one byte more to
// tell an answer that ends exactly at the limit from one that passes it.
func (r *budgetBody) Read(p []byte) (int, error) {
	left := r.budget.left.Load()
	if left < 0 {
		return 0, &errMaxBytes{r.budget.limit}
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := r.ReadCloser.Read(p)
	if r.budget.left.Add(-int64(n)) < 0 {
		return n, &errMaxBytes{r.budget.limit}
	}
	return n, err
}

// httpClient returns the client the run's requests are sent with: the
// library's default (http.DefaultTransport, [tribe.DefaultHTTPTimeout] a
// request), or a test's transport, with every answer body counted against
// b.
func httpClient(f *cmdutil.Factory, b *budget) *http.Client {
	base, timeout := f.Transport, time.Duration(0)
	if base == nil {
		base, timeout = http.DefaultTransport, tribe.DefaultHTTPTimeout
	}
	return &http.Client{Transport: &budgetTransport{base: base, budget: b}, Timeout: timeout}
}

// Bounds of --max-bytes.
const (
	// DefaultMaxBytes is --max-bytes's default: 64 MiB of answers.
	DefaultMaxBytes = 64 << 20
	// maxMaxBytes bounds --max-bytes.
	maxMaxBytes = 1 << 40
)

// byteSize is the value of --max-bytes: a count of bytes, written as a
// number with an optional binary unit, KiB, MiB or GiB (64MiB, 1GiB,
// 1048576).
type byteSize int64

// unit is one of byteSize's units.
type unit struct {
	name string
	size int64
}

// units returns byteSize's units, largest first.
func units() [3]unit { return [...]unit{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} }

// String writes the size with the largest unit that divides it.
func (b *byteSize) String() string { return sizeText(int64(*b)) }

// Set parses a size.
func (b *byteSize) Set(s string) error {
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units() {
		if n, ok := strings.CutSuffix(num, u.name); ok {
			num, mult = strings.TrimSpace(n), u.size
			break
		}
	}
	num, _ = strings.CutSuffix(num, "B")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > maxMaxBytes/mult {
		return fmt.Errorf("not a size; give bytes, or a number with KiB, MiB or GiB, e.g. 256MiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// Type names the value in the help.
func (b *byteSize) Type() string { return "size" }

// sizeText writes n bytes with the largest unit that divides it.
func sizeText(n int64) string {
	for _, u := range units() {
		if n > 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
