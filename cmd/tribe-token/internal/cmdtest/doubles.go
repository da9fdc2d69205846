package cmdtest

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
)

// LineWriter is a writer, safe for concurrent use, that hands each line
// written, trimmed, to Lines once its newline comes (dropping it if Lines
// is full) and keeps all that was written for [LineWriter.String]. Give
// Lines a buffer: the writer never blocks.
type LineWriter struct {
	Lines chan string

	mu      sync.Mutex
	buf     bytes.Buffer
	partial string // the start of a line whose newline has not come yet
}

// NewLineWriter returns a LineWriter whose Lines holds up to n lines.
func NewLineWriter(n int) *LineWriter { return &LineWriter{Lines: make(chan string, n)} }

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	lines := strings.Split(w.partial+string(p), "\n")
	w.partial = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		select {
		case w.Lines <- strings.TrimSpace(l):
		default:
		}
	}
	return len(p), nil
}

// String is all that was written so far.
func (w *LineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// RecordingTransport records the host of every request and sends none:
// nothing reaches the network. It is safe for concurrent use.
type RecordingTransport struct {
	mu    sync.Mutex
	hosts []string
}

// NotSent is the error [RecordingTransport] answers every request with.
const NotSent = "test transport: nothing is sent"

// RoundTrip records r's host and fails with the error [NotSent].
func (rt *RecordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.hosts = append(rt.hosts, r.URL.Host)
	return nil, errors.New(NotSent)
}

// Sent is the host of each request, in order.
func (rt *RecordingTransport) Sent() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.hosts...)
}
