package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// fakeCoordinator is a Coordinator in memory whose lease is always held
// by "another process" that reports the failure wait returns.
type fakeCoordinator struct {
	*MemoryStore
	mu          sync.Mutex
	held        bool  // Lease answers: held by another
	waitErr     error // what Wait returns
	leases      int
	waits       int
	leasePuts   int // tokens stored through a lease
	plainPuts   int // and with Store.Put
	invalidated []string
	subs        []func(key, fp string)
}

type fakeLease struct {
	c   *fakeCoordinator
	key string
}

func (l fakeLease) Put(ctx context.Context, tok *oauth2.Token) error {
	l.c.mu.Lock()
	l.c.leasePuts++
	l.c.mu.Unlock()
	return l.c.MemoryStore.Put(ctx, l.key, tok)
}

func (l fakeLease) Release(context.Context, error) {}

func (f *fakeCoordinator) Lease(_ context.Context, key string) (Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.leases++
	if f.held {
		return nil, nil
	}
	return fakeLease{f, key}, nil
}

// Put counts the puts that bypass a lease.
func (f *fakeCoordinator) Put(ctx context.Context, key string, tok *oauth2.Token) error {
	f.mu.Lock()
	f.plainPuts++
	f.mu.Unlock()
	return f.MemoryStore.Put(ctx, key, tok)
}

func (f *fakeCoordinator) Wait(context.Context, string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits++
	return f.waitErr
}

func (f *fakeCoordinator) Invalidate(ctx context.Context, key string, tok *oauth2.Token) error {
	f.mu.Lock()
	f.invalidated = append(f.invalidated, key)
	subs := append([]func(string, string){}, f.subs...)
	f.mu.Unlock()
	fp := ""
	if tok != nil {
		fp = Fingerprint(tok.AccessToken)
	}
	_ = f.Delete(ctx, key)
	for _, fn := range subs {
		fn(key, fp)
	}
	return nil
}

func (f *fakeCoordinator) Subscribe(fn func(key, fp string)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, fn)
	return func() {}
}

func TestCacheUsesCoordinator(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	ctx := context.Background()

	t.Run("a failure of the lease holder reaches the waiter, who does not mint", func(t *testing.T) {
		co := &fakeCoordinator{MemoryStore: NewMemoryStore(10), held: true, waitErr: &PeerError{Kind: KindForbidden}}
		c := newTestCache(t, app, srv, Options{Store: co})
		_, err := c.Token(ctx, carol)
		require.ErrorIs(t, err, tribe.ErrForbidden)
		var pe *PeerError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, int64(0), c.Mints())
		assert.Equal(t, 1, co.leases)
	})

	t.Run("the lease holder stores its token through the lease, fenced", func(t *testing.T) {
		co := &fakeCoordinator{MemoryStore: NewMemoryStore(10)}
		c := newTestCache(t, app, srv, Options{Store: co})
		tok, err := c.Token(ctx, carol)
		require.NoError(t, err)
		assert.Equal(t, 1, co.leasePuts)
		assert.Zero(t, co.plainPuts)
		n, err := carol.Normalize()
		require.NoError(t, err)
		stored, err := co.Get(ctx, StoreKey(app.Namespace(), n))
		require.NoError(t, err)
		assert.Same(t, tok, stored)
	})

	t.Run("a cache waits for a few leases in a row, then mints on its own", func(t *testing.T) {
		// Every lease it finds is another's, and every wait ends with no
		// token stored: as when someone keeps planting leases.
		co := &fakeCoordinator{MemoryStore: NewMemoryStore(10), held: true}
		c := newTestCache(t, app, srv, Options{Store: co})
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		tok, err := c.Token(tctx, carol)
		require.NoError(t, err)
		assert.NotEmpty(t, tok.AccessToken)
		assert.Equal(t, int64(1), c.Mints())
		assert.Equal(t, maxLeaseRounds, co.waits)
		assert.Equal(t, 1, co.plainPuts, "its token is stored for the others")
	})

	t.Run("another cache's invalidation drops this cache's copy", func(t *testing.T) {
		co := &fakeCoordinator{MemoryStore: NewMemoryStore(10)}
		a := newTestCache(t, app, srv, Options{Store: co})
		b := newTestCache(t, app, srv, Options{Store: co})
		ta, err := a.Token(ctx, carol)
		require.NoError(t, err)
		tb, err := b.Token(ctx, carol)
		require.NoError(t, err)
		require.Same(t, ta, tb, "b read a's token from the store")
		mints := srv.Count("limitedToken")

		a.Invalidate(ctx, carol, &oauth2.Token{AccessToken: "some other token"})
		again, err := b.Token(ctx, carol)
		require.NoError(t, err)
		assert.Same(t, tb, again, "an invalidation of another token leaves b's")

		a.Invalidate(ctx, carol, ta)
		require.Len(t, co.invalidated, 2, "Invalidate goes through the coordinator")
		fresh, err := b.Token(ctx, carol)
		require.NoError(t, err)
		assert.NotEqual(t, tb.AccessToken, fresh.AccessToken, "b dropped its copy")
		assert.Equal(t, mints+1, srv.Count("limitedToken"))
	})

	t.Run("store keys parse back to their identity", func(t *testing.T) {
		for _, id := range []tribe.Identity{carol, tribe.Bot("n|1"), {NetworkID: "n", Context: tribe.ContextSpace, EntityID: "s/1%", MemberID: "m 1"}} {
			n, err := id.Normalize()
			require.NoError(t, err)
			got, ok := parseStoreKey("ns|x", StoreKey("ns|x", n))
			require.True(t, ok)
			assert.Equal(t, n, got)
			_, ok = parseStoreKey("other", StoreKey("ns|x", n))
			assert.False(t, ok)
		}
	})
}
