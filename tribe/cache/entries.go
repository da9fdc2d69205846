package cache

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// The inside of a Cache: its entries and their tokens' states, the
// lock-free index a warm hit reads, eviction, and the mints shared by
// waiters.

// entry is one identity's cached token and its mint in flight.
type entry struct {
	id       tribe.Identity // normalized
	hash     uint64
	next     atomic.Pointer[entry] // another identity with the same hash
	slot     int                   // index in Cache.all; guarded by Cache.mu
	cur      atomic.Pointer[cached]
	lastUsed atomic.Int64 // Cache.now, to a second, as a time.Duration
	failedAt atomic.Int64 // Cache.now of the last failed background refresh
	mu       sync.Mutex   // guards starting and ending flights
	flight   atomic.Pointer[flight]
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

// flight is one mint shared by its waiters.
type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// withDefaults fills an identity's defaults without checking it, for the
// lookup of a warm hit; only checked identities are ever stored.
func withDefaults(id tribe.Identity) tribe.Identity {
	if id.Context == "" {
		id.Context = tribe.ContextNetwork
	}
	if id.EntityID == "" && id.Context == tribe.ContextNetwork {
		id.EntityID = id.NetworkID
	}
	return id
}

// hash hashes an identity cheaply: the member id (the network id for the
// bot), and the entity id when it is not the network (a POST or SPACE
// token). Tribe's ids are unique, so the rare identities that still share a
// hash (the same member and entity in two contexts) share a short chain.
func (c *Cache) hash(id tribe.Identity) uint64 {
	primary := id.MemberID
	if primary == "" {
		primary = id.NetworkID
	}
	h := maphash.String(c.seed, primary)
	if id.EntityID != id.NetworkID {
		h ^= maphash.String(c.seed, id.EntityID) * 0x9e3779b97f4a7c15
	}
	return h
}

// lookup returns the entry of id, whose hash is h, or nil.
func (c *Cache) lookup(h uint64, id tribe.Identity) *entry {
	v, ok := c.index.Load(h)
	if !ok {
		return nil
	}
	for e := v.(*entry); e != nil; e = e.next.Load() {
		if e.id == id {
			return e
		}
	}
	return nil
}

// get returns a token for q, an identity with its defaults whose hash is
// h: the cached one when it may be handed out, else the one a mint brings.
// raw is the identity as the caller gave it, checked when it has no entry.
// It is the one lookup path of Cache.Token and of the cache's sources.
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

// hit returns e's token if it may be handed out now, starting a background
// refresh when it is stale; nil when there is none or it has expired.
func (c *Cache) hit(e *entry) *oauth2.Token {
	cur := e.cur.Load()
	if cur == nil {
		return nil
	}
	now := c.now()
	switch cur.state(now) {
	case expired:
		return nil
	case stale:
		c.refreshInBackground(e, now)
	}
	if now-time.Duration(e.lastUsed.Load()) >= time.Second {
		e.lastUsed.Store(int64(now))
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
	e := &entry{id: n, hash: h, slot: len(c.all)}
	e.lastUsed.Store(int64(c.now()))
	if v, ok := c.index.Load(h); ok {
		e.next.Store(v.(*entry))
	}
	c.all = append(c.all, e)
	c.index.Store(h, e)
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
	better := func(e *entry) bool {
		if victim == nil {
			return true
		}
		if flying, vFlying := e.flight.Load() != nil, victim.flight.Load() != nil; flying != vFlying {
			return vFlying
		}
		return e.lastUsed.Load() < victim.lastUsed.Load()
	}
	for i := 0; i < evictionSample && i < len(c.all); i++ {
		e := c.all[i]
		if len(c.all) > evictionSample {
			e = c.all[rand.N(len(c.all))]
		}
		if better(e) {
			victim = e
		}
	}
	// Unlink it from its hash chain; readers may be walking it.
	if v, _ := c.index.Load(victim.hash); v.(*entry) == victim {
		if next := victim.next.Load(); next != nil {
			c.index.Store(victim.hash, next)
		} else {
			c.index.Delete(victim.hash)
		}
	} else {
		for p := v.(*entry); p != nil; p = p.next.Load() {
			if p.next.Load() == victim {
				p.next.Store(victim.next.Load())
				break
			}
		}
	}
	last := c.all[len(c.all)-1]
	c.all[victim.slot], last.slot = last, victim.slot
	c.all[len(c.all)-1] = nil
	c.all = c.all[:len(c.all)-1]
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
	e.mu.Lock()
	defer e.mu.Unlock()
	if f := e.flight.Load(); f != nil {
		return f, nil
	}
	if waiter {
		if cur := e.cur.Load(); cur != nil && cur.state(c.now()) != expired {
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
	e.mu.Lock()
	if err == nil {
		e.cur.Store(c.newCached(tok))
	} else {
		e.failedAt.Store(int64(c.now()))
	}
	f.tok, f.err = tok, err
	e.flight.Store(nil)
	e.mu.Unlock()
	close(f.done)
}

// fetch returns a token from the store, if there is one and it holds a
// fresh token, and mints one otherwise.
func (c *Cache) fetch(ctx context.Context, e *entry) (*oauth2.Token, error) {
	if c.store == nil {
		return c.mint(ctx, e, "")
	}
	key := StoreKey(c.ns, e.id)
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
		if c.newCached(tok).state(c.now()) == fresh {
			return tok
		}
	}
	return nil
}

// mint asks the source for e's token and puts it in the store at key
// (none, if key is empty).
func (c *Cache) mint(ctx context.Context, e *entry, key string) (*oauth2.Token, error) {
	c.upstream.Add(1)
	tok, err := c.src.Mint(ctx, e.id)
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
func (c *Cache) newCached(tok *oauth2.Token) *cached {
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
	t := &cached{tok: tok, expiresAt: end - margin, staleAt: end - margin}
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
