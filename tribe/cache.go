package tribe

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// ErrClosed: the [Cache] was closed, so it mints no more tokens.
var ErrClosed = errors.New("tribe: cache closed")

// Cache defaults and limits.
const (
	// DefaultCacheMargin: a cached token is not handed out in its last
	// minute, so that it does not expire in flight.
	DefaultCacheMargin = time.Minute
	// DefaultCacheRefreshAhead: a hit in a token's last five minutes starts a
	// refresh in the background, so callers rarely wait for a mint.
	DefaultCacheRefreshAhead = 5 * time.Minute
	// DefaultCacheSize is how many identities a cache holds by default.
	DefaultCacheSize = 10_000
	// MaxCacheSize is the largest size a cache accepts.
	MaxCacheSize = 1_000_000
	// DefaultMintTimeout bounds one shared mint, retries included.
	DefaultMintTimeout = time.Minute

	// failedRefreshPause: after a background refresh fails, hits wait this
	// long before they start another one.
	failedRefreshPause = 5 * time.Second
	// evictionSample is how many entries eviction looks at to choose the
	// least recently used.
	evictionSample = 8
)

// CacheOptions are the settings of a [Cache]. The zero value is the
// defaults.
type CacheOptions struct {
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
	// Store is where minted tokens are kept beside the cache's own fast
	// path, and looked up before minting (nil: a [MemoryStore] of
	// MaxEntries). Store errors never fail a token request: a Get error
	// mints anew, a Put error is ignored.
	Store Store
	// MintTimeout bounds one shared mint, retries included (0: 1 minute).
	MintTimeout time.Duration
	// Clock returns the current time, for tests (nil: the system clock,
	// read as monotonic time).
	Clock func() time.Time
}

// Cache hands out minted tokens per [Identity], minting each only when
// needed: a token is reused until its Expiry minus a margin, refreshed in the
// background ahead of it, and minted once for all concurrent callers of a
// cold or expired identity (a caller whose context ends stops waiting
// without cancelling the mint for the others). It is bounded in size and safe
// for concurrent use. Close it to stop background refreshes.
//
// The tokens it returns are shared: do not modify them.
//
// A warm hit takes no lock for writing and allocates nothing. Minting goes
// through the [App], with its [RetryPolicy].
type Cache struct {
	cfg      *appConfig
	hc       *http.Client // the app's, for clients
	insecure bool         // the app's AllowInsecureHTTP
	store    Store
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
	index    sync.Map   // hash → *entry, the head of a chain; read without locks
	mu       sync.Mutex // guards all and changes to index and chains
	all      []*entry   // every entry, for eviction's sample
	upstream atomic.Int64
	// failedPause: after a failed background refresh, hits wait this long
	// (ns) before starting another.
	failedPause int64
}

// NewCache returns a cache of tokens minted by app. The app's settings are
// checked now and copied: later changes to app do not affect the cache.
func NewCache(app *App, opts CacheOptions) (*Cache, error) {
	cfg, err := app.config()
	if err != nil {
		return nil, err
	}
	switch {
	case opts.Margin < 0:
		return nil, invalidf("cache margin %s is negative", opts.Margin)
	case opts.MaxEntries < 0 || opts.MaxEntries > MaxCacheSize:
		return nil, invalidf("cache size %d is out of range; give 1 to %d, or 0 for %d", opts.MaxEntries, MaxCacheSize, DefaultCacheSize)
	case opts.MintTimeout < 0:
		return nil, invalidf("mint timeout %s is negative", opts.MintTimeout)
	}
	c := &Cache{
		cfg: cfg, hc: app.HTTPClient, insecure: app.AllowInsecureHTTP, store: opts.Store, margin: opts.Margin, ahead: opts.RefreshAhead,
		max: opts.MaxEntries, timeout: opts.MintTimeout, clock: opts.Clock,
		seed: maphash.MakeSeed(), base: time.Now(), failedPause: int64(failedRefreshPause),
	}
	if c.margin == 0 {
		c.margin = DefaultCacheMargin
	}
	if c.ahead == 0 {
		c.ahead = DefaultCacheRefreshAhead
	}
	if c.max == 0 {
		c.max = DefaultCacheSize
	}
	if c.store == nil {
		c.store = NewMemoryStore(c.max)
	}
	if c.timeout == 0 {
		c.timeout = DefaultMintTimeout
	}
	if c.clock != nil {
		c.base = c.clock()
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// Close stops background refreshes and cancels mints in flight, waiting
// for them to end; their waiters get an error. After Close, tokens still
// cached are handed out, but a call that needs a mint fails with
// [ErrClosed]. Close is idempotent.
func (c *Cache) Close() {
	c.life.Lock()
	c.closed.Store(true)
	c.life.Unlock()
	c.cancel()
	c.wg.Wait()
}

// Len returns how many identities the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.all)
}

// now is the time in nanoseconds since c.base, on the monotonic clock
// unless a Clock is set: a single clock read on every hit, and deaf to
// steps of the wall clock. Token lifetimes are read on the wall clock when
// a token is cached and counted down on this one. The monotonic clock does
// not advance while the system is suspended, so after a resume a token may
// be handed out past its expiry: a [Client] from [Cache.Client] checks the
// wall clock before it sends one, and gets a new token then.
func (c *Cache) now() int64 {
	if c.clock == nil {
		return int64(time.Since(c.base))
	}
	return int64(c.clock().Sub(c.base))
}

// wallNow is the wall-clock time (the Clock, if set).
func (c *Cache) wallNow() time.Time {
	if c.clock == nil {
		return time.Now()
	}
	return c.clock()
}

// String describes the cache without its app's secret.
func (c *Cache) String() string {
	return fmt.Sprintf("tribe.Cache{ClientID: %q, Endpoint: %q, Len: %d}", c.cfg.id, c.cfg.ep.URL, c.Len())
}

// GoString is String, so %#v hides the secret too.
func (c *Cache) GoString() string { return c.String() }

// Mints returns how many mints the cache has sent upstream (each counted
// once, however many retries it took).
func (c *Cache) Mints() int64 { return c.upstream.Load() }

// Token returns a valid token for id from the cache, minting one if needed.
// ctx bounds this caller's wait; a mint shared with other callers goes on
// if ctx ends. Bad input is refused with [ErrInvalidInput].
func (c *Cache) Token(ctx context.Context, id Identity) (*oauth2.Token, error) {
	q := quickNormalize(id)
	h := c.hash(q)
	if e := c.lookup(h, q); e != nil {
		if tok := c.hit(e); tok != nil {
			return tok, nil
		}
		return c.wait(ctx, e)
	}
	return c.miss(ctx, id)
}

// TokenSource returns a token source for id backed by the cache; ctx bounds
// each of its waits. It is safe for concurrent use. Bad input is refused
// now with [ErrInvalidInput].
func (c *Cache) TokenSource(ctx context.Context, id Identity) (oauth2.TokenSource, error) {
	n, err := id.normalize()
	if err != nil {
		return nil, err
	}
	return &cacheSource{c: c, ctx: ctx, id: n, hash: c.hash(n)}, nil
}

// Invalidate drops the cached token for id if it is tok (any token, if tok
// is nil), from the cache and its store, so that the next request mints
// anew. Call it when the API refuses the token (code 108, HTTP 401).
func (c *Cache) Invalidate(ctx context.Context, id Identity, tok *oauth2.Token) {
	n, err := id.normalize()
	if err != nil {
		return
	}
	e := c.lookup(c.hash(n), n)
	if e != nil {
		e.mu.Lock()
		if cur := e.cur.Load(); cur != nil && sameToken(cur.tok, tok) {
			e.cur.Store(nil)
		}
		e.mu.Unlock()
	}
	key := StoreKey(c.cfg.ep.URL, c.cfg.id, n)
	if stored, err := c.store.Get(ctx, key); err == nil && stored != nil && sameToken(stored, tok) {
		_ = c.store.Delete(ctx, key)
	}
}

// Client returns a [Client] for id whose tokens come from the cache. When
// the API refuses a token (code 108 or HTTP 401), the client drops it from
// the cache, gets a new one and retries the request once. Like
// [App.Client], it talks to the gatewayUrl the mint returned, if any.
func (c *Cache) Client(ctx context.Context, id Identity) (*Client, error) {
	src, err := c.TokenSource(ctx, id)
	if err != nil {
		return nil, err
	}
	tok, err := src.Token()
	if err != nil {
		return nil, err
	}
	cl, err := clientWith(src, tok, c.cfg, c.hc, c.insecure)
	if err != nil {
		return nil, err
	}
	nid := src.(*cacheSource).id
	cl.gql.retryAuth = func(ctx context.Context, used *oauth2.Token) bool {
		if used == nil {
			return false
		}
		c.Invalidate(ctx, nid, used)
		return true
	}
	return cl, nil
}

func sameToken(a, b *oauth2.Token) bool {
	return b == nil || a == b || a.AccessToken == b.AccessToken
}

// cacheSource is a cache's token source for one identity.
type cacheSource struct {
	c    *Cache
	ctx  context.Context
	id   Identity
	hash uint64
}

// Token implements oauth2.TokenSource, waiting within the source's context.
func (s *cacheSource) Token() (*oauth2.Token, error) { return s.tokenFor(s.ctx) }

// tokenFor is Token, waiting within ctx.
func (s *cacheSource) tokenFor(ctx context.Context) (*oauth2.Token, error) {
	if e := s.c.lookup(s.hash, s.id); e != nil {
		if tok := s.c.hit(e); tok != nil {
			return tok, nil
		}
		return s.c.wait(ctx, e)
	}
	return s.c.miss(ctx, s.id)
}

// drop invalidates tok.
func (s *cacheSource) drop(ctx context.Context, tok *oauth2.Token) { s.c.Invalidate(ctx, s.id, tok) }
