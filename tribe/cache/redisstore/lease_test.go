package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/cache"
)

func TestPlantedLeaseDelaysAMintBoundedly(t *testing.T) {
	const leaseTTL = 200 * time.Millisecond
	tests := []struct {
		name  string
		plant func(ctx context.Context, r *redisServer, leaseKey string) // keeps the lease held
		bound time.Duration
	}{
		{"a lease with no expiry", func(ctx context.Context, r *redisServer, leaseKey string) {
			require.NoError(t, r.plain(t).Set(ctx, leaseKey, "planted", 0).Err())
		}, leaseTTL},
		{"a lease set again and again", func(ctx context.Context, r *redisServer, leaseKey string) {
			plain := r.plain(t)
			go func() {
				for ctx.Err() == nil {
					_ = plain.Set(ctx, leaseKey, "planted", leaseTTL).Err()
					time.Sleep(leaseTTL / 4)
				}
			}()
		}, 4 * leaseTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, app := setup(t)
			store := openStore(t, r.URL(), Options{LeaseTTL: leaseTTL})
			c := newCache(t, app, store, cache.Options{})
			key := cache.StoreKey(app.Namespace(), mustNormalize(t, carol))
			pctx, stop := context.WithCancel(context.Background())
			t.Cleanup(stop)
			tt.plant(pctx, r, store.redisKey(key, "lease"))
			time.Sleep(leaseTTL / 4)

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			tok, err := c.Token(ctx, carol)
			require.NoError(t, err, "the waiter minted on its own instead of waiting until its deadline")
			assert.Less(t, time.Since(start), tt.bound+time.Second)
			assert.Equal(t, int64(1), c.Mints())

			// The token it minted is stored for the fleet.
			got, err := openStore(t, r.URL(), Options{}).Get(ctx, key)
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tok.AccessToken, got.AccessToken)
		})
	}
}

func TestStaleLeaseHolderCannotOverwriteANewerToken(t *testing.T) {
	r, srv, app := setup(t)
	ctx := context.Background()
	holder := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
	sa := openStore(t, r.URL(), Options{})
	a := newCache(t, holder, sa, cache.Options{})
	key := cache.StoreKey(app.Namespace(), mustNormalize(t, carol))

	stale := tokenInBackground(ctx, a, carol)
	<-holder.started // a holds the lease and mints
	// a's lease lapses, as when its process stalls past the lease TTL:
	// another process takes the lease, mints and stores a newer token.
	require.NoError(t, r.plain(t).Del(ctx, sa.redisKey(key, "lease")).Err())
	b := newCache(t, app, openStore(t, r.URL(), Options{}), cache.Options{})
	newer, err := b.Token(ctx, carol)
	require.NoError(t, err)

	// a's mint ends: its token must not replace the newer one.
	holder.release <- nil
	old := <-stale
	require.NoError(t, old.err)
	require.Equal(t, 2, srv.Count("limitedToken"))
	require.NotEqual(t, old.tok.AccessToken, newer.AccessToken)
	got, err := openStore(t, r.URL(), Options{}).Get(ctx, key)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, newer.AccessToken, got.AccessToken, "the stale holder's put was fenced off")
}

func TestWaitForAnotherProcessesLeaseIsReportedWithItsBound(t *testing.T) {
	const leaseTTL = 300 * time.Millisecond
	r, _, app := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	holder := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
	a := newCache(t, holder, openStore(t, r.URL(), Options{LeaseTTL: leaseTTL}), cache.Options{})
	var (
		mu    sync.Mutex
		waits []cache.WaitInfo
	)
	reported := make(chan struct{})
	sb := openStore(t, r.URL(), Options{LeaseTTL: leaseTTL})
	b := newCache(t, app, sb, cache.Options{OnWait: func(w cache.WaitInfo) {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, w)
		if len(waits) == 1 {
			close(reported)
		}
	}})

	ra := tokenInBackground(ctx, a, carol)
	<-holder.started // a holds the lease and mints
	rb := tokenInBackground(ctx, b, carol)
	select {
	case <-reported:
	case <-ctx.Done():
		t.Fatal("b's OnWait was not called")
	}
	time.Sleep(leaseTTL * 3 / 2) // a's lease is renewed while it mints
	holder.release <- nil

	gotA, gotB := <-ra, <-rb
	require.NoError(t, gotA.err)
	require.NoError(t, gotB.err)
	assert.Equal(t, gotA.tok.AccessToken, gotB.tok.AccessToken, "b got a's token")
	assert.Zero(t, b.Mints(), "b did not mint")
	mu.Lock()
	defer mu.Unlock()
	n := mustNormalize(t, carol)
	assert.Equal(t, []cache.WaitInfo{{Identity: n, Key: cache.StoreKey(app.Namespace(), n), Reason: cache.WaitLease, Max: 3 * leaseTTL}}, waits)
	assert.Equal(t, 3*leaseTTL, sb.MaxWait())
}

func TestWaitLastsNoLongerThanMaxWait(t *testing.T) {
	const leaseTTL = 200 * time.Millisecond
	r := startRedis(t)
	store := openStore(t, r.URL(), Options{LeaseTTL: leaseTTL})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := cache.StoreKey("ns", mustNormalize(t, carol))
	lease, err := store.Lease(ctx, key) // held, and renewed, for the whole test
	require.NoError(t, err)
	require.NotNil(t, lease)
	t.Cleanup(func() { lease.Release(context.Background(), nil) })

	start := time.Now()
	err = store.Wait(ctx, key)
	took := time.Since(start)
	require.ErrorIs(t, err, ErrLeaseStuck)
	assert.NoError(t, ctx.Err())
	assert.GreaterOrEqual(t, took, store.MaxWait())
	assert.Less(t, took, store.MaxWait()+leaseTTL/2)
}
