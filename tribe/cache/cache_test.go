package cache

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// cacheSetup starts a tribetest server and an App for its default app,
// with retries that wait a millisecond.
func cacheSetup(t *testing.T, opts ...tribetest.Option) (*tribetest.Server, *tribe.App, struct{}) {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	app := &tribe.App{
		ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret,
		Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client(),
		Retry: tribe.RetryPolicy{BaseDelay: time.Millisecond},
	}
	return srv, app, struct{}{}
}

// cacheClient returns the app's client for id with tokens from c.
func cacheClient(t *testing.T, c *Cache, app *tribe.App, id tribe.Identity) (*tribe.Client, error) {
	t.Helper()
	ts, err := c.TokenSource(context.Background(), id)
	require.NoError(t, err)
	return app.Client(context.Background(), ts)
}

// newTestCache returns a cache of the tokens src mints (an App of srv, or
// a source over one) on srv's clock, closed in t.Cleanup.
func newTestCache(t *testing.T, src Source, srv *tribetest.Server, opts Options) *Cache {
	t.Helper()
	opts.Clock = srv.Now
	c, err := New(src, opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

var (
	carol = tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	bob   = tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.ModeratorMemberID)
)

func TestCacheReusesUntilMargin(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	c := newTestCache(t, app, srv, Options{Margin: 2 * time.Minute, RefreshAhead: -1})
	ctx := context.Background()

	first, err := c.Token(ctx, carol)
	require.NoError(t, err)
	for range 5 {
		tok, err := c.Token(ctx, carol)
		require.NoError(t, err)
		assert.Same(t, first, tok)
	}
	srv.Advance(58*time.Minute - time.Second) // 2m01s left: still handed out
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	assert.Same(t, first, tok)
	assert.Equal(t, 1, srv.Count("limitedToken"))

	srv.Advance(2 * time.Second) // inside the margin: minted anew
	tok, err = c.Token(ctx, carol)
	require.NoError(t, err)
	assert.NotEqual(t, first.AccessToken, tok.AccessToken)
	assert.Equal(t, 2, srv.Count("limitedToken"))
	assert.Equal(t, int64(2), c.Mints())

	// Other identities, and the default context spelled out, are their own
	// entries; the spelled-out form finds the same entry.
	_, err = c.Token(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	_, err = c.Token(ctx, tribe.Identity{NetworkID: tribetest.DefaultNetworkID, Context: "network", EntityID: tribetest.DefaultNetworkID})
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Count("limitedToken"))
}

func TestCacheRefreshesAhead(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	c := newTestCache(t, app, srv, Options{Margin: time.Minute, RefreshAhead: 10 * time.Minute})
	ctx := context.Background()
	first, err := c.Token(ctx, carol)
	require.NoError(t, err)

	srv.Advance(51 * time.Minute) // in the refresh window, outside the margin
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	assert.Same(t, first, tok, "the caller gets the cached token without waiting")
	require.Eventually(t, func() bool { return c.Mints() == 2 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool {
		tok, err := c.Token(ctx, carol)
		return err == nil && tok.AccessToken != first.AccessToken
	}, 5*time.Second, time.Millisecond)
	assert.Equal(t, 2, srv.Count("limitedToken"), "one refresh, however many hits")
}

func TestCacheStampedeMintsOnce(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	// Hold the mint long enough for every goroutine to queue behind it.
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 100 * time.Millisecond}))

	const n = 10_000
	var wg sync.WaitGroup
	toks := make([]*oauth2.Token, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			toks[i], errs[i] = c.Token(context.Background(), carol)
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.Same(t, toks[0], toks[i])
	}
	assert.Equal(t, 1, srv.Count("limitedToken"), "exactly one upstream mint")
	assert.Equal(t, int64(1), c.Mints())
}

func TestCacheCancelledWaiterLeavesMintRunning(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: 300 * time.Millisecond}))

	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { _, err := c.Token(ctx, carol); gone <- err }()
	// Wait until the mint is in flight, then join it with a patient caller.
	require.Eventually(t, func() bool { return c.Mints() == 1 }, 5*time.Second, time.Millisecond)
	patient := make(chan error, 1)
	var got *oauth2.Token
	go func() {
		tok, err := c.Token(context.Background(), carol)
		got = tok
		patient <- err
	}()
	cancel()
	select {
	case err := <-gone:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "waiting for a token for member mem-carol@net-acme")
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled caller kept waiting")
	}
	require.NoError(t, <-patient, "the shared mint goes on for the others")
	assert.NotEmpty(t, got.AccessToken)
	assert.Equal(t, 1, srv.Count("limitedToken"))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.StatusOK, reqs[0].Status)
}

func TestCacheClientInvalidatesAndRetriesOnce(t *testing.T) {
	invalid := `{"data":null,"errors":[{"message":"Invalid access token","code":"108","extensions":{"code":"108"},"path":["authMember"]}]}`
	tests := []struct {
		name        string
		refuse      func(srv *tribetest.Server, tok *oauth2.Token)
		wantErr     error
		wantMints   int
		wantAuthReq int
	}{
		{"revoked token (108): re-mint and retry", func(srv *tribetest.Server, tok *oauth2.Token) { require.NoError(t, srv.Revoke(tok.AccessToken)) }, nil, 2, 3},
		{"HTTP 401: re-mint and retry", func(srv *tribetest.Server, _ *oauth2.Token) {
			require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 401}))
		}, nil, 2, 3},
		{"refused twice: one retry only", func(srv *tribetest.Server, _ *oauth2.Token) {
			require.NoError(t, srv.Fail("authMember", tribetest.Fault{Body: invalid, Times: 2}))
		}, tribe.ErrInvalidToken, 2, 3},
		{"other errors are not retried", func(srv *tribetest.Server, _ *oauth2.Token) {
			require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 500}))
		}, &tribe.HTTPError{}, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, app, _ := cacheSetup(t)
			c := newTestCache(t, app, srv, Options{})
			ctx := context.Background()
			cl, err := cacheClient(t, c, app, carol)
			require.NoError(t, err)
			_, err = cl.AuthMember(ctx)
			require.NoError(t, err)
			tok, err := c.Token(ctx, carol)
			require.NoError(t, err)

			tt.refuse(srv, tok)
			me, err := cl.AuthMember(ctx)
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
				assert.Equal(t, tribetest.PlainMemberID, me.ID)
				newTok, err := c.Token(ctx, carol)
				require.NoError(t, err)
				assert.NotEqual(t, tok.AccessToken, newTok.AccessToken, "the refused token was dropped")
			case *tribe.HTTPError:
				require.ErrorAs(t, err, &want)
			default:
				require.ErrorIs(t, err, want)
			}
			assert.Equal(t, tt.wantMints, srv.Count("limitedToken"))
			assert.Equal(t, tt.wantAuthReq, srv.Count("authMember"))
		})
	}
}

func TestCacheSizeBound(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{MaxEntries: 3})
	ctx := context.Background()
	ids := []tribe.Identity{
		tribe.Bot(tribetest.DefaultNetworkID), carol, bob,
		tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.AdminMemberID),
	}
	for _, id := range ids[:3] {
		_, err := c.Token(ctx, id)
		require.NoError(t, err)
		srv.Advance(2 * time.Second) // recency is kept to the second
	}
	_, err := c.Token(ctx, ids[0]) // the bot is now the most recent
	require.NoError(t, err)
	srv.Advance(2 * time.Second)
	_, err = c.Token(ctx, ids[3]) // evicts carol, the least recently used
	require.NoError(t, err)
	assert.Equal(t, 3, c.Len())
	assert.Nil(t, c.store, "no Store: no second copy of each token")
	assert.Equal(t, 4, srv.Count("limitedToken"))

	held := func(id tribe.Identity) bool { q := withDefaults(id); return c.lookup(c.hash(q), q) != nil }
	c.mu.Lock()
	for i, e := range c.all {
		assert.Equal(t, i, e.slot)
	}
	c.mu.Unlock()
	assert.True(t, held(ids[0]), "the bot, used recently, stayed")
	assert.False(t, held(carol), "carol, the least recently used, was dropped")
	assert.True(t, held(bob))
	assert.True(t, held(ids[3]))

	for i := range 50 {
		_, err := c.Token(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, fmt.Sprintf("mem-%d", i)))
		assert.ErrorIs(t, err, tribe.ErrNotFound)
	}
	assert.LessOrEqual(t, c.Len(), 3, "failed identities count against the bound too")

	_, err = New(app, Options{MaxEntries: MaxSize + 1})
	assert.ErrorIs(t, err, tribe.ErrInvalidInput)
	_, err = New(app, Options{Margin: -time.Second})
	assert.ErrorIs(t, err, tribe.ErrInvalidInput)
}

func TestCacheSharedStore(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	store := NewMemoryStore(10)
	a := newTestCache(t, app, srv, Options{Store: store})
	b := newTestCache(t, app, srv, Options{Store: store})
	ctx := context.Background()
	ta, err := a.Token(ctx, carol)
	require.NoError(t, err)
	tb, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken, "the second server found the first's token in the store")
	assert.Equal(t, 1, srv.Count("limitedToken"))

	// Invalidation reaches the store, so the other server mints anew.
	b.Invalidate(ctx, carol, tb)
	tb2, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.NotEqual(t, tb.AccessToken, tb2.AccessToken)
	assert.Equal(t, 2, srv.Count("limitedToken"))
}

func TestCacheErrorsAndBadInput(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	ctx := context.Background()
	_, err := c.Token(ctx, tribe.Bot(""))
	assert.ErrorIs(t, err, tribe.ErrInvalidInput)
	_, err = c.TokenSource(ctx, tribe.Identity{NetworkID: "n", Context: "NOPE"})
	assert.ErrorIs(t, err, tribe.ErrInvalidInput)
	_, err = c.Token(ctx, tribe.Bot(tribetest.OtherNetworkID))
	assert.ErrorIs(t, err, tribe.ErrForbidden)
	assert.Equal(t, 1, srv.Count("limitedToken"))
	_, err = New(&tribe.App{}, Options{})
	assert.ErrorIs(t, err, tribe.ErrInvalidInput)

	// The token source is the cache's: no second mint.
	ts, err := c.TokenSource(ctx, carol)
	require.NoError(t, err)
	t1, err := ts.Token()
	require.NoError(t, err)
	t2, err := c.Token(ctx, carol)
	require.NoError(t, err)
	assert.Same(t, t1, t2)
}

func TestCacheCloseLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := tribetest.NewServer(tribetest.WithTokenLifetime(time.Hour))
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()}
	c, err := New(app, Options{Clock: srv.Now, RefreshAhead: 30 * time.Minute})
	require.NoError(t, err)
	_, err = c.Token(context.Background(), carol)
	require.NoError(t, err)
	// A background refresh that hangs until Close.
	require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Latency: time.Hour}))
	srv.Advance(45 * time.Minute)
	_, err = c.Token(context.Background(), carol)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return c.Mints() == 2 }, 5*time.Second, time.Millisecond)
	c.Close()
	c.Close()
	srv.Close()
}

func TestCacheAfterClose(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	ctx := context.Background()
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	c.Close()

	again, err := c.Token(ctx, carol)
	require.NoError(t, err, "a cached token is still handed out")
	assert.Same(t, tok, again)
	_, err = c.Token(ctx, bob)
	require.ErrorIs(t, err, ErrClosed, "nothing new is minted")
	assert.Equal(t, 1, srv.Count("limitedToken"))
}

func TestCachePrintsNoSecret(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, c)
		assert.NotContains(t, out, tribetest.DefaultClientSecret, verb)
		assert.Contains(t, out, tribetest.DefaultClientID, verb)
	}
}

func TestCacheClientWaitsWithinTheRequestContext(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	ctx := context.Background()
	cl, err := cacheClient(t, c, app, carol)
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
	c := newTestCache(t, app, srv, Options{})
	ctx := context.Background()
	cl, err := cacheClient(t, c, app, carol)
	require.NoError(t, err)
	require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 400, Body: invalid}))
	me, err := cl.AuthMember(ctx)
	require.NoError(t, err)
	assert.Equal(t, tribetest.PlainMemberID, me.ID)
	assert.Equal(t, 2, srv.Count("limitedToken"), "the refused token was replaced")

	// Without a cache: the code is reachable through the tribe.HTTPError.
	require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 400, Body: invalid}))
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	plain, err := tribe.NewClient(oauth2.StaticTokenSource(tok), tribe.ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	_, err = plain.AuthMember(ctx)
	assert.ErrorIs(t, err, tribe.ErrInvalidToken)
	var h *tribe.HTTPError
	require.ErrorAs(t, err, &h)
	assert.Equal(t, 400, h.StatusCode)
}
