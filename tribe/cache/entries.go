package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// The inside of a Cache: its entries and their tokens' states, eviction,
// and the mints shared by waiters. The index of entries is in shards.go.

// entry is one identity's mint in flight and what its slot in the index
// (shards.go) does not hold: what the end of a mint and eviction read.
type entry struct {
	id        key
	expiresAt time.Duration // Cache.now; from it, the token is not handed out; guarded by the shard's lock
	failedAt  atomic.Int64  // Cache.now of the last failed background refresh
	flight    atomic.Pointer[flight]
	hash      uint64
	slot      int // index in Cache.all; guarded by Cache.mu
}

// state is where a cached token is in its life.
type state int

const (
	// fresh: handed out as it is.
	fresh state = iota
	// stale: still handed out, but due for a refresh in the background.
	stale
	// expired: no longer handed out; a caller waits for a new one.
	expired
)

// cached is a token and the times, on Cache.now's clock, at which it turns
// stale and expired.
type cached struct {
	tok       *oauth2.Token
	staleAt   time.Duration
	expiresAt time.Duration
}

// state returns the token's state at now.
func (t *cached) state(now time.Duration) state {
	switch {
	case now >= t.expiresAt:
		return expired
	case now >= t.staleAt:
		return stale
	}
	return fresh
}

// cached returns the token of e, whose slot is sl, and its times. The
// shard's lock is held.
func (e *entry) cached(sl *slot, slack time.Duration) cached {
	return cached{tok: sl.tok, staleAt: sl.freshUntil + slack, expiresAt: e.expiresAt}
}

// set makes t the token of e, whose slot is sl. The shard's lock is held
// for writing.
func (e *entry) set(sl *slot, t cached, slack time.Duration) {
	sl.tok, sl.freshUntil, e.expiresAt = t.tok, t.staleAt-slack, t.expiresAt
}

// flight is one mint shared by its waiters.
type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// warm returns the token cached for q, an identity with its defaults
// whose hash is h, if a hit may hand it out on the coarse clock: a warm
// hit, under the shard's read lock. Else it returns nil, and the caller
// goes on to get.
func (c *Cache) warm(h uint64, q *tribe.Identity) *oauth2.Token {
	s := c.shard(h)
	s.mu.RLock()
	sl := s.find(h, q)
	if sl == nil || sl.tok == nil {
		s.mu.RUnlock()
		return nil
	}
	now := c.coarseNow()
	if now >= sl.freshUntil {
		s.mu.RUnlock()
		return nil
	}
	tok := sl.tok
	sl.touch(now)
	s.mu.RUnlock()
	return tok
}

// get returns a token for q, an identity with its defaults whose hash is
// h, when warm did not: the cached one when it may be handed out on the
// clock itself, else the one a mint brings. raw is the identity as the
// caller gave it, checked when it has no entry.
func (c *Cache) get(ctx context.Context, h uint64, q, raw tribe.Identity) (*oauth2.Token, error) {
	e := c.lookup(h, q)
	if e == nil {
		var err error
		if e, err = c.add(raw); err != nil {
			return nil, err
		}
	}
	if tok := c.hit(e); tok != nil {
		return tok, nil
	}
	return c.wait(ctx, e)
}

// hit returns e's token if it may be handed out now, on the clock itself,
// starting a background refresh when it is stale; nil when there is none,
// it has expired, or e was evicted.
func (c *Cache) hit(e *entry) *oauth2.Token {
	s := c.shard(e.hash)
	s.mu.RLock()
	sl := s.slotOf(e)
	if sl == nil || sl.tok == nil {
		s.mu.RUnlock()
		return nil
	}
	cur := e.cached(sl, c.slack)
	now := c.now()
	st := cur.state(now)
	if st != expired {
		sl.touch(now)
	}
	s.mu.RUnlock()
	switch st {
	case expired:
		return nil
	case stale:
		c.refreshInBackground(e, now)
	}
	return cur.tok
}

// refreshInBackground starts a mint for e's stale token unless one is in
// flight, a background refresh failed less than failedPause ago, or the
// cache is closed (after Close a stale token is still handed out).
func (c *Cache) refreshInBackground(e *entry, now time.Duration) {
	if e.flight.Load() != nil || now-time.Duration(e.failedAt.Load()) < c.failedPause || c.closed.Load() {
		return
	}
	_, _ = c.startFlight(context.Background(), e, false)
}

// add checks id and returns its entry, adding one if it has none.
func (c *Cache) add(id tribe.Identity) (*entry, error) {
	n, err := id.Normalize()
	if err != nil {
		return nil, err
	}
	h := c.hash(n)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.lookup(h, n); e != nil {
		return e, nil
	}
	if len(c.all) >= c.max {
		c.evictLocked()
	}
	e := &entry{id: c.keyOf(n), hash: h, slot: len(c.all)}
	s := c.shard(h)
	s.mu.Lock()
	s.insert(e, c.now())
	s.mu.Unlock()
	c.all = append(c.all, e)
	return e, nil
}

// evictLocked drops the least recently used of a random sample of
// entries (of all of them, when there are few). c.mu is held.
func (c *Cache) evictLocked() {
	if len(c.all) == 0 {
		return
	}
	// The oldest of the sample, preferring one with no mint in flight: its
	// waiters share that mint only while it stays in the index.
	var victim *entry
	var victimUsed int64
	better := func(e *entry, used int64) bool {
		if victim == nil {
			return true
		}
		if flying, vFlying := e.flight.Load() != nil, victim.flight.Load() != nil; flying != vFlying {
			return vFlying
		}
		return used < victimUsed
	}
	for i := 0; i < evictionSample && i < len(c.all); i++ {
		e := c.all[i]
		if len(c.all) > evictionSample {
			e = c.all[rand.N(len(c.all))]
		}
		if used := c.lastUsed(e); better(e, used) {
			victim, victimUsed = e, used
		}
	}
	s := c.shard(victim.hash)
	s.mu.Lock()
	s.remove(victim)
	s.mu.Unlock()
	c.release(victim.id.scope)
	last := c.all[len(c.all)-1]
	c.all[victim.slot], last.slot = last, victim.slot
	c.all[len(c.all)-1] = nil
	c.all = c.all[:len(c.all)-1]
}

// lastUsed returns when e, which the index holds, was last used. c.mu is
// held.
func (c *Cache) lastUsed(e *entry) int64 {
	s := c.shard(e.hash)
	s.mu.RLock()
	defer s.mu.RUnlock()
	return atomic.LoadInt64(&s.slotOf(e).lastUsed)
}

// drop forgets the token cached for id, a normalized identity, if match
// accepts it.
func (c *Cache) drop(id tribe.Identity, match func(tok *oauth2.Token) bool) {
	h := c.hash(id)
	s := c.shard(h)
	s.mu.Lock()
	if sl := s.find(h, &id); sl != nil && sl.tok != nil && match(sl.tok) {
		sl.tok = nil
	}
	s.mu.Unlock()
}

// wait joins or starts e's mint and waits for it, or for ctx.
func (c *Cache) wait(ctx context.Context, e *entry) (*oauth2.Token, error) {
	for {
		f, err := c.startFlight(ctx, e, true)
		if err != nil {
			return nil, err
		}
		if f == nil { // a token that may be handed out arrived meanwhile
			if tok := c.hit(e); tok != nil {
				return tok, nil
			}
			continue
		}
		select {
		case <-f.done:
			return f.tok, f.err
		case <-ctx.Done():
			return nil, fmt.Errorf("cache: waiting for a token for %s: %w", e.id, ctx.Err())
		}
	}
}

// startFlight returns e's mint in flight, starting one if none is. For a
// waiter it returns nil when e already holds a token that has not expired.
// The mint carries parent's values but not its cancellation: it is bounded
// by the mint timeout and Close.
func (c *Cache) startFlight(parent context.Context, e *entry, waiter bool) (*flight, error) {
	s := c.shard(e.hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := e.flight.Load(); f != nil {
		return f, nil
	}
	if waiter {
		if sl := s.slotOf(e); sl != nil && sl.tok != nil && c.now() < e.expiresAt {
			return nil, nil
		}
	}
	c.life.RLock()
	defer c.life.RUnlock()
	if c.closed.Load() {
		return nil, fmt.Errorf("minting a token for %s: %w", e.id, ErrClosed)
	}
	f := &flight{done: make(chan struct{})}
	e.flight.Store(f)
	c.wg.Add(1)
	go c.run(context.WithoutCancel(parent), e, f)
	return f, nil
}

// run makes e's mint and hands its result to the flight's waiters.
func (c *Cache) run(parent context.Context, e *entry, f *flight) {
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	stop := context.AfterFunc(c.ctx, cancel)
	defer stop()

	tok, err := c.fetch(ctx, e)
	if err != nil && c.closed.Load() {
		err = fmt.Errorf("%w (minting a token for %s was cut short: %w)", ErrClosed, e.id, err)
	}
	var cur cached
	if err == nil {
		cur = c.newCached(tok)
	}
	s := c.shard(e.hash)
	s.mu.Lock()
	if err == nil {
		if sl := s.slotOf(e); sl != nil { // else e was evicted: its waiters still get tok
			e.set(sl, cur, c.slack)
		}
	} else {
		e.failedAt.Store(int64(c.now()))
	}
	f.tok, f.err = tok, err
	e.flight.Store(nil)
	s.mu.Unlock()
	close(f.done)
}

// fetch returns a token from the store, if there is one and it holds a
// fresh token, and mints one otherwise.
func (c *Cache) fetch(ctx context.Context, e *entry) (*oauth2.Token, error) {
	if c.store == nil {
		return c.mint(ctx, e, "")
	}
	key := StoreKey(c.ns, e.id.identity())
	if c.coord != nil {
		return c.fetchShared(ctx, e, key)
	}
	if tok := c.fromStore(ctx, key); tok != nil {
		return tok, nil
	}
	return c.mint(ctx, e, key)
}

// fromStore returns the token stored at key if it is fresh, else nil.
func (c *Cache) fromStore(ctx context.Context, key string) *oauth2.Token {
	if tok, err := c.store.Get(ctx, key); err == nil && tok != nil && tok.AccessToken != "" {
		if t := c.newCached(tok); t.state(c.now()) == fresh {
			return tok
		}
	}
	return nil
}

// mint asks the source for e's token and puts it in the store at key
// (none, if key is empty).
func (c *Cache) mint(ctx context.Context, e *entry, key string) (*oauth2.Token, error) {
	c.upstream.Add(1)
	tok, err := c.src.Mint(ctx, e.id.identity())
	if err != nil {
		return nil, err
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("cache: the source returned an empty token for %s", e.id)
	}
	if key != "" {
		_ = c.store.Put(ctx, key, tok)
	}
	return tok, nil
}

// newCached computes when tok turns stale and when it expires. A token
// without a usable Expiry or exp (from a Store that kept only the token) is
// good for tribe.UnknownTokenLifetime from now.
func (c *Cache) newCached(tok *oauth2.Token) cached {
	expiry := tok.Expiry
	if expiry.IsZero() {
		expiry = tribe.JWTExpiry(tok.AccessToken) // a Store may keep only the token
	}
	if expiry.IsZero() {
		expiry = c.wallNow().Add(tribe.UnknownTokenLifetime)
	}
	// The time left is read on the wall clock now, as the server counts it,
	// then counted down on c.now's clock (see Cache.now).
	left := min(max(expiry.Sub(c.wallNow()), -maxLife), maxLife)
	end := c.now() + left
	life := left
	if iat := tribe.JWTIssuedAt(tok.AccessToken); !iat.IsZero() && iat.Before(expiry) {
		life = min(expiry.Sub(iat), maxLife) // a stored token may have aged
	}
	margin := min(c.margin, max(life/2, 0))
	t := cached{tok: tok, expiresAt: end - margin, staleAt: end - margin}
	if c.ahead > c.margin {
		if ahead := min(c.ahead, max(life*3/4, 0)); ahead > margin {
			t.staleAt = end - ahead
		}
	}
	return t
}

// maxLife bounds the lifetimes the cache computes with, so that no sum
// overflows: a token good for longer is treated as good for a century.
const maxLife = 100 * 365 * 24 * time.Hour
