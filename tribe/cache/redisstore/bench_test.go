package redisstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// Benchmarks with a real Redis, each with its baseline beside it; read
// them as ratios with scripts/benchratio, e.g.
//
//	taskset -c 1 scripts/benchratio -n 10 ./tribe/cache/redisstore BenchmarkL2Hit baseline=raw-GET Store.Get
//	scripts/benchratio ./tribe/cache/redisstore BenchmarkWarmHit baseline=ReuseTokenSource Cache.Token
//	scripts/benchratio ./tribe/cache/redisstore BenchmarkInvalidationSpread baseline=PUBLISH Cache.Invalidate
//	scripts/benchratio ./tribe/cache/redisstore BenchmarkBytesPerIdentity baseline=raw-SET Store.Put

// benchToken is a JWT-sized token with a gateway URL, as a mint returns.
func benchToken(i int) *oauth2.Token {
	access := fmt.Sprintf("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6Im1lbS0lMDNkIiwibmV0d29ya0lkIjoibmV0LWFjbWUiLCJ0b2tlblR5cGUiOiJVU0VSIiwiZW50aXR5SWQiOiJuZXQtYWNtZSIsInBlcm1pc3Npb25Db250ZXh0IjoiTkVUV09SSyIsInBlcm1pc3Npb25zIjpbIioiXSwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0%06d", i)
	return tribe.WithGatewayURL(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, "https://acme.example.com/api/gateway")
}

func benchKey(i int) string {
	return cache.StoreKey("https://api.example.com/graphql|client-id", tribe.Identity{NetworkID: "net-acme", Context: tribe.ContextNetwork, EntityID: "net-acme", MemberID: fmt.Sprintf("mem-%d", i)})
}

// BenchmarkL2Hit: a token read from Redis (its key hashed, the value
// decrypted and decoded), against a raw GET of the same value through the
// same client; pinned to one core (taskset), where the client's CPU shows.
func BenchmarkL2Hit(b *testing.B) {
	r := startRedis(b)
	store := openStore(b, r.URL(), Options{})
	ctx := context.Background()
	key := benchKey(1)
	if err := store.Put(ctx, key, benchToken(1)); err != nil {
		b.Fatal(err)
	}
	rkey := store.RedisKey(key)
	b.Run("baseline=raw-GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := store.Client().Get(ctx, rkey).Bytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Store.Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if tok, err := store.Get(ctx, key); err != nil || tok == nil {
				b.Fatal(err, tok)
			}
		}
	})
}

// BenchmarkWarmHit: a warm hit of a cache with a Redis store never reaches
// Redis: the same as without one.
func BenchmarkWarmHit(b *testing.B) {
	b.Run("baseline=ReuseTokenSource", func(b *testing.B) {
		ts := oauth2.ReuseTokenSource(nil, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ts.Token(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Cache.Token", func(b *testing.B) {
		r := startRedis(b)
		srv := tribetest.NewServer()
		b.Cleanup(srv.Close)
		c := newCache(b, newApp(srv), openStore(b, r.URL(), Options{}), cache.Options{})
		ctx := context.Background()
		if _, err := c.Token(ctx, carol); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Token(ctx, carol); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInvalidationSpread: the time from one cache's Invalidate until
// the 7 other caches (each on its own connection) have dropped the token,
// reported as its p99 ("p99-ns"); the baseline is a raw PUBLISH heard by as
// many plain subscribers.
func BenchmarkInvalidationSpread(b *testing.B) {
	const others = 7
	r := startRedis(b)
	ctx := context.Background()
	report := func(b *testing.B, lat []time.Duration) {
		if len(lat) == 0 {
			return
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[(len(lat)*99)/100]), "p99-ns")
	}
	b.Run("baseline=PUBLISH", func(b *testing.B) {
		heard := make(chan struct{}, others)
		for range others {
			ps := r.plain(b).Subscribe(ctx, "bench")
			if _, err := ps.Receive(ctx); err != nil {
				b.Fatal(err)
			}
			ch := ps.Channel()
			go func() {
				for range ch {
					heard <- struct{}{}
				}
			}()
			b.Cleanup(func() { _ = ps.Close() })
		}
		pub := r.plain(b)
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			if err := pub.Publish(ctx, "bench", "i||k").Err(); err != nil {
				b.Fatal(err)
			}
			for range others {
				<-heard
			}
			lat = append(lat, time.Since(start))
		}
		report(b, lat)
	})
	b.Run("Cache.Invalidate", func(b *testing.B) {
		tok := benchToken(1)
		src := cache.SourceFunc(func(context.Context, tribe.Identity) (*oauth2.Token, error) { return tok, nil })
		caches := make([]*cache.Cache, others+1)
		heard := make(chan struct{}, others)
		for i := range caches {
			s := openStore(b, r.URL(), Options{})
			caches[i] = newCache(b, src, s, cache.Options{Namespace: "bench"})
			if i > 0 {
				// Subscribed after the cache: called once it dropped its copy.
				s.Subscribe(func(string, string) { heard <- struct{}{} })
			}
		}
		var lat []time.Duration
		for b.Loop() {
			for _, c := range caches {
				if _, err := c.Token(ctx, carol); err != nil {
					b.Fatal(err)
				}
			}
			start := time.Now()
			caches[0].Invalidate(ctx, carol, tok)
			for range others {
				<-heard
			}
			lat = append(lat, time.Since(start))
		}
		report(b, lat)
	})
}

// BenchmarkBytesPerIdentity: Redis memory per identity (MEMORY USAGE of
// its key, "bytes/identity"): the baseline keeps the bare access token
// under the cache's store key; the store keeps the sealed token, its
// expiry and gateway under a hashed key.
func BenchmarkBytesPerIdentity(b *testing.B) {
	r := startRedis(b)
	store := openStore(b, r.URL(), Options{})
	plain := r.plain(b)
	ctx := context.Background()
	measure := func(b *testing.B, put func(i int) string) {
		var total int64
		n := 0
		for b.Loop() {
			k := put(n)
			used, err := plain.MemoryUsage(ctx, k).Result()
			if err != nil {
				b.Fatal(err)
			}
			total += used
			n++
		}
		b.ReportMetric(float64(total)/float64(n), "bytes/identity")
	}
	b.Run("baseline=raw-SET", func(b *testing.B) {
		measure(b, func(i int) string {
			k := benchKey(i)
			if err := plain.Set(ctx, k, benchToken(i).AccessToken, time.Hour).Err(); err != nil {
				b.Fatal(err)
			}
			return k
		})
	})
	b.Run("Store.Put", func(b *testing.B) {
		measure(b, func(i int) string {
			k := benchKey(i)
			if err := store.Put(ctx, k, benchToken(i)); err != nil {
				b.Fatal(err)
			}
			return store.RedisKey(k)
		})
	})
}
