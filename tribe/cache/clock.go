package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

// The coarse clock of a Cache. Reading the monotonic clock costs a warm
// hit more than the rest of it on some machines (about 50 ns on the 2-core
// VM of the benchmarks in bench_test.go), and a hit only needs to know that
// its token is well inside its fresh time. So while hits come in, a timer
// stores the time every coarseTick, and a hit compares its entry's "fresh
// until" (the time its token turns stale, less coarseSlack) with that; a
// hit past it reads the clock and judges the token exactly. The timer
// stops after a tick with no hit, and the next hit starts it again. With
// Options.Clock set (tests), every hit reads that clock instead.

const (
	// coarseTick is how often the coarse clock is set while hits use it.
	coarseTick = 100 * time.Millisecond
	// coarseSlack is how far the coarse clock may lag before a hit could
	// hand a token out as fresh after it turned stale: ten ticks. Should
	// it lag more (a process stopped and resumed before its timer ran), a
	// hit hands out a token up to the excess too late: with the defaults a
	// stale one, which the next exact look refreshes, well before the
	// margin left before its Expiry.
	coarseSlack = 10 * coarseTick
)

// coarseClock is the time a timer stores every coarseTick while hits use
// it, as Cache.now counts it.
type coarseClock struct {
	// v is Cache.now at the last tick (at least 1) shifted left by one,
	// with the low bit set once a hit has read it; 0: not ticking.
	v atomic.Int64

	mu      sync.Mutex // guards starting and stopping the timer
	timer   *time.Timer
	stopped bool // the cache is closed: the timer stays stopped
}

// coarseNow is the time a warm hit compares with its slot's freshUntil:
// the coarse clock while it ticks, else the clock (the Options.Clock, which
// never starts it).
func (c *Cache) coarseNow() time.Duration {
	if v := c.coarse.v.Load(); v&1 != 0 {
		return time.Duration(v >> 1)
	}
	return c.coarseNowSlow()
}

// coarseNowSlow is coarseNow for the first hit after a tick, which marks
// the time read, or when the coarse clock does not tick.
func (c *Cache) coarseNowSlow() time.Duration {
	if v := c.coarse.v.Load(); v != 0 {
		c.coarse.v.CompareAndSwap(v, v|1)
		return time.Duration(v >> 1)
	}
	return c.startTicking()
}

// startTicking reads the clock and, unless a Clock is set, the cache is
// closed or the coarse clock ticks, starts its timer.
func (c *Cache) startTicking() time.Duration {
	now := c.now()
	if c.clock != nil {
		return now
	}
	k := &c.coarse
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped || k.v.Load() != 0 {
		return now
	}
	k.v.Store(max(int64(now), 1)<<1 | 1)
	if k.timer == nil {
		k.timer = time.AfterFunc(coarseTick, c.tick)
	} else {
		k.timer.Reset(coarseTick)
	}
	return now
}

// tick sets the coarse clock and the timer again, or stops when no hit
// read the clock since the last tick.
func (c *Cache) tick() {
	k := &c.coarse
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped {
		return
	}
	if v := k.v.Load(); v&1 == 0 && k.v.CompareAndSwap(v, 0) {
		return
	}
	k.v.Store(max(int64(c.now()), 1) << 1)
	k.timer.Reset(coarseTick)
}

// stopTicking stops the coarse clock for good; hits read the clock.
func (c *Cache) stopTicking() {
	k := &c.coarse
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stopped = true
	k.v.Store(0)
	if k.timer != nil {
		k.timer.Stop()
	}
}
