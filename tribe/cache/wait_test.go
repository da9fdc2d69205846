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
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// leaseCoordinator is a Coordinator in memory whose leases are real: a
// cache that takes one holds it until it releases it, and the others'
// Wait returns then. It is a MaxWaiter of maxWait.
type leaseCoordinator struct {
	*MemoryStore
	maxWait time.Duration
	mu      sync.Mutex
	held    map[string]chan struct{} // closed on release
}

type heldLease struct {
	c    *leaseCoordinator
	key  string
	done chan struct{}
}

func (l heldLease) Put(ctx context.Context, tok *oauth2.Token) error {
	return l.c.MemoryStore.Put(ctx, l.key, tok)
}

func (l heldLease) Release(context.Context, error) {
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	delete(l.c.held, l.key)
	close(l.done)
}

func (f *leaseCoordinator) Lease(_ context.Context, key string) (Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held[key] != nil {
		return nil, nil
	}
	done := make(chan struct{})
	f.held[key] = done
	return heldLease{f, key, done}, nil
}

func (f *leaseCoordinator) Wait(ctx context.Context, key string) error {
	f.mu.Lock()
	done := f.held[key]
	f.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *leaseCoordinator) Invalidate(ctx context.Context, key string, _ *oauth2.Token) error {
	return f.Delete(ctx, key)
}

func (f *leaseCoordinator) Subscribe(func(key, fp string)) func() { return func() {} }

func (f *leaseCoordinator) MaxWait() time.Duration { return f.maxWait }

// waits records what an OnWait hook is called with.
type waits struct {
	mu    sync.Mutex
	calls []WaitInfo
	first chan struct{} // closed on the first call
}

func newWaits() *waits { return &waits{first: make(chan struct{})} }

func (w *waits) onWait(info WaitInfo) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, info)
	if len(w.calls) == 1 {
		close(w.first)
	}
}

func (w *waits) got() []WaitInfo {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]WaitInfo(nil), w.calls...)
}

func TestOnWaitReportsALeaseWaitOnceWithItsBound(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	co := &leaseCoordinator{MemoryStore: NewMemoryStore(10), maxWait: 7 * time.Second, held: map[string]chan struct{}{}}

	// The holder's mint blocks until the waiter has reported its wait.
	started, release := make(chan struct{}), make(chan struct{})
	holderSrc := SourceFunc(func(ctx context.Context, id tribe.Identity) (*oauth2.Token, error) {
		close(started)
		select {
		case <-release:
			return app.Mint(ctx, id)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	holderWaits := newWaits()
	holder := newTestCache(t, holderSrc, srv, Options{Store: co, Namespace: "ns", OnWait: holderWaits.onWait})
	waiterWaits := newWaits()
	waiter := newTestCache(t, app, srv, Options{Store: co, Namespace: "ns", OnWait: waiterWaits.onWait})

	held := make(chan *oauth2.Token, 1)
	go func() {
		tok, err := holder.Token(ctx, carol)
		assert.NoError(t, err)
		held <- tok
	}()
	<-started

	got := make(chan *oauth2.Token, 1)
	go func() {
		tok, err := waiter.Token(ctx, carol)
		assert.NoError(t, err)
		got <- tok
	}()
	select {
	case <-waiterWaits.first:
	case <-ctx.Done():
		t.Fatal("the waiter's OnWait was not called")
	}
	close(release)

	holderTok, waiterTok := <-held, <-got
	require.NotNil(t, holderTok)
	require.NotNil(t, waiterTok)
	assert.Equal(t, holderTok.AccessToken, waiterTok.AccessToken, "the waiter got the holder's token")
	assert.Zero(t, waiter.Mints(), "the waiter did not mint")

	n, err := carol.Normalize()
	require.NoError(t, err)
	assert.Equal(t, []WaitInfo{{Identity: n, Key: StoreKey("ns", n), Reason: WaitLease, Max: 7 * time.Second}}, waiterWaits.got())
	assert.Empty(t, holderWaits.got(), "the lease's holder waits for no one")
}

func TestOnWaitIsCalledForEachWait(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	// Every lease is another's and every wait ends with no token stored:
	// the cache waits maxLeaseRounds times, then mints on its own. This
	// Coordinator is no MaxWaiter, so no bound is reported.
	co := &fakeCoordinator{MemoryStore: NewMemoryStore(10), held: true}
	w := newWaits()
	c := newTestCache(t, app, srv, Options{Store: co, OnWait: w.onWait})
	_, err := c.Token(context.Background(), carol)
	require.NoError(t, err)

	calls := w.got()
	require.Len(t, calls, maxLeaseRounds)
	assert.Equal(t, co.waits, len(calls), "one call per Wait")
	for _, info := range calls {
		assert.Equal(t, WaitLease, info.Reason)
		assert.Zero(t, info.Max)
		assert.Equal(t, tribetest.DefaultNetworkID, info.Identity.NetworkID)
	}
}
