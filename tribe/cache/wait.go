package cache

import (
	"time"

	"github.com/tribekit/tribekit/tribe"
)

// WaitLease is the [WaitInfo].Reason of a wait for the lease of another
// process sharing the [Coordinator]: it is minting the token.
const WaitLease = "lease"

// WaitInfo describes one wait of a [Cache] for a token, as
// [Options].OnWait reports it before the wait starts.
//
// The cache's only waits of this kind are for a [Coordinator]'s lease
// ([WaitLease]). It has no rate limit of its own: otherwise it waits only
// for a mint, its own or one shared with other callers in this process,
// and a [Source] that paces its requests (a [tribe.App] with a
// [tribe.Pacer]) waits inside that mint, unreported here.
type WaitInfo struct {
	// Identity is the identity whose token is waited for, normalized.
	Identity tribe.Identity
	// Key is the identity's key in the Store ([StoreKey]).
	Key string
	// Reason is why the cache waits: [WaitLease].
	Reason string
	// Max is the longest the wait may last, after which the cache mints
	// on its own, or 0 when the Coordinator cannot tell (it is not a
	// [MaxWaiter]). A cache waits for at most 3 leases in a row, each
	// reported, before it mints on its own.
	Max time.Duration
}

// MaxWaiter is a [Coordinator] that can tell the longest its Wait lasts,
// which [WaitInfo].Max reports. The Redis store (package
// tribe/cache/redisstore) is one: three times its lease TTL.
type MaxWaiter interface {
	// MaxWait returns the longest one call of Wait may last before it
	// returns (with an error, if the lease is still held). It must not
	// block.
	MaxWait() time.Duration
}

// reportWait calls the OnWait hook, if any, before a wait for the lease on
// key of e's identity.
func (c *Cache) reportWait(e *entry, key string) {
	if c.onWait == nil {
		return
	}
	var bound time.Duration
	if m, ok := c.coord.(MaxWaiter); ok {
		bound = m.MaxWait()
	}
	c.onWait(WaitInfo{Identity: e.id.identity(), Key: key, Reason: WaitLease, Max: bound})
}
