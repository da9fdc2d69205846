package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/tribe"
)

// ErrClosed: the [Cache] was closed, so it mints no more tokens.
var ErrClosed = errors.New("cache: closed")

// Defaults and limits of a [Cache].
const (
	// DefaultMargin: a cached token is not handed out in its last minute,
	// so that it does not expire in flight.
	DefaultMargin = time.Minute
	// DefaultRefreshAhead: a hit in a token's last five minutes starts a
	// refresh in the background, so callers rarely wait for a mint.
	DefaultRefreshAhead = 5 * time.Minute
	// DefaultSize is how many identities a cache holds by default.
	DefaultSize = 10_000
	// MaxSize is the largest size a cache accepts.
	MaxSize = 1_000_000
	// DefaultMintTimeout bounds one shared mint, retries included.
	DefaultMintTimeout = time.Minute

	// failedRefreshPause: after a background refresh fails, hits wait this
	// long before they start another one.
	failedRefreshPause = 5 * time.Second
	// evictionSample is how many entries eviction looks at to choose the
	// least recently used.
	evictionSample = 8
)

// Source mints the tokens a [Cache] keeps, one identity at a time. A
// *tribe.App is one; [SourceFunc] makes one of any function, such as a v1
// grant or a JWT signer keyed by identity. Mint must be safe for concurrent
// use.
type Source interface {
	Mint(ctx context.Context, id tribe.Identity) (*oauth2.Token, error)
}

// SourceFunc is a function that is a [Source].
type SourceFunc func(ctx context.Context, id tribe.Identity) (*oauth2.Token, error)

// Mint calls f.
func (f SourceFunc) Mint(ctx context.Context, id tribe.Identity) (*oauth2.Token, error) {
	return f(ctx, id)
}

// Options are the settings of a [Cache]. The zero value is the defaults.
type Options struct {
	// Margin: a token is reused until Expiry minus Margin (0: 1 minute).
	// For a token whose whole remaining life is short, at most half of it
	// is taken off.
	Margin time.Duration
	// RefreshAhead: a hit within RefreshAhead of Expiry starts one refresh
	// in the background and returns the cached token (0: 5 minutes;
	// negative: off). It takes effect only when larger than Margin.
	RefreshAhead time.Duration
	// MaxEntries bounds how many identities the cache holds (0: 10,000;
	// at most 1,000,000). Past it, an approximately least recently used one
	// (the oldest of a sample of 8) is dropped.
	MaxEntries int
	// Store, if set, is a second place tokens are kept, shared with other
	// caches or processes: a miss looks there before minting, and every
	// mint is put there. nil means none. Store errors never fail a token
	// request: a Get error mints anew, a Put error is ignored. A Store
	// that is also a [Coordinator] makes the caches sharing it mint once
	// per identity and drop refused tokens together.
	Store Store
	// Namespace prefixes the Store keys of this cache's tokens, so that
	// caches of different apps can share a Store. Empty means the Source's
	// Namespace() when it has one ([tribe.App.Namespace]: its endpoint and
	// client id).
	Namespace string
	// MintTimeout bounds one shared mint, retries included (0: 1 minute).
	MintTimeout time.Duration
	// Clock returns the current time, for tests (nil: the system clock,
	// read as monotonic time).
	Clock func() time.Time
	// OnWait, if set, is called once per wait for a token that another
	// process is minting (the lease of a [Coordinator] Store), before the
	// wait starts, with what is waited for and for how long at most
	// ([WaitInfo]): a command-line tool can say why it pauses. It runs on
	// the goroutine of the mint that every caller of that identity in
	// this process shares, so it must not block. The cache waits for
	// nothing else of the kind (see [WaitInfo]).
	OnWait func(WaitInfo)
}

// Cache hands out tokens per [tribe.Identity], minting each only when
// needed: a token is reused until its Expiry minus a margin, refreshed in the
// background ahead of it, and minted once for all concurrent callers of a
// cold or expired identity (a caller whose context ends stops waiting
// without cancelling the mint for the others). It is bounded in size and safe
// for concurrent use. Close it to stop background refreshes.
//
// The tokens it returns are shared: do not modify them.
//
// A warm hit shares a read lock with the other hits on its shard of the
// index, reads the clock only when its token could have turned stale, and
// allocates nothing.
type Cache struct {
	src      Source
	store    Store       // nil: none
	coord    Coordinator // store, when it is one; nil otherwise
	unsub    func()      // ends coord's subscription; nil without one
	ns       string
	margin   time.Duration
	ahead    time.Duration
	max      int
	timeout  time.Duration
	clock    func() time.Time // nil: the monotonic clock
	base     time.Time        // c.now counts from it
	seed     maphash.Seed
	ctx      context.Context // done when Close is called
	cancel   context.CancelFunc
	wg       sync.WaitGroup // mints in flight
	life     sync.RWMutex   // orders starting mints (wg.Add) before Close
	closed   atomic.Bool
	shards   *[1 << shardBits]shard // the index of entries, by hash
	slack    time.Duration          // freshUntil is this long before a token turns stale
	coarse   coarseClock
	mu       sync.Mutex // guards all and scopes, and orders adding entries with evicting them
	all      []*entry   // every entry, for eviction's sample
	scopes   map[scopeKey]*scope
	upstream atomic.Int64
	// failedPause: after a failed background refresh, hits wait this long
	// before starting another.
	failedPause time.Duration
	onWait      func(WaitInfo) // nil: none
}

// New returns a cache of the tokens src mints. Bad options, and a source
// with a Validate method ([tribe.App.Validate]) that refuses its settings,
// are refused with [tribe.ErrInvalidInput] before any request.
func New(src Source, opts Options) (*Cache, error) {
	switch {
	case src == nil:
		return nil, invalidf("the source is nil; give the *tribe.App (or a SourceFunc) that mints the tokens")
	case opts.Margin < 0:
		return nil, invalidf("Options.Margin %s is negative; give a duration of 0 or more (0: %s)", opts.Margin, DefaultMargin)
	case opts.MaxEntries < 0 || opts.MaxEntries > MaxSize:
		return nil, invalidf("Options.MaxEntries %d is out of range; give 1 to %d, or 0 for %d", opts.MaxEntries, MaxSize, DefaultSize)
	case opts.MintTimeout < 0:
		return nil, invalidf("Options.MintTimeout %s is negative; give a duration of 0 or more (0: %s)", opts.MintTimeout, DefaultMintTimeout)
	}
	if v, ok := src.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	c := &Cache{
		src: src, store: opts.Store, ns: opts.Namespace, margin: opts.Margin, ahead: opts.RefreshAhead,
		max: opts.MaxEntries, timeout: opts.MintTimeout, clock: opts.Clock, onWait: opts.OnWait,
		seed: maphash.MakeSeed(), base: time.Now(), failedPause: failedRefreshPause,
		shards: newShards(), slack: coarseSlack, scopes: make(map[scopeKey]*scope),
	}
	if c.ns == "" {
		if n, ok := src.(interface{ Namespace() string }); ok {
			c.ns = n.Namespace()
		}
	}
	if c.margin == 0 {
		c.margin = DefaultMargin
	}
	if c.ahead == 0 {
		c.ahead = DefaultRefreshAhead
	}
	if c.max == 0 {
		c.max = DefaultSize
	}
	if c.timeout == 0 {
		c.timeout = DefaultMintTimeout
	}
	if c.clock != nil {
		c.base = c.clock()
		c.slack = 0 // every hit reads the Clock
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if co, ok := c.store.(Coordinator); ok {
		c.coord = co
		c.unsub = co.Subscribe(c.onInvalidated)
	}
	return c, nil
}

// invalidf returns an invalid-input error, "cache: <what is wrong>; <how to
// fix it>", matching [tribe.ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("cache", tribe.ErrInvalidInput, format, args...)
}

// Close stops background refreshes and cancels mints in flight, waiting
// for them to end; their waiters get an error. After Close, tokens still
// cached are handed out, but a call that needs a mint fails with
// [ErrClosed]. Close is idempotent.
func (c *Cache) Close() {
	c.life.Lock()
	c.closed.Store(true)
	c.life.Unlock()
	c.stopTicking()
	c.cancel()
	c.wg.Wait()
	if c.unsub != nil {
		c.unsub()
	}
}

// Len returns how many identities the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.all)
}

// Mints returns how many mints the cache has asked its source for (each
// counted once, however many retries it took).
func (c *Cache) Mints() int64 { return c.upstream.Load() }

// now is the time since c.base, on the monotonic clock unless a Clock is
// set: a single clock read, deaf to steps of the wall clock, which a warm
// hit makes only when its token could have turned stale (the others read
// coarseNow). Token lifetimes are read on the wall clock when a token is
// cached and counted down on this one. The monotonic clock does not advance
// while the system is suspended, so after a resume a token may be handed
// out past its expiry: a [tribe.Client] checks the wall clock before it
// sends one, and gets a new token then.
func (c *Cache) now() time.Duration {
	if c.clock == nil {
		return time.Since(c.base)
	}
	return c.clock().Sub(c.base)
}

// wallNow is the wall-clock time (the Clock, if set).
func (c *Cache) wallNow() time.Time {
	if c.clock == nil {
		return time.Now()
	}
	return c.clock()
}

// String describes the cache: its namespace (no secret) and size.
func (c *Cache) String() string {
	return fmt.Sprintf("cache.Cache{Namespace: %q, Len: %d}", c.ns, c.Len())
}

// GoString is String.
func (c *Cache) GoString() string { return c.String() }

// Token returns a valid token for id from the cache, minting one if needed.
// ctx bounds this caller's wait; a mint shared with other callers goes on
// if ctx ends. Bad input is refused with [tribe.ErrInvalidInput].
func (c *Cache) Token(ctx context.Context, id tribe.Identity) (*oauth2.Token, error) {
	q := id
	fillDefaults(&q)
	h := c.hashIDs(q.MemberID, q.NetworkID, q.EntityID)
	if tok := c.warm(h, &q); tok != nil {
		return tok, nil
	}
	return c.get(ctx, h, q, id)
}

// TokenSource returns a token source for id backed by the cache; ctx
// bounds each of its waits. It is a [tribe.InvalidatingTokenSource], so a
// [tribe.Client] that uses it waits within each call's context and drops
// a token the API refuses. It is safe for concurrent use. Bad input is
// refused now with [tribe.ErrInvalidInput].
func (c *Cache) TokenSource(ctx context.Context, id tribe.Identity) (oauth2.TokenSource, error) {
	n, err := id.Normalize()
	if err != nil {
		return nil, err
	}
	return &source{c: c, ctx: ctx, id: n, hash: c.hash(n)}, nil
}

// Invalidate drops the cached token for id if it is tok (any token, if tok
// is nil), from the cache and its store, so that the next request mints
// anew. Call it when the API refuses the token (code 108, HTTP 401); a
// [tribe.Client] made with the cache's TokenSource does so itself. With a
// [Coordinator] store, every cache sharing it drops the token too.
func (c *Cache) Invalidate(ctx context.Context, id tribe.Identity, tok *oauth2.Token) {
	n, err := id.Normalize()
	if err != nil {
		return
	}
	c.drop(n, func(cur *oauth2.Token) bool { return sameToken(cur, tok) })
	if c.store == nil {
		return
	}
	key := StoreKey(c.ns, n)
	if c.coord != nil {
		_ = c.coord.Invalidate(ctx, key, tok)
		return
	}
	if stored, err := c.store.Get(ctx, key); err == nil && stored != nil && sameToken(stored, tok) {
		_ = c.store.Delete(ctx, key)
	}
}

// sameToken reports whether a is b, or b is nil (any token).
func sameToken(a, b *oauth2.Token) bool {
	return b == nil || a == b || a.AccessToken == b.AccessToken
}

// source is a cache's token source for one identity.
type source struct {
	c    *Cache
	ctx  context.Context
	id   tribe.Identity // normalized
	hash uint64
}

// Token implements oauth2.TokenSource, waiting within the source's context.
func (s *source) Token() (*oauth2.Token, error) { return s.TokenContext(s.ctx) }

// TokenContext is Token, waiting within ctx.
func (s *source) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if tok := s.c.warm(s.hash, &s.id); tok != nil {
		return tok, nil
	}
	return s.c.get(ctx, s.hash, s.id, s.id)
}

// Invalidate drops tok from the cache.
func (s *source) Invalidate(ctx context.Context, tok *oauth2.Token) { s.c.Invalidate(ctx, s.id, tok) }
