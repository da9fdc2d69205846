package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
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
			r := startRedis(t)
			srv := tribetest.NewServer()
			t.Cleanup(srv.Close)
			app := newApp(srv)
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
	r := startRedis(t)
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	app := newApp(srv)
	ctx := context.Background()
	holder := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
	sa := openStore(t, r.URL(), Options{})
	a := newCache(t, holder, sa, cache.Options{})
	key := cache.StoreKey(app.Namespace(), mustNormalize(t, carol))

	type result struct {
		tok *oauth2.Token
		err error
	}
	stale := make(chan result, 1)
	go func() { tok, err := a.Token(ctx, carol); stale <- result{tok, err} }()
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
