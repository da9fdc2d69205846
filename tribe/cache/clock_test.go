package cache

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// countingSource mints tokens good for life, counting its mints.
func countingSource(life time.Duration, mints *atomic.Int64) Source {
	return SourceFunc(func(context.Context, tribe.Identity) (*oauth2.Token, error) {
		n := mints.Add(1)
		return &oauth2.Token{AccessToken: "token-" + string(rune('a'+n)), Expiry: time.Now().Add(life)}, nil
	})
}

func TestCoarseClockTicksOnlyWhileHitsUseIt(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var mints atomic.Int64
	c, err := New(countingSource(time.Hour, &mints), Options{})
	require.NoError(t, err)
	ctx := context.Background()
	ticking := func() bool { return c.coarse.v.Load() != 0 }

	assert.False(t, ticking(), "no hit yet")
	first, err := c.Token(ctx, carol)
	require.NoError(t, err)
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	assert.Same(t, first, tok)
	assert.True(t, ticking(), "a hit starts the coarse clock")
	assert.Less(t, c.coarseNow(), c.now()+time.Nanosecond, "the coarse clock is never ahead")

	// Hits keep it ticking; it follows the clock within a few ticks.
	start := c.coarseNow()
	require.Eventually(t, func() bool {
		_, _ = c.Token(ctx, carol)
		return c.coarseNow()-start >= 2*coarseTick
	}, 5*time.Second, time.Millisecond)
	assert.Less(t, c.now()-c.coarseNow(), coarseSlack/2)

	// A tick with no hit stops it; the next hit starts it again.
	require.Eventually(t, func() bool { return !ticking() }, 5*time.Second, coarseTick/4)
	tok, err = c.Token(ctx, carol)
	require.NoError(t, err)
	assert.Same(t, first, tok)
	assert.True(t, ticking())

	c.Close()
	assert.False(t, ticking(), "Close stops it")
	tok, err = c.Token(ctx, carol)
	require.NoError(t, err, "a cached token is still handed out")
	assert.Same(t, first, tok)
	assert.False(t, ticking(), "and it stays stopped")
	assert.Equal(t, int64(1), mints.Load())
}

// A token whose fresh time ends within the coarse clock's slack is judged
// on the clock itself: a coarse clock that stopped moving hands it out
// until its margin, then lets it be minted anew.
func TestShortLivedTokenIsJudgedOnTheClock(t *testing.T) {
	var mints atomic.Int64
	c, err := New(countingSource(900*time.Millisecond, &mints), Options{Margin: 300 * time.Millisecond, RefreshAhead: -1})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	ctx := context.Background()

	start := time.Now()
	first, err := c.Token(ctx, carol)
	require.NoError(t, err)
	_, err = c.Token(ctx, carol)
	require.NoError(t, err)
	// Freeze the coarse clock as a stalled timer would.
	c.coarse.mu.Lock()
	require.NotNil(t, c.coarse.timer)
	c.coarse.timer.Stop()
	c.coarse.v.Store(int64(c.now())<<1 | 1)
	c.coarse.mu.Unlock()

	for {
		tok, err := c.Token(ctx, carol)
		require.NoError(t, err)
		if time.Since(start) >= 500*time.Millisecond {
			break
		}
		require.Same(t, first, tok, "handed out until 600ms after its mint began")
		time.Sleep(10 * time.Millisecond)
	}
	require.Eventually(t, func() bool {
		tok, err := c.Token(ctx, carol)
		return err == nil && tok != first
	}, 5*time.Second, 10*time.Millisecond, "minted anew though the coarse clock stands still")
	assert.Equal(t, int64(2), mints.Load())
}
