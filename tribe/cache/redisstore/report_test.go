package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
)

// reports records what a store tells its callbacks.
type reports struct {
	mu       sync.Mutex
	degraded []error
	foreign  []error
}

func (r *reports) options(opts Options) Options {
	opts.OnDegraded = func(err error) { r.mu.Lock(); r.degraded = append(r.degraded, err); r.mu.Unlock() }
	opts.OnForeignKey = func(err error) { r.mu.Lock(); r.foreign = append(r.foreign, err); r.mu.Unlock() }
	return opts
}

func (r *reports) degradedErrs() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.degraded...)
}

func (r *reports) foreignErrs() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.foreign...)
}

func TestRefusedPasswordIsNamed(t *testing.T) {
	r := startRedis(t, "--requirepass", "right-pass-1")
	admin := redis.NewClient(&redis.Options{Addr: r.addr(), Password: "right-pass-1"})
	t.Cleanup(func() { _ = admin.Close() })
	require.NoError(t, admin.Do(context.Background(), "ACL", "SETUSER", "tribe-app", "on", ">app-pass-2", "~tribekit:*", "&tribekit:*", "+@all").Err())
	// A Redis before 6 knows no HELLO, and says "invalid password"; a
	// hostile one echoes the password it was given.
	old := startFakeRedis(t, nil, func(cmd []string) string {
		if strings.EqualFold(cmd[0], "AUTH") {
			return "-ERR invalid password\r\n"
		}
		return ""
	})
	echo := startFakeRedis(t, nil, func(cmd []string) string {
		if strings.EqualFold(cmd[0], "HELLO") || strings.EqualFold(cmd[0], "AUTH") {
			return "-WRONGPASS " + strings.Join(cmd, " ") + " is wrong\r\n"
		}
		return ""
	})

	tests := []struct {
		name string
		url  string
		want string
	}{
		{"a wrong password", "redis://:wrong-pass-3@" + r.addr(), "Redis refused the password (WRONGPASS invalid username-password pair or user is disabled.); check the user and password in the URL"},
		{"an ACL user's wrong password", "redis://tribe-app:wrong-pass-3@" + r.addr(), "Redis refused the password (WRONGPASS"},
		{"no password", r.URL(), "Redis asks for a password, and none was given (NOAUTH Authentication required.); put it in the URL: redis://:PASSWORD@host:port"},
		{"a Redis before 6", "redis://:wrong-pass-3@" + old.addr(), "Redis refused the password (ERR invalid password)"},
		{"a Redis that echoes the password", "redis://:wrong-pass-3@" + echo.addr(), "Redis refused the password (WRONGPASS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got reports
			s := openStore(t, tt.url, got.options(Options{}))
			assert.True(t, s.Degraded())
			errs := got.degradedErrs()
			require.Len(t, errs, 1)
			err := errs[0]
			require.ErrorIs(t, err, ErrAuth)
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: carrying on without Redis: "+tt.want), err.Error())
			assert.NotContains(t, err.Error(), "wrong-pass-3")
			assert.NotContains(t, err.Error(), "TLS", "no hint about something else")
		})
	}

	t.Run("the right passwords", func(t *testing.T) {
		for _, u := range []string{"redis://:right-pass-1@" + r.addr(), "redis://tribe-app:app-pass-2@" + r.addr()} {
			var got reports
			s := openStore(t, u, got.options(Options{}))
			assert.False(t, s.Degraded(), u)
			assert.Empty(t, got.degradedErrs(), u)
		}
	})
}

// keyID is the id a value sealed under k names, in hex.
func keyID(k []byte) string {
	sum := sha256.Sum256(append([]byte("tribekit redisstore key id\x00"), k...))
	return hex.EncodeToString(sum[:4])
}

func TestForeignKeyIsReportedOnce(t *testing.T) {
	r, srv, app := setup(t)
	ctx := context.Background()
	storeKey := func(id tribe.Identity) string { return cache.StoreKey(app.Namespace(), mustNormalize(t, id)) }
	// fresh empties Redis, and returns a cache whose store seals under
	// testKey(1) and whose reports are got.
	fresh := func(t *testing.T, got *reports) *cache.Cache {
		require.NoError(t, r.plain(t).FlushAll(ctx).Err())
		return newCache(t, app, openStore(t, r.URL(), got.options(Options{Keys: [][]byte{testKey(1)}})), cache.Options{})
	}

	t.Run("tokens sealed under a key the store does not hold", func(t *testing.T) {
		a := fresh(t, &reports{})
		for _, id := range []tribe.Identity{carol, bob} {
			_, err := a.Token(ctx, id)
			require.NoError(t, err)
		}
		var got reports
		b := newCache(t, app, openStore(t, r.URL(), got.options(Options{Keys: [][]byte{testKey(2)}})), cache.Options{})
		before := srv.Count("limitedToken")
		for _, id := range []tribe.Identity{carol, bob} {
			_, err := b.Token(ctx, id)
			require.NoError(t, err)
		}
		assert.Equal(t, before+2, srv.Count("limitedToken"), "both minted anew")
		errs := got.foreignErrs()
		require.Len(t, errs, 1, "once per store")
		require.ErrorIs(t, errs[0], ErrForeignKey)
		assert.Equal(t, "redisstore: another process shares this Redis with other keys: a token in Redis is sealed under key id "+keyID(testKey(1))+
			", which this store does not hold (its key ids: "+keyID(testKey(2))+"), so neither reads the other's tokens, and each mints anew, until the keys match", errs[0].Error())
		for _, k := range [][]byte{testKey(1), testKey(2)} {
			assert.NotContains(t, errs[0].Error(), hex.EncodeToString(k))
			assert.NotContains(t, errs[0].Error(), string(k))
		}
		assert.Empty(t, got.degradedErrs(), "Redis itself is fine")
	})

	t.Run("a channel message sealed under a key the store does not hold", func(t *testing.T) {
		a := fresh(t, &reports{})
		var got reports
		openStore(t, r.URL(), got.options(Options{Keys: [][]byte{testKey(3)}}))
		a.Invalidate(ctx, carol, nil)
		require.Eventually(t, func() bool { return len(got.foreignErrs()) == 1 }, 2*time.Second, time.Millisecond)
		assert.Contains(t, got.foreignErrs()[0].Error(), "a channel message in Redis is sealed under key id "+keyID(testKey(1)))
	})

	t.Run("keys against no key", func(t *testing.T) {
		a := fresh(t, &reports{})
		_, err := a.Token(ctx, bob)
		require.NoError(t, err)
		var plain, keyed reports
		p := newCache(t, app, openStore(t, r.URL(), plain.options(Options{InsecureNoEncryption: true})), cache.Options{})
		_, err = p.Token(ctx, bob) // sealed: minted anew, and stored unencrypted
		require.NoError(t, err)
		require.Len(t, plain.foreignErrs(), 1)
		assert.Contains(t, plain.foreignErrs()[0].Error(), "a token in Redis is sealed under key id "+keyID(testKey(1))+", and this store has no key (Options.InsecureNoEncryption)")

		k := newCache(t, app, openStore(t, r.URL(), keyed.options(Options{Keys: [][]byte{testKey(4)}})), cache.Options{})
		_, err = k.Token(ctx, bob)
		require.NoError(t, err)
		require.Len(t, keyed.foreignErrs(), 1)
		assert.Contains(t, keyed.foreignErrs()[0].Error(), "a token in Redis is unencrypted, and this store encrypts with key ids "+keyID(testKey(4)))
	})

	t.Run("no report for a key the store holds, nor for a corrupt value", func(t *testing.T) {
		a := fresh(t, &reports{})
		_, err := a.Token(ctx, carol)
		require.NoError(t, err)
		var got reports
		rotated := openStore(t, r.URL(), got.options(Options{Keys: [][]byte{testKey(5), testKey(1)}}))
		before := srv.Count("limitedToken")
		_, err = newCache(t, app, rotated, cache.Options{}).Token(ctx, carol)
		require.NoError(t, err)
		assert.Equal(t, before, srv.Count("limitedToken"), "read from Redis, under the second key")
		id, err := hex.DecodeString(keyID(testKey(1)))
		require.NoError(t, err)
		for _, v := range []string{"s" + string(id) + strings.Repeat("x", 40), "garbage", "s"} {
			require.NoError(t, r.plain(t).Set(ctx, rotated.RedisKey(storeKey(bob)), v, 0).Err())
			tok, err := rotated.Get(ctx, storeKey(bob))
			require.NoError(t, err)
			assert.Nil(t, tok, "a miss")
		}
		assert.Empty(t, got.foreignErrs())
	})
}
