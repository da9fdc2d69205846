package redisstore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

var (
	carol = tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	bob   = tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.ModeratorMemberID)
)

// newApp returns an App for srv's default app.
func newApp(srv *tribetest.Server) *tribe.App {
	return &tribe.App{
		ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret,
		Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client(),
		Retry: tribe.RetryPolicy{BaseDelay: time.Millisecond},
	}
}

// newCache returns a cache of src over store, closed in t.Cleanup (before
// the store, which was opened first).
func newCache(t testing.TB, src cache.Source, store cache.Store, opts cache.Options) *cache.Cache {
	t.Helper()
	opts.Store = store
	c, err := cache.New(src, opts)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

func TestCachesShareTokensThroughRedis(t *testing.T) {
	r, srv, app := setup(t)
	sa := openStore(t, r.URL(), Options{})
	a := newCache(t, app, sa, cache.Options{})
	b := newCache(t, app, openStore(t, r.URL(), Options{}), cache.Options{})
	ctx := context.Background()

	ta, err := a.Token(ctx, carol)
	require.NoError(t, err)
	tb, err := b.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken, "the second process read the first's token from Redis")
	assert.Equal(t, tribe.GatewayURL(ta), tribe.GatewayURL(tb), "the gateway URL survives Redis")
	assert.NotEmpty(t, tribe.GatewayURL(tb))
	assert.WithinDuration(t, ta.Expiry, tb.Expiry, time.Second)
	assert.Equal(t, 1, srv.Count("limitedToken"))

	// The value lives until the token's expiry minus the margin.
	ttl, err := r.plain(t).PTTL(ctx, sa.RedisKey(cache.StoreKey(app.Namespace(), mustNormalize(t, carol)))).Result()
	require.NoError(t, err)
	assert.InDelta(t, float64(time.Until(ta.Expiry)-cache.DefaultMargin), float64(ttl), float64(2*time.Second))
}

func TestEncryptedAtRest(t *testing.T) {
	r, _, app := setup(t)
	ctx := context.Background()
	oldKey, newKey := testKey(1), testKey(100)
	store := openStore(t, r.URL(), Options{Keys: [][]byte{oldKey}})
	c := newCache(t, app, store, cache.Options{})
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	n, _ := carol.Normalize()
	key := cache.StoreKey(app.Namespace(), n)
	rkey := store.RedisKey(key)
	raw, err := r.plain(t).Get(ctx, rkey).Bytes()
	require.NoError(t, err)

	parts := strings.Split(tok.AccessToken, ".")
	require.Len(t, parts, 3, "a JWT")
	for name, s := range map[string]string{"the access token": tok.AccessToken, "the JWT header": parts[0], "the JWT claims": parts[1], "the JWT signature": parts[2], "the gateway URL": tribe.GatewayURL(tok), "gatewayUrl": "gateway"} {
		assert.NotContains(t, string(raw), s, name)
	}
	assert.NotContains(t, string(raw), tribetest.PlainMemberID)

	tests := []struct {
		name string
		keys [][]byte
		want bool
	}{
		{"the same key reads it", [][]byte{oldKey}, true},
		{"a rotated key set (new first, old kept) reads it", [][]byte{newKey, oldKey}, true},
		{"a wrong key does not", [][]byte{newKey}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, r.URL(), Options{Keys: tt.keys})
			got, err := s.Get(ctx, key)
			require.NoError(t, err)
			if !tt.want {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, tok.AccessToken, got.AccessToken)
		})
	}
	_, err = store.seal.open(rkey, raw)
	require.NoError(t, err)
	wrong, err := newSealer([][]byte{newKey}, false)
	require.NoError(t, err)
	_, err = wrong.open(rkey, raw)
	assert.ErrorIs(t, err, errUnreadable, "decrypting with a wrong key fails")

	// A value copied to another identity's key does not decrypt there.
	nb, _ := bob.Normalize()
	bobKey := cache.StoreKey(app.Namespace(), nb)
	require.NoError(t, r.plain(t).Set(ctx, store.RedisKey(bobKey), raw, time.Minute).Err())
	got, err := store.Get(ctx, bobKey)
	require.NoError(t, err)
	assert.Nil(t, got, "the AAD binds the value to its key")

	// The rotated store writes under the new key, and a store with only
	// the new key reads that.
	rotated := openStore(t, r.URL(), Options{Keys: [][]byte{newKey, oldKey}})
	require.NoError(t, rotated.Put(ctx, key, tok))
	onlyNew := openStore(t, r.URL(), Options{Keys: [][]byte{newKey}})
	got, err = onlyNew.Get(ctx, key)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, tok.AccessToken, got.AccessToken)

	// A corrupt value is ignored, and a cache that finds it mints and
	// overwrites it.
	require.NoError(t, r.plain(t).Set(ctx, store.RedisKey(bobKey), "garbage", time.Minute).Err())
	cb := newCache(t, app, openStore(t, r.URL(), Options{Keys: [][]byte{oldKey}}), cache.Options{})
	tb, err := cb.Token(ctx, bob)
	require.NoError(t, err)
	got, err = store.Get(ctx, bobKey)
	require.NoError(t, err)
	require.NotNil(t, got, "the corrupt value was overwritten")
	assert.Equal(t, tb.AccessToken, got.AccessToken)
}

func TestKeysAndOptionsAreChecked(t *testing.T) {
	good := base64.StdEncoding.EncodeToString(testKey(7))
	keys, err := ParseKeys(good + "\n" + base64.StdEncoding.EncodeToString(testKey(9)) + "\n")
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, testKey(7), keys[0], "the first key encrypts")
	keys, err = ParseKeys(" " + good + "," + good)
	require.NoError(t, err)
	assert.Len(t, keys, 2)

	short := base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))
	for name, text := range map[string]string{
		"empty": " \n", "not base64": "!!!notbase64!!!", "16 bytes": short, "url base64": strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(append(testKey(0xf8), 0xff))),
		"too many": strings.Repeat(good+",", maxKeys+1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeys(text)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
			assert.Contains(t, err.Error(), "; give ")
			if len(text) > 20 {
				assert.NotContains(t, err.Error(), text[:20], "the key is not echoed")
			}
		})
	}

	ctx := context.Background()
	for name, opts := range map[string]Options{
		"no key":                    {URL: "redis://127.0.0.1:1"},
		"a short key":               {URL: "redis://127.0.0.1:1", Keys: [][]byte{[]byte("short")}},
		"key and no encryption":     {URL: "redis://127.0.0.1:1", Keys: [][]byte{testKey(1)}, InsecureNoEncryption: true},
		"no URL":                    {Keys: [][]byte{testKey(1)}},
		"a negative timeout":        {URL: "redis://127.0.0.1:1", Keys: [][]byte{testKey(1)}, OpTimeout: -time.Second},
		"a lease too short to mint": {URL: "redis://127.0.0.1:1", Keys: [][]byte{testKey(1)}, LeaseTTL: time.Millisecond},
		"a bad scheme":              {URL: "http://127.0.0.1:1", Keys: [][]byte{testKey(1)}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(ctx, opts)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
			assert.Contains(t, err.Error(), "; give ")
		})
	}
}

func TestInvalidationFansOut(t *testing.T) {
	r, srv, app := setup(t)
	ctx := context.Background()
	const n = 5
	caches := make([]*cache.Cache, n)
	for i := range caches {
		caches[i] = newCache(t, app, openStore(t, r.URL(), Options{}), cache.Options{})
	}
	first, err := caches[0].Token(ctx, carol)
	require.NoError(t, err)
	for _, c := range caches[1:] {
		tok, err := c.Token(ctx, carol)
		require.NoError(t, err)
		require.Equal(t, first.AccessToken, tok.AccessToken)
	}
	require.Equal(t, 1, srv.Count("limitedToken"))

	// The API refuses the token to the client of cache 0: the client
	// invalidates it, and every cache drops it.
	require.NoError(t, srv.Revoke(first.AccessToken))
	ts, err := caches[0].TokenSource(ctx, carol)
	require.NoError(t, err)
	cl, err := app.Client(ctx, ts)
	require.NoError(t, err)
	_, err = cl.AuthMember(ctx)
	require.NoError(t, err, "refused, re-minted and retried")
	require.Equal(t, 2, srv.Count("limitedToken"))
	second, err := caches[0].Token(ctx, carol)
	require.NoError(t, err)
	require.NotEqual(t, first.AccessToken, second.AccessToken)
	for i, c := range caches[1:] {
		require.Eventually(t, func() bool {
			tok, err := c.Token(ctx, carol)
			return err == nil && tok.AccessToken == second.AccessToken
		}, 2*time.Second, time.Millisecond, "cache %d dropped the refused token and read the new one", i+1)
	}
	assert.Equal(t, 2, srv.Count("limitedToken"), "the others read the new token from Redis")

	// An invalidation of a token already replaced leaves the new one.
	caches[3].Invalidate(ctx, carol, first)
	time.Sleep(50 * time.Millisecond)
	for _, c := range caches {
		tok, err := c.Token(ctx, carol)
		require.NoError(t, err)
		assert.Equal(t, second.AccessToken, tok.AccessToken)
	}
	assert.Equal(t, 2, srv.Count("limitedToken"))
}

// blockingSource is a source whose mints wait for release and then return
// what it says; it counts them.
type blockingSource struct {
	app     *tribe.App
	mints   atomic.Int32
	started chan struct{}
	release chan error
}

func (s *blockingSource) Mint(ctx context.Context, id tribe.Identity) (*oauth2.Token, error) {
	s.mints.Add(1)
	s.started <- struct{}{}
	select {
	case err := <-s.release:
		if err != nil {
			return nil, err
		}
		return s.app.Mint(ctx, id)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *blockingSource) Namespace() string { return s.app.Namespace() }

func TestOneMintAndFailuresReachWaiters(t *testing.T) {
	tests := []struct {
		name    string
		mintErr error
		wantErr error
	}{
		{"the holder's token reaches the waiters", nil, nil},
		{"the holder's failure reaches the waiters, who do not mint", fmt.Errorf("minting: %w", tribe.ErrForbidden), tribe.ErrForbidden},
		{"a failure of no known kind", errors.New("boom"), &cache.PeerError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, app := setup(t)
			holder := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
			waiter := &blockingSource{app: app, started: make(chan struct{}, 10), release: make(chan error, 10)}
			a := newCache(t, holder, openStore(t, r.URL(), Options{}), cache.Options{})
			b := newCache(t, waiter, openStore(t, r.URL(), Options{}), cache.Options{})

			ra, rb := mintRound(t, a, b, holder)
			holder.release <- tt.mintErr
			gotA, gotB := <-ra, <-rb
			assert.Equal(t, int32(0), waiter.mints.Load(), "the waiter did not mint")
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, gotA.err)
				require.NoError(t, gotB.err)
				assert.Equal(t, gotA.tok.AccessToken, gotB.tok.AccessToken)
			case *cache.PeerError:
				require.Error(t, gotA.err)
				require.ErrorAs(t, gotB.err, &want)
				assert.Equal(t, cache.KindOther, want.Kind)
			default:
				require.ErrorIs(t, gotA.err, want)
				require.ErrorIs(t, gotB.err, want, "the waiter got the holder's error kind")
				var pe *cache.PeerError
				require.ErrorAs(t, gotB.err, &pe)
				assert.NotContains(t, gotB.err.Error(), "boom")
			}
		})
	}
}

func TestRedisDownMidLoadFailsNoRequest(t *testing.T) {
	r, srv, app := setup(t)
	var degraded, recovered atomic.Int32
	var lastErr atomic.Value
	opts := Options{
		OpTimeout: 100 * time.Millisecond, ProbeInterval: 50 * time.Millisecond,
		OnDegraded:  func(err error) { degraded.Add(1); lastErr.Store(err) },
		OnRecovered: func() { recovered.Add(1) },
	}
	store := openStore(t, r.URL(), opts)
	c := newCache(t, app, store, cache.Options{})
	ctx := context.Background()
	ids := []tribe.Identity{carol, bob, tribe.Bot(tribetest.DefaultNetworkID), tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.AdminMemberID)}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calls, failures atomic.Int32
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := ids[(w+i)%len(ids)]
				if i%5 == 0 {
					c.Invalidate(ctx, id, nil) // force misses through Redis
				}
				calls.Add(1)
				if _, err := c.Token(ctx, id); err != nil {
					failures.Add(1)
					t.Errorf("a token request failed: %v", err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	r.stop()
	require.Eventually(t, func() bool { return degraded.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.True(t, store.Degraded())
	time.Sleep(300 * time.Millisecond) // load goes on without Redis
	r.restart()
	require.Eventually(t, func() bool { return recovered.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.Greater(t, calls.Load(), int32(100))
	assert.False(t, store.Degraded())
	err, _ := lastErr.Load().(error)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())

	// After recovery, the store works again: a new cache finds tokens.
	before := srv.Count("limitedToken")
	tok, err := c.Token(ctx, carol)
	require.NoError(t, err)
	require.NoError(t, store.Put(ctx, cache.StoreKey(app.Namespace(), mustNormalize(t, carol)), tok))
	other := newCache(t, app, openStore(t, r.URL(), Options{}), cache.Options{})
	got, err := other.Token(ctx, carol)
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, got.AccessToken)
	assert.Equal(t, before, srv.Count("limitedToken"), "read from the restarted Redis")
}

func mustNormalize(t testing.TB, id tribe.Identity) tribe.Identity {
	t.Helper()
	n, err := id.Normalize()
	require.NoError(t, err)
	return n
}

func TestSlowRedisIsBounded(t *testing.T) {
	r := startRedis(t, "--enable-debug-command", "yes")
	store := openStore(t, r.URL(), Options{OpTimeout: 50 * time.Millisecond, ProbeInterval: 20 * time.Millisecond})
	ctx := context.Background()
	// DEBUG SLEEP holds the server; a store's operation gives up in time.
	plain := r.plain(t)
	go func() {
		if err := plain.Do(ctx, "DEBUG", "SLEEP", "0.5").Err(); err != nil {
			t.Errorf("DEBUG SLEEP: %v", err)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	_, err := store.Get(ctx, "k")
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 300*time.Millisecond)
	assert.True(t, store.Degraded())
	start = time.Now()
	_, err = store.Get(ctx, "k")
	assert.ErrorIs(t, err, ErrDegraded, "while degraded, no wait at all")
	assert.Less(t, time.Since(start), 10*time.Millisecond)
	require.Eventually(t, func() bool { return !store.Degraded() }, 3*time.Second, 5*time.Millisecond)
}

func TestStorePrintsNoSecret(t *testing.T) {
	r := startRedis(t, "--requirepass", "s3cret-pass")
	store := openStore(t, "redis://:s3cret-pass@"+r.addr(), Options{})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, store)
		assert.NotContains(t, out, "s3cret-pass", verb)
		assert.NotContains(t, out, string(testKey(1)), verb)
		assert.Contains(t, out, r.addr(), verb)
	}
	_, err := New(context.Background(), Options{URL: "redis://:s3cret-pass@" + r.addr() + "/notadb", Keys: [][]byte{testKey(1)}})
	require.ErrorIs(t, err, tribe.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "s3cret-pass")
}

func TestBadValueIsAMissForItsKeyOnly(t *testing.T) {
	r, srv, app := setup(t)
	ctx := context.Background()
	a := newCache(t, app, openStore(t, r.URL(), Options{}), cache.Options{})
	carolTok, err := a.Token(ctx, carol)
	require.NoError(t, err)
	plain := r.plain(t)
	keyOf := func(store *Store, id tribe.Identity, kind string) string {
		return store.redisKey(cache.StoreKey(app.Namespace(), mustNormalize(t, id)), kind)
	}

	tests := []struct {
		name  string
		plant func(s *Store) // bob's keys, written by someone holding no key
	}{
		{"a hash at the token and the lease (WRONGTYPE)", func(s *Store) {
			require.NoError(t, plain.HSet(ctx, keyOf(s, bob, "tok"), "a", "b").Err())
			require.NoError(t, plain.HSet(ctx, keyOf(s, bob, "lease"), "a", "b").Err())
		}},
		{"a list at the token", func(s *Store) {
			require.NoError(t, plain.RPush(ctx, keyOf(s, bob, "tok"), "a").Err())
		}},
		{"a value larger than a reply may be", func(s *Store) {
			require.NoError(t, plain.SetRange(ctx, keyOf(s, bob, "tok"), maxBulk, "x").Err())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var degraded atomic.Int32
			sb := openStore(t, r.URL(), Options{OnDegraded: func(error) { degraded.Add(1) }})
			require.NoError(t, plain.Del(ctx, keyOf(sb, bob, "tok"), keyOf(sb, bob, "lease")).Err())
			tt.plant(sb)
			b := newCache(t, app, sb, cache.Options{})
			before := srv.Count("limitedToken")

			got, err := sb.Get(ctx, cache.StoreKey(app.Namespace(), mustNormalize(t, bob)))
			require.NoError(t, err, "a miss")
			assert.Nil(t, got)
			_, err = b.Token(ctx, bob)
			require.NoError(t, err, "bob's token is minted")
			tok, err := b.Token(ctx, carol)
			require.NoError(t, err)
			assert.Equal(t, carolTok.AccessToken, tok.AccessToken, "carol's token still comes from Redis")
			assert.Equal(t, before+1, srv.Count("limitedToken"), "only bob's was minted")
			assert.False(t, sb.Degraded(), "one bad key does not take Redis away from every identity")
			assert.Zero(t, degraded.Load())
		})
	}
}
