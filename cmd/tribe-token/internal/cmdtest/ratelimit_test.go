package cmdtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
)

// TestWaitLine: WaitLine is the line Factory.Retry prints before a wait.
func TestWaitLine(t *testing.T) {
	f, _, stderr := Factory(nil, "")
	he := &tribe.HTTPError{Operation: "Me", StatusCode: http.StatusTooManyRequests, RetryAfter: time.Millisecond}
	calls := 0
	err := f.Retry(t.Context(), cmdutil.RetryOptions{}, func(context.Context) error {
		if calls++; calls > 1 {
			return nil
		}
		return &tribe.RateLimitError{Operation: "Me", RetryAfter: time.Millisecond, Err: he}
	})
	require.NoError(t, err)
	assert.Equal(t, WaitLine("rate limited (HTTP 429)", "1ms", 2), stderr.String())
	assert.Equal(t, "tribe-token: why; waiting 1s before trying again (try 3 of 4)\n", WaitLine("why", "1s", 3))
}

// TestLimitOnce: the first request LimitOnce's filter accepts gets a 429
// with a Retry-After; the rest reach the server behind.
func TestLimitOnce(t *testing.T) {
	back := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "behind "+r.URL.Path)
	}))
	t.Cleanup(back.Close)
	front, n := LimitOnce(t, back.URL, func(r *http.Request) bool { return r.URL.Path == "/token" }, `{"error":"slow down"}`)
	get := func(t *testing.T, path string) (int, string, string) {
		res, err := http.Get(front + path)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, res.Header.Get("Retry-After"), string(b)
	}
	tests := []struct { // in order
		name, path, retryAfter, body string
		status                       int
	}{
		{"a request it does not limit", "/other", "", "behind /other", http.StatusOK},
		{"the first it limits", "/token", "1", `{"error":"slow down"}` + "\n", http.StatusTooManyRequests},
		{"the second", "/token", "", "behind /token", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, retryAfter, body := get(t, tc.path)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.retryAfter, retryAfter)
			assert.Equal(t, tc.body, body)
		})
	}
	assert.Equal(t, int32(2), n.Load(), "two requests to /token")
}
