package tribe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// limitedServer answers authMember, refusing a request over limit in its
// window with code 104 (or HTTP 429), and reporting complexity.
type limitedServer struct {
	*httptest.Server
	mu         sync.Mutex
	window     time.Duration
	limit      int // requests per window; 0: none
	start      time.Time
	inWindow   int
	served     atomic.Int32
	refused    atomic.Int32
	status429  bool
	retryAfter string
	complexity int
}

func newLimitedServer(t *testing.T, limit int, window time.Duration) *limitedServer {
	s := &limitedServer{limit: limit, window: window, complexity: 7}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		now := time.Now()
		if s.start.IsZero() || now.Sub(s.start) >= s.window {
			s.start, s.inWindow = now, 0
		}
		s.inWindow++
		over := s.limit > 0 && s.inWindow > s.limit
		s.mu.Unlock()
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		if over {
			s.refused.Add(1)
			if s.status429 {
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED","code":"104"}]}`)
			return
		}
		s.served.Add(1)
		fmt.Fprintf(w, `{"data":{"authMember":{"id":"m1"}},"extensions":{"complexity":%d}}`, s.complexity)
	}))
	t.Cleanup(s.Close)
	return s
}

// recordWaits returns a policy whose waits are recorded, not slept.
func recordWaits(p RetryPolicy) (RetryPolicy, *[]time.Duration) {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	p.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return p, waits
}

func TestRateLimitedIsTyped(t *testing.T) {
	for _, status429 := range []bool{false, true} {
		t.Run(fmt.Sprint("429=", status429), func(t *testing.T) {
			srv := newLimitedServer(t, 0, time.Hour)
			srv.limit, srv.inWindow, srv.start = 1, 1, time.Now() // every request is over
			srv.status429, srv.retryAfter = status429, "3"
			c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{MaxAttempts: 1}})
			require.NoError(t, err)
			_, err = c.AuthMember(context.Background())
			require.ErrorIs(t, err, ErrRateLimited)
			rl, ok := errors.AsType[*RateLimitError](err)
			require.True(t, ok)
			assert.Equal(t, 3*time.Second, rl.RetryAfter)
			assert.Contains(t, err.Error(), "rate limited, retry after 3s")
			if status429 {
				_, isHTTP := errors.AsType[*HTTPError](err)
				assert.True(t, isHTTP, "the server's answer is still reachable")
			} else {
				ge, isGQL := errors.AsType[*GraphQLError](err)
				require.True(t, isGQL)
				assert.Equal(t, CodeRateLimited, ge.Code)
			}
			assert.NotErrorIs(t, err, ErrInvalidToken)
		})
	}
}

func TestClientRetriesRateLimits(t *testing.T) {
	cases := []struct {
		name       string
		status429  bool
		retryAfter string
		policy     RetryPolicy
		wantWaits  []time.Duration
		wantErr    bool
	}{
		{name: "104 without Retry-After waits out the burst window", wantWaits: []time.Duration{RateLimitWindow, RateLimitWindow}},
		{name: "104 with Retry-After", retryAfter: "2", wantWaits: []time.Duration{2 * time.Second, 2 * time.Second}},
		{name: "429 with Retry-After", status429: true, retryAfter: "1", wantWaits: []time.Duration{time.Second, time.Second}},
		{name: "RateLimitWait", policy: RetryPolicy{RateLimitWait: 3 * time.Second}, wantWaits: []time.Duration{3 * time.Second, 3 * time.Second}},
		{name: "MaxAttempts bounds it", policy: RetryPolicy{MaxAttempts: 2}, wantWaits: []time.Duration{RateLimitWindow}, wantErr: true},
		{name: "MaxAttempts 1 turns it off", policy: RetryPolicy{MaxAttempts: 1}, wantErr: true},
		{name: "MaxElapsed bounds it", policy: RetryPolicy{MaxElapsed: 15 * time.Second}, wantWaits: []time.Duration{RateLimitWindow}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newLimitedServer(t, 0, time.Hour)
			var refusals atomic.Int32
			refusals.Store(2) // the first two requests are refused
			srv.Config.Handler = wrapRefusals(srv, &refusals, tc.status429, tc.retryAfter)
			policy, waits := recordWaits(tc.policy)
			c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: policy})
			require.NoError(t, err)
			var info ResponseInfo
			me, err := c.AuthMember(WithResponseInfo(context.Background(), &info))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrRateLimited)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "m1", me.ID)
				assert.True(t, info.HasComplexity)
				assert.Equal(t, 7, info.Complexity)
			}
			if tc.wantWaits == nil {
				assert.Empty(t, *waits)
			} else {
				assert.Equal(t, tc.wantWaits, *waits)
			}
		})
	}

	t.Run("a wait past the deadline is not begun", func(t *testing.T) {
		srv := newLimitedServer(t, 0, time.Hour)
		var refusals atomic.Int32
		refusals.Store(5)
		srv.Config.Handler = wrapRefusals(srv, &refusals, false, "")
		policy, waits := recordWaits(RetryPolicy{})
		c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: policy})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err = c.AuthMember(ctx)
		require.ErrorIs(t, err, ErrRateLimited, "the server's answer, not a deadline error")
		assert.Empty(t, *waits)
	})

	t.Run("a mint retries 104 too", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				fmt.Fprint(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED","code":"104"}]}`)
				return
			}
			fmt.Fprint(w, `{"data":{"limitedToken":{"accessToken":"tok"}}}`)
		}))
		defer srv.Close()
		policy, waits := recordWaits(RetryPolicy{})
		_, err := (&App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL, Retry: policy}).Mint(context.Background(), Bot("net"))
		require.NoError(t, err)
		assert.Equal(t, int32(2), n.Load())
		assert.Equal(t, []time.Duration{RateLimitWindow}, *waits)
	})
}

// wrapRefusals answers the first refusals requests with 104 or 429, then
// lets srv answer.
func wrapRefusals(srv *limitedServer, refusals *atomic.Int32, status429 bool, retryAfter string) http.Handler {
	inner := srv.Config.Handler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refusals.Add(-1) >= 0 {
			srv.refused.Add(1)
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			if status429 {
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED","code":"104"}]}`)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

// TestPacerKeepsABurstUnderTheLimit: against a server that allows 3
// requests per 300 ms, a burst of 9 calls with a pacer sharing those limits
// is never refused; without a pacer, the same burst is refused, and the
// retries absorb it.
func TestPacerKeepsABurstUnderTheLimit(t *testing.T) {
	const window = 300 * time.Millisecond
	burst := func(t *testing.T, cfg ClientConfig) []error {
		var wg sync.WaitGroup
		errs := make([]error, 9)
		c, err := NewClient(staticTokenSource(fakeJWT(`{"networkId":"net-1"}`)), cfg)
		require.NoError(t, err)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.AuthMember(context.Background())
			}()
		}
		wg.Wait()
		return errs
	}
	t.Run("paced", func(t *testing.T) {
		srv := newLimitedServer(t, 3, window)
		p := NewPacer(RateLimits{Requests: 3, Window: window + 20*time.Millisecond})
		start := time.Now()
		for _, err := range burst(t, ClientConfig{Endpoint: srv.URL, Pacer: p, Retry: RetryPolicy{MaxAttempts: 1}}) {
			assert.NoError(t, err)
		}
		assert.Zero(t, srv.refused.Load(), "no call was refused")
		assert.Equal(t, int32(9), srv.served.Load())
		assert.GreaterOrEqual(t, time.Since(start), 2*window, "9 calls at 3 a window take three windows")
	})
	t.Run("not paced, not retried", func(t *testing.T) {
		srv := newLimitedServer(t, 3, window)
		var limited int
		for _, err := range burst(t, ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{MaxAttempts: 1}}) {
			if errors.Is(err, ErrRateLimited) {
				limited++
			}
		}
		assert.Equal(t, 6, limited, "ErrRateLimited reaches the caller")
	})
	t.Run("not paced, retried", func(t *testing.T) {
		srv := newLimitedServer(t, 3, window)
		for _, err := range burst(t, ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{RateLimitWait: window, MaxAttempts: 10}}) {
			assert.NoError(t, err, "the retries absorb the refusals")
		}
		assert.Positive(t, srv.refused.Load())
		assert.Equal(t, int32(9), srv.served.Load())
	})
}

// TestPacerCountsComplexity: a pacer learns an operation's cost from the
// answers and holds calls that would pass the complexity limit.
func TestPacerCountsComplexity(t *testing.T) {
	p := NewPacer(RateLimits{Complexity: 20, Window: time.Hour})
	now := time.Unix(1_800_000_000, 0)
	p.now = func() time.Time { return now }
	assert.Zero(t, p.reserve("net", "authMember"), "the first call is let through")
	p.observe("net", "authMember", 8)
	assert.Zero(t, p.reserve("net", "authMember"), "8+8 fits in 20")
	p.observe("net", "authMember", 8)
	assert.Equal(t, time.Hour, p.reserve("net", "authMember"), "16+8 does not: wait for the window's end")
	assert.Zero(t, p.reserve("other-net", "authMember"), "each community has its own window")
	now = now.Add(time.Hour)
	assert.Zero(t, p.reserve("net", "authMember"), "a new window")

	d := NewPacer(RateLimits{DailyRequests: 2})
	d.now = func() time.Time { return now }
	assert.Zero(t, d.reserve("net", "x"))
	assert.Zero(t, d.reserve("net", "x"))
	assert.Equal(t, now.Truncate(24*time.Hour).Add(24*time.Hour).Sub(now), d.reserve("net", "x"), "the daily quota, until the UTC day ends")

	free := FreePlanLimits()
	assert.Equal(t, RateLimits{Requests: 100, Complexity: 10_000, Window: 10 * time.Second, DailyRequests: 50_000, DailyComplexity: 5_000_000}, free)
}

func TestPacerWaitEndsWithTheContext(t *testing.T) {
	p := NewPacer(RateLimits{Requests: 1, Window: time.Hour})
	require.NoError(t, p.wait(context.Background(), "net", "x"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := p.wait(ctx, "net", "x")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPacerForgetsIdleCommunities(t *testing.T) {
	p := NewPacer(RateLimits{Requests: 1})
	for i := range maxPacedCommunities + 10 {
		p.reserve(fmt.Sprint("net-", i), "x")
	}
	assert.LessOrEqual(t, len(p.communities), maxPacedCommunities)
}

// TestPacerBurstWindowSlides: the burst limit holds over any span of the
// window, not only over windows that start at a given time.
func TestPacerBurstWindowSlides(t *testing.T) {
	p := NewPacer(RateLimits{Requests: 2, Window: 10 * time.Second})
	now := time.Unix(1_800_000_000, 0)
	p.now = func() time.Time { return now }
	assert.Zero(t, p.reserve("net", "x"))
	now = now.Add(9 * time.Second)
	assert.Zero(t, p.reserve("net", "x"))
	now = now.Add(2 * time.Second) // 11 s after the first, 2 s after the second
	assert.Zero(t, p.reserve("net", "x"), "the first call has left the window")
	assert.Equal(t, 8*time.Second, p.reserve("net", "x"), "two calls in the last 10 s: wait until the older leaves")
}

// TestPacerBoundsWhatOneAnswerTeaches: an answer that reports an absurd
// complexity (the most extensions.complexity can say) teaches the pacer at
// most the burst window's limit: no later call, of that operation or
// another, waits past the burst window; the estimate then decays toward
// what the operation costs lately.
func TestPacerBoundsWhatOneAnswerTeaches(t *testing.T) {
	const absurd = math.MaxInt32
	cases := []struct {
		name   string
		limits RateLimits
	}{
		{"free plan", FreePlanLimits()},
		{"burst complexity only", RateLimits{Complexity: 100, Window: 10 * time.Second}},
		{"daily complexity only", RateLimits{DailyComplexity: 5_000_000, Window: 10 * time.Second}},
		{"requests too", RateLimits{Requests: 2, Complexity: 50, Window: time.Minute, DailyRequests: 1_000, DailyComplexity: 100_000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPacer(tc.limits)
			now := time.Unix(1_800_000_000, 0) // early in a UTC day
			p.now = func() time.Time { return now }
			// next returns how long a call of op waits before it goes.
			next := func(op string) time.Duration {
				var waited time.Duration
				for {
					d := p.reserve("net", op)
					if d <= 0 {
						return waited
					}
					waited += d
					now = now.Add(d)
					require.LessOrEqual(t, waited, tc.limits.Window, "%s waits past the burst window", op)
				}
			}
			require.Zero(t, next("op"))
			p.observe("net", "op", absurd)
			assert.LessOrEqual(t, p.communities["net"].cost["op"], tc.limits.MaxCost(), "the estimate is clamped")
			for range 3 {
				for _, op := range []string{"op", "other"} {
					assert.LessOrEqual(t, next(op), tc.limits.Window)
				}
			}
			p.observe("net", "op", absurd)
			for range 40 {
				next("op")
				p.observe("net", "op", 3)
			}
			assert.Equal(t, 3, p.communities["net"].cost["op"], "the estimate decays to what the operation costs lately")
		})
	}
}

// TestPacerAbsurdComplexityThroughAClient: a server answers with
// extensions.complexity 2147483647; the calls after it, through the
// client and its pacer on the free plan's limits, never wait past the
// burst window (the pacer's clock is the test's: its waits move it).
func TestPacerAbsurdComplexityThroughAClient(t *testing.T) {
	srv := newLimitedServer(t, 0, time.Hour)
	srv.complexity = math.MaxInt32
	p := NewPacer(FreePlanLimits())
	var mu sync.Mutex
	now := time.Unix(1_800_000_000, 0)
	var waits []time.Duration
	p.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
		now = now.Add(d)
		return ctx.Err()
	}
	c, err := NewClient(staticTokenSource(fakeJWT(`{"networkId":"net-1"}`)), ClientConfig{Endpoint: srv.URL, Pacer: p, Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	for range 4 {
		var info ResponseInfo
		_, err := c.AuthMember(WithResponseInfo(context.Background(), &info))
		require.NoError(t, err)
		assert.Equal(t, math.MaxInt32, info.Complexity, "the caller still sees what the server said")
	}
	var total time.Duration
	for _, d := range waits {
		total += d
	}
	assert.LessOrEqual(t, total, 3*RateLimitWindow, "at most a burst window before each of the 3 calls after the first: %v", waits)
	for _, d := range waits {
		assert.LessOrEqual(t, d, RateLimitWindow)
	}
}

func TestLearn(t *testing.T) {
	tests := []struct{ est, reported, want int }{
		{0, 8, 8},
		{8, 8, 8},
		{8, 20, 20},
		{20, 8, 14},
		{10_000, 0, 5_000},
		{1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.est, "->", tt.reported), func(t *testing.T) {
			assert.Equal(t, tt.want, learn(tt.est, tt.reported))
		})
	}
}

func TestRateLimitsMaxCost(t *testing.T) {
	tests := []struct {
		name   string
		limits RateLimits
		want   int
	}{
		{"none", RateLimits{}, 0},
		{"burst", RateLimits{Complexity: 10_000}, 10_000},
		{"free plan", FreePlanLimits(), 10_000},
		{"daily only: the day's share of a 10s window", RateLimits{DailyComplexity: 8_640_000, Window: 10 * time.Second}, 1_000},
		{"daily only, default window", RateLimits{DailyComplexity: 8_640_000}, 1_000},
		{"daily only, tiny", RateLimits{DailyComplexity: 10}, 1},
		{"daily only, a window longer than a day", RateLimits{DailyComplexity: 500, Window: 48 * time.Hour}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.limits.MaxCost())
		})
	}
}
