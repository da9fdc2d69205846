package cmdutil

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetryingHTTPClient: which answers the client waits out (with a line
// on stderr) and sends the request again after, the body included, and
// which it hands back at once.
func TestRetryingHTTPClient(t *testing.T) {
	tests := []struct {
		name       string
		spendsOnce bool
		first      int    // the first answer's status; then 200
		retryAfter string // its Retry-After
		sends      int32
		line       string // on stderr, "" for none
		status     int    // what the caller gets
	}{
		{"429 with Retry-After", false, http.StatusTooManyRequests, "1", 2, "rate limited (HTTP 429); waiting 1s before trying again (try 2 of 4)", 200},
		{"429 spending once", true, http.StatusTooManyRequests, "1", 2, "rate limited (HTTP 429); waiting 1s before trying again (try 2 of 4)", 200},
		{"503", false, http.StatusServiceUnavailable, "", 2, "the server answered HTTP 503 Service Unavailable; waiting ", 200},
		{"502", false, http.StatusBadGateway, "", 2, "the server answered HTTP 502 Bad Gateway; waiting ", 200},
		{"502 spending once is handed back", true, http.StatusBadGateway, "", 1, "", http.StatusBadGateway},
		{"400 is handed back", false, http.StatusBadRequest, "", 1, "", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sends atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != "grant_type=password" {
					t.Errorf("body %q", body)
				}
				if sends.Add(1) == 1 {
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					w.WriteHeader(tc.first)
					return
				}
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()
			var stderr bytes.Buffer
			f := New(strings.NewReader(""), &bytes.Buffer{}, &stderr, func(string) string { return "" })
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader("grant_type=password"))
			require.NoError(t, err)
			res, err := f.RetryingHTTPClient(tc.spendsOnce, false).Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, tc.status, res.StatusCode)
			assert.Equal(t, tc.sends, sends.Load())
			if tc.line == "" {
				assert.Empty(t, stderr.String())
				return
			}
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
			assert.True(t, strings.HasPrefix(stderr.String(), ProgName+": "+tc.line), stderr.String())
		})
	}
}

// TestRetryingHTTPClientGivesTheLastAnswerBack: after the last try the
// server's own answer reaches the library, body and all.
func TestRetryingHTTPClientGivesTheLastAnswerBack(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":"slow_down"}`)
	}))
	defer srv.Close()
	var stderr bytes.Buffer
	f := New(strings.NewReader(""), &bytes.Buffer{}, &stderr, func(string) string { return "" })
	start := time.Now()
	res, err := f.RetryingHTTPClient(false, false).Get(srv.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.JSONEq(t, `{"error":"slow_down"}`, string(body))
	assert.Equal(t, int32(1), sends.Load(), "an hour is past the 5 minutes any wait may last")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, stderr.String())
}

// TestRetryingHTTPClientSendsAnUnreadableBodyOnce: a body that cannot be
// read again is sent once, whatever the answer.
func TestRetryingHTTPClientSendsAnUnreadableBodyOnce(t *testing.T) {
	var sends atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sends.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := New(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, io.MultiReader(strings.NewReader("x")))
	require.NoError(t, err)
	res, err := f.RetryingHTTPClient(false, false).Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, int32(1), sends.Load())
}
