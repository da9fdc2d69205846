package tribe

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

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// cacheSetup starts a tribetest server and an App for its default app,
// whose retries do not sleep but record their waits.
func cacheSetup(t *testing.T, opts ...tribetest.Option) (*tribetest.Server, *App, *[]time.Duration) {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	app := &App{
		ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret,
		Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client(),
		Retry: RetryPolicy{sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			*waits = append(*waits, d)
			mu.Unlock()
			return ctx.Err()
		}},
	}
	return srv, app, waits
}

func newTestCache(t *testing.T, app *App, srv *tribetest.Server, opts CacheOptions) *Cache {
	t.Helper()
	opts.Clock = srv.Now
	c, err := NewCache(app, opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

var (
	carol = Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	bob   = Impersonate(tribetest.DefaultNetworkID, tribetest.ModeratorMemberID)
)

func TestCacheReusesUntilMargin(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	c := newTestCache(t, app, srv, CacheOptions{Margin: 2 * time.Minute, RefreshAhead: -1})
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
	_, err = c.Token(ctx, Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	_, err = c.Token(ctx, Identity{NetworkID: tribetest.DefaultNetworkID, Context: "network", EntityID: tribetest.DefaultNetworkID})
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Count("limitedToken"))
}

func TestCacheRefreshesAhead(t *testing.T) {
	srv, app, _ := cacheSetup(t, tribetest.WithTokenLifetime(time.Hour))
	c := newTestCache(t, app, srv, CacheOptions{Margin: time.Minute, RefreshAhead: 10 * time.Minute})
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
	c := newTestCache(t, app, srv, CacheOptions{})
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
	c := newTestCache(t, app, srv, CacheOptions{})
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
		}, ErrInvalidToken, 2, 3},
		{"other errors are not retried", func(srv *tribetest.Server, _ *oauth2.Token) {
			require.NoError(t, srv.Fail("authMember", tribetest.Fault{Status: 500}))
		}, &HTTPError{}, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, app, _ := cacheSetup(t)
			c := newTestCache(t, app, srv, CacheOptions{})
			ctx := context.Background()
			cl, err := c.Client(ctx, carol)
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
			case *HTTPError:
				require.ErrorAs(t, err, &want)
			default:
				require.ErrorIs(t, err, want)
			}
			assert.Equal(t, tt.wantMints, srv.Count("limitedToken"))
			assert.Equal(t, tt.wantAuthReq, srv.Count("authMember"))
		})
	}
}

func TestMintRetries(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, app, waits := cacheSetup(t)
			require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: status, RetryAfter: 7 * time.Second, Times: 2}))
			tok, err := app.BotToken(context.Background(), tribetest.DefaultNetworkID)
			require.NoError(t, err)
			assert.NotEmpty(t, tok.AccessToken)
			assert.Equal(t, 3, srv.Count("limitedToken"))
			assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, *waits, "Retry-After is honoured")
		})
	}
	t.Run("network error (dropped connection)", func(t *testing.T) {
		srv, app, waits := cacheSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Drop: true}))
		_, err := app.BotToken(context.Background(), tribetest.DefaultNetworkID)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Count("limitedToken"))
		assert.Len(t, *waits, 1)
	})
	t.Run("bounded attempts", func(t *testing.T) {
		srv, app, waits := cacheSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: 503, Times: 10}))
		_, err := app.BotToken(context.Background(), tribetest.DefaultNetworkID)
		var h *HTTPError
		require.ErrorAs(t, err, &h)
		assert.Equal(t, 503, h.StatusCode)
		assert.Equal(t, 4, srv.Count("limitedToken"))
		assert.Len(t, *waits, 3)
	})
	t.Run("within the caller's context", func(t *testing.T) {
		// A wait that would pass the deadline is not begun: the caller
		// gets the server's answer, not a deadline error.
		srv, app, waits := cacheSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: 503, RetryAfter: 20 * time.Second, Times: 10}))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := app.BotToken(ctx, tribetest.DefaultNetworkID)
		var h *HTTPError
		require.ErrorAs(t, err, &h)
		assert.Equal(t, 503, h.StatusCode)
		assert.Equal(t, 20*time.Second, h.RetryAfter)
		assert.Equal(t, 1, srv.Count("limitedToken"))
		assert.Empty(t, *waits)

		// A context cancelled during a wait ends it at once.
		srv.Reset()
		app.Retry.sleep = nil // real waits: 200ms and up
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel2)
		_, err = app.BotToken(ctx2, tribetest.DefaultNetworkID)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, srv.Count("limitedToken"))
	})
}

func TestMintNotRetried(t *testing.T) {
	validation := `{"data":null,"errors":[{"message":"Parameter validation failed","code":"100","extensions":{"code":"100"}}]}`
	tests := []struct {
		name  string
		fault *tribetest.Fault
		id    Identity
		app   func(*App)
		is    error
	}{
		{"400", &tribetest.Fault{Status: 400}, Bot(tribetest.DefaultNetworkID), nil, nil},
		{"401", nil, Bot(tribetest.DefaultNetworkID), func(a *App) { a.ClientSecret = "wrong" }, ErrUnauthorized},
		{"403", &tribetest.Fault{Status: 403}, Bot(tribetest.DefaultNetworkID), nil, ErrForbidden},
		{"Forbidden (102)", nil, Bot(tribetest.OtherNetworkID), nil, ErrForbidden},
		{"validation error", &tribetest.Fault{Body: validation}, Bot(tribetest.DefaultNetworkID), nil, nil},
		{"500", &tribetest.Fault{Status: 500}, Bot(tribetest.DefaultNetworkID), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, app, waits := cacheSetup(t)
			if tt.fault != nil {
				require.NoError(t, srv.Fail("limitedToken", *tt.fault))
			}
			if tt.app != nil {
				tt.app(app)
			}
			_, err := app.Mint(context.Background(), tt.id)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Equal(t, 1, srv.Count("limitedToken"))
			assert.Empty(t, *waits)
		})
	}
}

func TestCacheSizeBound(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, CacheOptions{MaxEntries: 3})
	ctx := context.Background()
	ids := []Identity{
		Bot(tribetest.DefaultNetworkID), carol, bob,
		Impersonate(tribetest.DefaultNetworkID, tribetest.AdminMemberID),
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
	assert.LessOrEqual(t, c.store.(*MemoryStore).Len(), 3)
	assert.Equal(t, 4, srv.Count("limitedToken"))

	held := func(id Identity) bool { q := quickNormalize(id); return c.lookup(c.hash(q), q) != nil }
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
		_, err := c.Token(ctx, Impersonate(tribetest.DefaultNetworkID, fmt.Sprintf("mem-%d", i)))
		assert.ErrorIs(t, err, ErrNotFound)
	}
	assert.LessOrEqual(t, c.Len(), 3, "failed identities count against the bound too")

	_, err = NewCache(app, CacheOptions{MaxEntries: MaxCacheSize + 1})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = NewCache(app, CacheOptions{Margin: -time.Second})
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestCacheSharedStore(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	store := NewMemoryStore(10)
	a := newTestCache(t, app, srv, CacheOptions{Store: store})
	b := newTestCache(t, app, srv, CacheOptions{Store: store})
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
	c := newTestCache(t, app, srv, CacheOptions{})
	ctx := context.Background()
	_, err := c.Token(ctx, Bot(""))
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.TokenSource(ctx, Identity{NetworkID: "n", Context: "NOPE"})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = c.Token(ctx, Bot(tribetest.OtherNetworkID))
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Equal(t, 1, srv.Count("limitedToken"))
	_, err = NewCache(&App{}, CacheOptions{})
	assert.ErrorIs(t, err, ErrInvalidInput)

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
	app := &App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()}
	c, err := NewCache(app, CacheOptions{Clock: srv.Now, RefreshAhead: 30 * time.Minute})
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
	c := newTestCache(t, app, srv, CacheOptions{})
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
