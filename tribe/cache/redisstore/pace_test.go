package redisstore

import (
	"context"
	"encoding/base64"
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
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// TestSharedPacer: two processes' pacers (two stores on their own
// connections) share one Redis; a burst of calls from both never passes a
// limit the server enforces per window, where pacers of their own (2 a
// window each, 4 together) would.
func TestSharedPacer(t *testing.T) {
	const window = 400 * time.Millisecond
	r := startRedis(t)
	var mu sync.Mutex
	var start time.Time
	var inWindow int
	var served, refused atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		now := time.Now()
		// The server's windows are aligned as the pacers' are.
		if idx := now.UnixMilli() / window.Milliseconds(); start.IsZero() || idx != start.UnixMilli()/window.Milliseconds() {
			start, inWindow = now, 0
		}
		inWindow++
		over := inWindow > 3
		mu.Unlock()
		if over {
			refused.Add(1)
			fmt.Fprint(w, `{"data":null,"errors":[{"message":"USER_REQUEST_REACHED","code":"104"}]}`)
			return
		}
		served.Add(1)
		fmt.Fprint(w, `{"data":{"authMember":{"id":"m1"}},"extensions":{"complexity":2}}`)
	}))
	defer srv.Close()
	token := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"networkId":"net-1"}`)) + ".c2ln"
	// The pacers allow 2 a window, the server 3: a request reserved at the
	// very end of a window that reaches the server in the next one (a busy
	// machine) has room.
	limits := tribe.RateLimits{Requests: 2, Window: window}

	burst := func(shared bool) {
		var wg sync.WaitGroup
		for p := range 2 {
			var pacer *tribe.Pacer
			if shared {
				store := openStore(t, r.URL(), Options{})
				pacer = tribe.NewSharedPacer(limits, store, "app-ns")
			} else {
				pacer = tribe.NewPacer(limits)
			}
			c, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), tribe.ClientConfig{Endpoint: srv.URL, Pacer: pacer, Retry: tribe.RetryPolicy{MaxAttempts: 1}})
			require.NoError(t, err)
			for range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.AuthMember(context.Background())
					if shared {
						assert.NoError(t, err, "process %d", p)
					}
				}()
			}
		}
		wg.Wait()
	}
	burst(true)
	assert.Zero(t, refused.Load(), "shared windows: no call refused")
	assert.Equal(t, int32(10), served.Load())

	served.Store(0)
	time.Sleep(window)
	burst(false)
	assert.Positive(t, refused.Load(), "windows of their own: the two processes together pass the limit")
}

func TestPaceStoreWindows(t *testing.T) {
	r := startRedis(t)
	s := openStore(t, r.URL(), Options{})
	ctx := context.Background()
	l := tribe.RateLimits{Requests: 2, Complexity: 10, Window: time.Hour, DailyRequests: 3}
	now := time.UnixMilli(3*3_600_000 + 1000) // one second into a window
	d, err := s.Reserve(ctx, "k", l, 4, now)
	require.NoError(t, err)
	assert.Zero(t, d)
	require.NoError(t, s.Observe(ctx, "k", l, 3, now)) // the call cost 7
	d, err = s.Reserve(ctx, "k", l, 4, now)
	require.NoError(t, err)
	assert.Equal(t, time.Hour-time.Second, d, "7+4 passes the complexity limit of 10: wait for the window's end")
	d, err = s.Reserve(ctx, "k", l, 1, now)
	require.NoError(t, err)
	assert.Zero(t, d, "7+1 fits")
	d, err = s.Reserve(ctx, "k", l, 0, now.Add(time.Hour))
	require.NoError(t, err)
	assert.Zero(t, d, "a new burst window")
	d, err = s.Reserve(ctx, "k", l, 0, now.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 24*time.Hour-3*time.Hour-time.Second-2*time.Hour, d, "the daily quota of 3 is spent")
	d, err = s.Reserve(ctx, "other", l, 0, now)
	require.NoError(t, err)
	assert.Zero(t, d, "each key has its own windows")
}

// TestPaceStoreBoundsWhatOneAnswerTeaches: an answer reporting an absurd
// complexity (the most extensions.complexity can say) counts in the
// shared windows for at most the burst limit, whatever the pacer passes on,
// so no later call of the fleet waits past the burst window; an estimate of
// a whole day's quota or more is not held for the day. The windows' clock
// is the test's (Reserve and Observe take it).
func TestPaceStoreBoundsWhatOneAnswerTeaches(t *testing.T) {
	r := startRedis(t)
	s := openStore(t, r.URL(), Options{})
	ctx := context.Background()
	l := tribe.FreePlanLimits()
	now := time.UnixMilli(1_800_000_000_000 + 1000) // one second into a burst window, early in a UTC day
	d, err := s.Reserve(ctx, "k", l, 0, now)
	require.NoError(t, err)
	require.Zero(t, d)
	require.NoError(t, s.Observe(ctx, "k", l, math.MaxInt32, now))
	for _, est := range []int{0, 7, l.MaxCost(), math.MaxInt32} {
		d, err := s.Reserve(ctx, "k", l, est, now)
		require.NoError(t, err)
		assert.LessOrEqual(t, d, l.Window, "estimate %d in the same burst window", est)
	}
	for i, est := range []int{0, 7, l.MaxCost(), math.MaxInt32} {
		d, err := s.Reserve(ctx, "k", l, est, now.Add(time.Duration(i+1)*l.Window))
		require.NoError(t, err)
		assert.Zero(t, d, "estimate %d in a later burst window: the day is not held", est)
	}

	day := tribe.RateLimits{Complexity: 100, DailyComplexity: 100, Window: time.Second}
	d, err = s.Reserve(ctx, "d", day, 60, now)
	require.NoError(t, err)
	require.Zero(t, d)
	d, err = s.Reserve(ctx, "d", day, 50, now.Add(time.Second))
	require.NoError(t, err)
	assert.Positive(t, d, "60+50 passes the day's 100: held for the day")
	d, err = s.Reserve(ctx, "d", day, 1_000, now.Add(2*time.Second))
	require.NoError(t, err)
	assert.Zero(t, d, "an estimate of the whole day or more could never fit: it goes, and the server decides")
}

// TestSharedPacerAbsurdComplexity: through a client and a shared pacer, a
// server's answer with extensions.complexity 2147483647 does not hold the
// fleet's next calls for the day: the shared windows let a call in the
// next burst window go at once.
func TestSharedPacerAbsurdComplexity(t *testing.T) {
	r := startRedis(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"data":{"authMember":{"id":"m1"}},"extensions":{"complexity":2147483647}}`)
	}))
	defer srv.Close()
	token := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"networkId":"net-1"}`)) + ".c2ln"
	limits := tribe.FreePlanLimits()
	store := openStore(t, r.URL(), Options{})
	pacer := tribe.NewSharedPacer(limits, store, "app-ns")
	c, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), tribe.ClientConfig{Endpoint: srv.URL, Pacer: pacer, Retry: tribe.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*limits.Window) // a day's wait would end it
	defer cancel()
	_, err = c.AuthMember(ctx)
	require.NoError(t, err)

	// Another process of the fleet, on the same store.
	other := openStore(t, r.URL(), Options{})
	for _, est := range []int{0, limits.MaxCost()} {
		now := time.Now()
		d, err := other.Reserve(ctx, "app-ns|net-1", limits, est, now)
		require.NoError(t, err)
		assert.LessOrEqual(t, d, limits.Window, "estimate %d", est)
		d, err = other.Reserve(ctx, "app-ns|net-1", limits, est, now.Add(limits.Window))
		require.NoError(t, err)
		assert.Zero(t, d, "estimate %d in the next burst window", est)
	}
}
