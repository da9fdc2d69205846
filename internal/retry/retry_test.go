package retry

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: 450 * time.Millisecond}.WithDefaults()
	for i := 0; i < 200; i++ {
		for attempt, want := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 450, 9: 450} {
			want *= time.Millisecond
			d := p.Backoff(attempt)
			assert.GreaterOrEqual(t, d, want/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, want, "attempt %d", attempt)
		}
	}
}

// statusSequence answers the given statuses in turn, then 200, recording
// each request's body.
type statusSequence struct {
	mu       sync.Mutex
	statuses []int
	headers  []map[string]string
	bodies   []string
}

func (s *statusSequence) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
	if n < len(s.statuses) {
		if n < len(s.headers) {
			for k, v := range s.headers[n] {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(s.statuses[n])
		return
	}
	w.WriteHeader(http.StatusOK)
}

func TestRetryTransport(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		headers   []map[string]string
		policy    Policy
		wantCalls int
		wantFinal int
		wantWaits []time.Duration // exact, when Retry-After decides
	}{
		{name: "429 then ok", statuses: []int{429}, wantCalls: 2, wantFinal: 200},
		{name: "502 503 504 then ok", statuses: []int{502, 503, 504}, wantCalls: 4, wantFinal: 200},
		{name: "gives up after MaxAttempts", statuses: []int{503, 503, 503, 503, 503}, wantCalls: 4, wantFinal: 503},
		{name: "MaxAttempts 1 turns retries off", statuses: []int{503}, policy: Policy{MaxAttempts: 1}, wantCalls: 1, wantFinal: 503},
		{name: "400 not retried", statuses: []int{400}, wantCalls: 1, wantFinal: 400},
		{name: "401 not retried", statuses: []int{401}, wantCalls: 1, wantFinal: 401},
		{name: "403 not retried", statuses: []int{403}, wantCalls: 1, wantFinal: 403},
		{name: "500 not retried", statuses: []int{500}, wantCalls: 1, wantFinal: 500},
		{name: "Retry-After seconds honoured", statuses: []int{429, 503}, headers: []map[string]string{{"Retry-After": "3"}, {"Retry-After": "1"}},
			wantCalls: 3, wantFinal: 200, wantWaits: []time.Duration{3 * time.Second, time.Second}},
		{name: "Retry-After past MaxElapsed gives up", statuses: []int{429}, headers: []map[string]string{{"Retry-After": "120"}},
			wantCalls: 1, wantFinal: 429},
		{name: "a day's Retry-After is not waited, whatever MaxElapsed", statuses: []int{429}, headers: []map[string]string{{"Retry-After": "86400"}},
			policy: Policy{MaxElapsed: 48 * time.Hour}, wantCalls: 1, wantFinal: 429},
		{name: "Retry-After past MaxWait gives up", statuses: []int{503}, headers: []map[string]string{{"Retry-After": "3"}},
			policy: Policy{MaxWait: 2 * time.Second}, wantCalls: 1, wantFinal: 503},
		{name: "Retry-After at MaxWait is waited", statuses: []int{503}, headers: []map[string]string{{"Retry-After": "2"}},
			policy: Policy{MaxWait: 2 * time.Second}, wantCalls: 2, wantFinal: 200, wantWaits: []time.Duration{2 * time.Second}},
		{name: "MaxWait shortens a backoff", statuses: []int{503, 503}, policy: Policy{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 10 * time.Hour, MaxWait: time.Second},
			wantCalls: 3, wantFinal: 200, wantWaits: []time.Duration{time.Second, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &statusSequence{statuses: tt.statuses, headers: tt.headers}
			srv := httptest.NewServer(h)
			defer srv.Close()
			var waits []time.Duration
			p := tt.policy
			if p.BaseDelay == 0 {
				p.BaseDelay = time.Millisecond
			}
			p.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			c := &http.Client{Transport: NewTransport(p, http.DefaultTransport)}
			res, err := c.Post(srv.URL, "application/json", strings.NewReader(`{"query":"{x}"}`))
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tt.wantFinal, res.StatusCode)
			assert.Len(t, h.bodies, tt.wantCalls)
			for _, b := range h.bodies {
				assert.Equal(t, `{"query":"{x}"}`, b, "every try sends the whole body")
			}
			if tt.wantWaits != nil {
				assert.Equal(t, tt.wantWaits, waits)
			}
			assert.Len(t, waits, tt.wantCalls-1)
		})
	}
}

func TestRetryTransportNetworkErrorAndContext(t *testing.T) {
	// A closed port: every try is a network error.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()

	var tries int
	p := Policy{MaxAttempts: 3, BaseDelay: time.Millisecond}.WithDefaults()
	p.Sleep = func(ctx context.Context, d time.Duration) error { tries++; return nil }
	c := &http.Client{Transport: NewTransport(p, http.DefaultTransport)}
	_, err := c.Get(url)
	require.Error(t, err)
	assert.Equal(t, 2, tries, "network errors are retried up to MaxAttempts")

	// A cancelled context stops the waiting at once.
	h := &statusSequence{statuses: []int{503, 503, 503}}
	srv2 := httptest.NewServer(h)
	defer srv2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	p2 := Policy{BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: 10 * time.Hour}.WithDefaults()
	c2 := &http.Client{Transport: NewTransport(p2, http.DefaultTransport)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv2.URL, nil)
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c2.Do(req)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Len(t, h.bodies, 1)
}

func TestRetryEdgeValues(t *testing.T) {
	p := Policy{BaseDelay: 1 << 62, MaxDelay: math.MaxInt64}.WithDefaults()
	for attempt := 1; attempt < 70; attempt++ {
		d := p.Backoff(attempt)
		assert.Positive(t, d)
	}
	now := time.Now()
	assert.Equal(t, 24*time.Hour, ParseRetryAfter("9999999999", now))
	assert.Equal(t, 24*time.Hour, ParseRetryAfter("18446744074", now))
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, 7*time.Second, ParseRetryAfter("7", now))
	assert.Equal(t, 30*time.Second, ParseRetryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), ParseRetryAfter("", now))
	assert.Equal(t, time.Duration(0), ParseRetryAfter("soon", now))
	assert.Equal(t, time.Duration(0), ParseRetryAfter("-3", now))
}

// FuzzRetryAfter: any Retry-After header gives a wait from zero to a day.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", "-1", " 7 ", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "1e3", "abc"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d := ParseRetryAfter(v, now)
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, MaxRetryAfter)
		}
	})
}
