package tribe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestCachePrintsNoSecret(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, tribetest.DefaultClientSecret, verb)
		assert.Contains(t, out, tribetest.DefaultClientID, verb)
	}
}

func TestCacheHashSeparatesEntities(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{})
	seen := map[uint64]bool{}
	for i := range 1000 {
		h := c.hash(quickNormalize(Identity{NetworkID: "n", Context: ContextSpace, EntityID: fmt.Sprint("space-", i)}))
		seen[h] = true
	}
	assert.Len(t, seen, 1000, "a bot's tokens for many spaces do not share one chain")
}

func TestCacheStoreTokenWithoutExpiryUsesJWT(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	store := NewMemoryStore(10)
	a := newTestCache(t, app, srv, CacheOptions{Store: store})
	ctx := context.Background()
	tok, err := a.Token(ctx, carol)
	require.NoError(t, err)
	// A store that keeps only the access token.
	key := StoreKey(a.cfg.ep.URL, a.cfg.id, a.TokenSourceID(t, carol))
	require.NoError(t, store.Put(ctx, key, &oauth2.Token{AccessToken: tok.AccessToken}))

	srv.Advance(2 * time.Hour) // the JWT has expired
	b := newTestCache(t, app, srv, CacheOptions{Store: store})
	fresh, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.NotEqual(t, tok.AccessToken, fresh.AccessToken, "an expired stored token is not served")
	assert.Equal(t, 2, srv.Count("limitedToken"))

	// A token whose Expiry is absurdly far in the past does not wrap around.
	cc := b.newCached(&oauth2.Token{AccessToken: "opaque", Expiry: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)})
	assert.Less(t, cc.useUntil, b.now())
}

// TokenSourceID returns id as the cache stores it.
func (c *Cache) TokenSourceID(t *testing.T, id Identity) Identity {
	t.Helper()
	n, err := id.normalize()
	require.NoError(t, err)
	return n
}

func TestCacheClientWaitsWithinTheRequestContext(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{})
	ctx := context.Background()
	cl, err := c.Client(ctx, carol)
	require.NoError(t, err)
	c.Invalidate(ctx, carol, nil)
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 10 * time.Second}))

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = cl.AuthMember(short)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the call's context bounds the wait for a token")
	assert.Zero(t, srv.Count("authMember"), "no authMember was sent")
}

func TestCacheClientRetriesGraphQLErrorsOnNon200(t *testing.T) {
	invalid := `{"errors":[{"message":"Invalid access token","extensions":{"code":"108"}}]}`
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{})
	ctx := context.Background()
	cl, err := c.Client(ctx, carol)
	require.NoError(t, err)
	require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 400, Body: invalid}))
	me, err := cl.AuthMember(ctx)
	require.NoError(t, err)
	assert.Equal(t, tribetest.PlainMemberID, me.ID)
	assert.Equal(t, 2, srv.Count("limitedToken"), "the refused token was replaced")

	// Without a cache: the code is reachable through the HTTPError.
	require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 400, Body: invalid}))
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	plain, err := NewClient(oauth2.StaticTokenSource(tok), ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	_, err = plain.AuthMember(ctx)
	assert.ErrorIs(t, err, ErrInvalidToken)
	var h *HTTPError
	require.ErrorAs(t, err, &h)
	assert.Equal(t, 400, h.StatusCode)
}

func TestCacheEvictionSparesMintsInFlight(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{MaxEntries: 2})
	ctx := context.Background()
	alice := Impersonate(tribetest.DefaultNetworkID, tribetest.AdminMemberID)
	held := func(id Identity) *entry { q := quickNormalize(id); return c.lookup(c.hash(q), q) }

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
	c := newTestCache(t, app, srv, CacheOptions{})
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 10 * time.Second}))
	done := make(chan error, 1)
	go func() { _, err := c.Token(context.Background(), carol); done <- err }()
	require.Eventually(t, func() bool { return c.Mints() == 1 }, 5*time.Second, time.Millisecond)
	c.Close()
	err := <-done
	assert.ErrorIs(t, err, ErrClosed)
	assert.True(t, strings.HasPrefix(err.Error(), "tribe: cache closed"), err.Error())
}

// TestResponseDataIsTopLevel: only a top-level, non-null "data" counts as
// an answer; the word elsewhere in the body, even as a key at another
// depth, does not.
func TestResponseDataIsTopLevel(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"data":{"authMember":{"id":"m1"}}}`:                    true,
		`{"data" : {"authMember":{"id":"m1"}}, "extensions":{}}`: true,
		`{"extensions":{"data":{}}}`:                             false,
		`{"extensions":{"note":"data"}}`:                         false,
		`{"x":{"data":{"authMember":{"id":"m1"}}}}`:              false,
		`{"data":null}`: false,
		`{}`:            false,
	} {
		c := &gqlClient{endpoint: "http://127.0.0.1/graphql", hc: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}}
		resp, err := authMember(context.Background(), c)
		if ok {
			require.NoError(t, err, body)
			assert.Equal(t, "m1", resp.AuthMember.Id, body)
			continue
		}
		var he *HTTPError
		require.ErrorAs(t, err, &he, body)
		assert.Contains(t, he.Reason, "neither data nor errors", body)
	}
}

func TestAppRefusesPaddedCredentialsAndHidesPastedSecret(t *testing.T) {
	for _, a := range []App{
		{ClientID: " id", ClientSecret: "s"},
		{ClientID: "id", ClientSecret: "s "},
	} {
		_, err := a.config()
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
	a := App{ClientID: "myid:" + testSecret, ClientSecret: testSecret}
	_, err := a.config()
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, a.String(), testSecret)
}
