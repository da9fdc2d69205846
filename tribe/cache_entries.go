package tribe

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// The inside of a Cache: its entries, the lock-free index a warm hit reads,
// eviction, and the mints shared by waiters.

// entry is one identity's cached token and its mint in flight.
type entry struct {
	id       Identity // normalized
	key      string   // the Store key
	hash     uint64
	next     atomic.Pointer[entry] // another identity with the same hash
	slot     int                   // index in Cache.all; guarded by Cache.mu
	cur      atomic.Pointer[cached]
	lastUsed atomic.Int64 // Cache.now time, to a second
	failedAt atomic.Int64 // last failed background refresh
	mu       sync.Mutex   // guards starting and ending flights
	flight   atomic.Pointer[flight]
}

// cached is a token with the times it is good for, in Cache.now time.
type cached struct {
	tok       *oauth2.Token
	useUntil  int64
	refreshAt int64
}

// flight is one mint shared by its waiters.
type flight struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// quickNormalize fills an identity's defaults without checking it, for the
// lookup of a warm hit; only checked identities are ever stored.
func quickNormalize(id Identity) Identity {
	if id.Context == "" {
		id.Context = ContextNetwork
	}
	if id.EntityID == "" && id.Context == ContextNetwork {
		id.EntityID = id.NetworkID
	}
	return id
}

// hash hashes an identity cheaply: the member id (the network id for the
// bot), and the entity id when it is not the network (a POST or SPACE
// token). Tribe's ids are unique, so the rare identities that still share a
// hash (the same member and entity in two contexts) share a short chain.
func (c *Cache) hash(id Identity) uint64 {
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

func (c *Cache) lookup(h uint64, id Identity) *entry {
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

// hit returns e's token if it may be handed out now, starting a background
// refresh when it is due; nil otherwise.
func (c *Cache) hit(e *entry) *oauth2.Token {
	cur := e.cur.Load()
	if cur == nil {
		return nil
	}
	now := c.now()
	if now >= cur.useUntil {
		return nil
	}
	if now >= cur.refreshAt && e.flight.Load() == nil && now-e.failedAt.Load() >= c.failedPause && !c.closed.Load() {
		_, _ = c.startFlight(nil, e) // after Close: no refresh, the hit stands
	}
	if now-e.lastUsed.Load() >= int64(time.Second) {
		e.lastUsed.Store(now)
	}
	return cur.tok
}

// miss checks id, finds or adds its entry, and returns its token.
func (c *Cache) miss(ctx context.Context, id Identity) (*oauth2.Token, error) {
	n, err := id.normalize()
	if err != nil {
		return nil, err
	}
	h := c.hash(n)
	c.mu.Lock()
	e := c.lookup(h, n)
	if e == nil {
		if len(c.all) >= c.max {
			c.evictLocked()
		}
		e = &entry{id: n, key: StoreKey(c.cfg.ep.URL, c.cfg.id, n), hash: h, slot: len(c.all)}
		e.lastUsed.Store(c.now())
		if v, ok := c.index.Load(h); ok {
			e.next.Store(v.(*entry))
		}
		c.all = append(c.all, e)
		c.index.Store(h, e)
	}
	c.mu.Unlock()
	if tok := c.hit(e); tok != nil {
		return tok, nil
	}
	return c.wait(ctx, e)
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
		f, err := c.startFlight(ctx, e)
		if err != nil {
			return nil, err
		}
		if f == nil { // a fresh token arrived meanwhile
			if tok := c.hit(e); tok != nil {
				return tok, nil
			}
			continue
		}
		select {
		case <-f.done:
			return f.tok, f.err
		case <-ctx.Done():
			return nil, wrapf(ctx.Err(), "waiting for a token for %s", e.id)
		}
	}
}

// startFlight returns e's mint in flight, starting one if none is. A waiter
// (ctx not nil) gets nil if e already has a token it may use. The mint runs
// detached from ctx's cancellation, bounded by the mint timeout and Close.
func (c *Cache) startFlight(ctx context.Context, e *entry) (*flight, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if f := e.flight.Load(); f != nil {
		return f, nil
	}
	if ctx != nil {
		if cur := e.cur.Load(); cur != nil && c.now() < cur.useUntil {
			return nil, nil
		}
	}
	c.life.RLock()
	defer c.life.RUnlock()
	if c.closed.Load() {
		return nil, wrapf(ErrClosed, "minting a token for %s", e.id)
	}
	f := &flight{done: make(chan struct{})}
	e.flight.Store(f)
	parent := context.Background()
	if ctx != nil {
		parent = context.WithoutCancel(ctx)
	}
	c.wg.Add(1)
	go c.run(parent, e, f)
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
		e.failedAt.Store(c.now())
	}
	f.tok, f.err = tok, err
	e.flight.Store(nil)
	e.mu.Unlock()
	close(f.done)
}

// fetch returns a token from the store if it has one not yet due for
// refresh, and mints one otherwise.
func (c *Cache) fetch(ctx context.Context, e *entry) (*oauth2.Token, error) {
	if tok, err := c.store.Get(ctx, e.key); err == nil && tok != nil && tok.AccessToken != "" {
		if cc, now := c.newCached(tok), c.now(); now < cc.useUntil && now < cc.refreshAt {
			return tok, nil
		}
	}
	c.upstream.Add(1)
	tok, err := c.cfg.mint(ctx, e.id)
	if err != nil {
		return nil, err
	}
	_ = c.store.Put(ctx, e.key, tok)
	return tok, nil
}

// newCached computes when tok stops being handed out and when it is due
// for refresh. A token without a usable Expiry or exp (from a Store that
// kept only the token) is good for UnknownTokenLifetime from now.
func (c *Cache) newCached(tok *oauth2.Token) *cached {
	expiry := tok.Expiry
	if expiry.IsZero() {
		expiry = JWTExpiry(tok.AccessToken) // a Store may keep only the token
	}
	if expiry.IsZero() {
		expiry = c.wallNow().Add(UnknownTokenLifetime)
	}
	// The time left is read on the wall clock now, as the server counts it,
	// then counted down on c.now's clock (see Cache.now).
	left := expiry.Sub(c.wallNow())
	left = min(max(left, -maxLife), maxLife)
	exp := c.now() + int64(left)
	life := left
	if iat := jwtIssuedAt(tok.AccessToken); !iat.IsZero() && iat.Before(expiry) {
		life = min(expiry.Sub(iat), maxLife) // a stored token may have aged
	}
	margin := min(c.margin, max(life/2, 0))
	cc := &cached{tok: tok, useUntil: exp - int64(margin), refreshAt: math.MaxInt64}
	if c.ahead > c.margin {
		ahead := min(c.ahead, max(life*3/4, 0))
		if ahead > margin {
			cc.refreshAt = exp - int64(ahead)
		}
	}
	return cc
}

// maxLife bounds the lifetimes the cache computes with, so that no sum
// overflows: a token good for longer is treated as good for a century.
const maxLife = 100 * 365 * 24 * time.Hour
