package cache

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestCacheStoreTokenWithoutExpiryUsesJWT(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	store := NewMemoryStore(10)
	a := newTestCache(t, app, srv, Options{Store: store})
	ctx := context.Background()
	tok, err := a.Token(ctx, carol)
	require.NoError(t, err)
	// A store that keeps only the access token.
	key := StoreKey(app.Namespace(), a.TokenSourceID(t, carol))
	require.NoError(t, store.Put(ctx, key, &oauth2.Token{AccessToken: tok.AccessToken}))

	srv.Advance(2 * time.Hour) // the JWT has expired
	b := newTestCache(t, app, srv, Options{Store: store})
	fresh, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, fresh.AccessToken, "an expired stored token is not served")
	assert.Equal(t, 2, srv.Count("limitedToken"))

	// A token whose Expiry is absurdly far in the past does not wrap around.
	cc := b.newCached(&oauth2.Token{AccessToken: "opaque", Expiry: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)})
	assert.Less(t, cc.expiresAt, b.now())
}

// TokenSourceID returns id as the cache stores it.
func (c *Cache) TokenSourceID(t *testing.T, id tribe.Identity) tribe.Identity {
	t.Helper()
	n, err := id.Normalize()
	require.NoError(t, err)
	return n
}

func TestCacheEvictionSparesMintsInFlight(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{MaxEntries: 2})
	ctx := context.Background()
	alice := tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.AdminMemberID)
	held := func(id tribe.Identity) *entry { q := withDefaults(id); return c.lookup(c.hash(q), q) }

	// Carol's mint hangs (until the cache's Close ends it): her entry is
	// the oldest, with a mint in flight.
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: time.Hour}))
	go func() { _, _ = c.Token(ctx, carol) }()
	// Wait until the server holds carol's request (the fault is taken),
	// so that bob's mint cannot take the fault instead.
	require.Eventually(t, func() bool { return srv.PendingFaults("limitedToken") == 0 }, 5*time.Second, time.Millisecond)
	srv.Advance(2 * time.Second)
	_, err := c.Token(ctx, bob)
	require.NoError(t, err)
	srv.Advance(2 * time.Second)
	_, err = c.Token(ctx, alice) // evicts bob, not carol
	require.NoError(t, err)

	e := held(carol)
	require.NotNil(t, e, "carol, whose mint is in flight, stayed")
	assert.NotNil(t, e.flight.Load())
	assert.Nil(t, held(bob), "bob, idle, was dropped though more recent")
	assert.NotNil(t, held(alice))
	assert.Equal(t, int64(3), c.Mints())
}

func TestCacheCloseGivesWaitersErrClosed(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 10 * time.Second}))
	done := make(chan error, 1)
	go func() { _, err := c.Token(context.Background(), carol); done <- err }()
	require.Eventually(t, func() bool { return c.Mints() == 1 }, 5*time.Second, time.Millisecond)
	c.Close()
	err := <-done
	assert.ErrorIs(t, err, ErrClosed)
	assert.True(t, strings.HasPrefix(err.Error(), "cache: closed"), err.Error())
}

func TestCacheHitAllocatesNothing(t *testing.T) {
	tok := &oauth2.Token{AccessToken: "t"}
	src := SourceFunc(func(context.Context, tribe.Identity) (*oauth2.Token, error) { return tok, nil })
	srv := tribetest.NewServer()
	t.Cleanup(srv.Close)
	for _, clock := range []struct {
		name string
		now  func() time.Time
	}{{"system clock", nil}, {"test clock", srv.Now}} {
		t.Run(clock.name, func(t *testing.T) {
			c, err := New(src, Options{Clock: clock.now})
			require.NoError(t, err)
			t.Cleanup(c.Close)
			ctx := context.Background()
			ts, err := c.TokenSource(ctx, carol)
			require.NoError(t, err)
			_, err = c.Token(ctx, carol)
			require.NoError(t, err)
			assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = c.Token(ctx, carol) }), "Cache.Token")
			assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ts.Token() }), "its TokenSource")
		})
	}
}
