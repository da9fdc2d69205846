package cache

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// Benchmarks of warm hits in random order over many identities, each
// beside its baseline: a plain map[tribe.Identity]*oauth2.Token behind a
// sync.RWMutex, filled with the same tokens. Read them as ratios with
// scripts/benchratio, which alternates baseline and subject processes:
//
//	scripts/benchratio -n 10 ./tribe/cache BenchmarkHit10k baseline=map Cache.Token
//	scripts/benchratio -n 10 ./tribe/cache BenchmarkHit1M baseline=map Cache.Token
//	scripts/benchratio -n 10 ./tribe/cache BenchmarkHit1MParallel baseline=map Cache.Token
//
// Each also reports the heap it holds per identity: "heap-B/identity" with
// the tokens and identities, "overhead-B/identity" without them (the
// structure's own cost). The 1M benchmarks fill a million realistic tokens
// (about 1.5 GB) and are skipped under -short.

func BenchmarkHit10k(b *testing.B)         { benchHits(b, 10_000, false) }
func BenchmarkHit10kParallel(b *testing.B) { benchHits(b, 10_000, true) }
func BenchmarkHit1M(b *testing.B)          { benchHits(b, 1_000_000, false) }
func BenchmarkHit1MParallel(b *testing.B)  { benchHits(b, 1_000_000, true) }

// benchNetwork and benchGateway are the community of the benchmarks'
// members.
const (
	benchNetwork = "net-acme01"
	benchGateway = "https://acme.bettermode.io/api/gateway"
)

// benchJWTLen is the length of the access tokens the benchmarks cache, as
// long as a member's limitedToken.
const benchJWTLen = 908

// benchTokens returns n members of one community and a realistic token for
// each: a distinct 908-byte JWT whose exp is an hour ahead, with Expiry set
// and a gateway URL, as tribe.App.Mint returns them.
func benchTokens(n int) ([]tribe.Identity, []*oauth2.Token) {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	now := time.Now()
	claims := func(member, pad string) string {
		return fmt.Sprintf(`{"id":%q,"networkId":%q,"tokenType":"USER","entityId":%q,"permissionContext":"NETWORK","permissions":["*"],"pad":%q,"iat":%d,"exp":%d}`,
			member, benchNetwork, benchNetwork, pad, now.Unix(), now.Add(time.Hour).Unix())
	}
	// Pad the claims, and fit the signature, so that every token is
	// benchJWTLen long (the members' ids are all as long).
	const sigLen = 43 // an HS256 signature
	bare := len(header) + 1 + enc.EncodedLen(len(claims("mem-0000000", ""))) + 1 + sigLen
	pad := strings.Repeat("p", (benchJWTLen-bare)*3/4)
	sig := "." + strings.Repeat("s", benchJWTLen-len(header)-1-enc.EncodedLen(len(claims("mem-0000000", pad)))-1)
	ids := make([]tribe.Identity, n)
	toks := make([]*oauth2.Token, n)
	for i := range n {
		member := fmt.Sprintf("mem-%07d", i)
		access := header + "." + enc.EncodeToString([]byte(claims(member, pad))) + sig
		ids[i] = tribe.Impersonate(benchNetwork, member)
		toks[i] = tribe.WithGatewayURL(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: now.Add(time.Hour)}, benchGateway)
	}
	return ids, toks
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchHits measures random-order hits over n identities, serially or
// from GOMAXPROCS goroutines: "baseline=map" in a plain map, "Cache.Token"
// in a Cache.
func benchHits(parent *testing.B, n int, parallel bool) {
	if n > 100_000 && testing.Short() {
		parent.Skip("filling a million tokens takes seconds and 1.5 GB; run without -short")
	}
	// bench returns a sub-benchmark of the hits of what fill builds, built
	// once: b.RunParallel calls the sub-benchmark again for each b.N.
	type filled struct {
		ids            []tribe.Identity
		order          []int
		get            func(tribe.Identity) *oauth2.Token
		heap, overhead float64
	}
	bench := func(fill func(b *testing.B, ids []tribe.Identity, toks []*oauth2.Token) func(tribe.Identity) *oauth2.Token) func(*testing.B) {
		var f *filled
		return func(b *testing.B) {
			if f == nil {
				before := heapInUse()
				ids, toks := benchTokens(n)
				order := rand.Perm(n)
				built := heapInUse()
				get := fill(b, ids, toks)
				after := heapInUse()
				if get(ids[0]) != toks[0] {
					b.Fatal("the first identity's token is not its own")
				}
				f = &filled{ids: ids, order: order, get: get,
					heap: float64(after-before) / float64(n), overhead: float64(after-built) / float64(n)}
			}
			// Reported after the timed loop, which drops what was reported
			// before.
			defer func() {
				b.ReportMetric(f.heap, "heap-B/identity")
				b.ReportMetric(f.overhead, "overhead-B/identity")
			}()
			ids, order, get := f.ids, f.order, f.get
			b.ReportAllocs()
			if !parallel {
				i := 0
				for b.Loop() {
					if get(ids[order[i]]) == nil {
						b.Fatal("a miss")
					}
					if i++; i == n {
						i = 0
					}
				}
				return
			}
			var start atomic.Int64
			b.ResetTimer() // the first run of b filled the structure
			b.RunParallel(func(pb *testing.PB) {
				i := int(start.Add(int64(n/7))) % n // another walk of the order each
				for pb.Next() {
					if get(ids[order[i]]) == nil {
						b.Error("a miss")
						return
					}
					if i++; i == n {
						i = 0
					}
				}
			})
		}
	}
	parent.Run("baseline=map", bench(func(b *testing.B, ids []tribe.Identity, toks []*oauth2.Token) func(tribe.Identity) *oauth2.Token {
		var mu sync.RWMutex
		m := make(map[tribe.Identity]*oauth2.Token)
		for i, id := range ids {
			m[id] = toks[i]
		}
		return func(id tribe.Identity) *oauth2.Token {
			mu.RLock()
			tok := m[id]
			mu.RUnlock()
			return tok
		}
	}))
	parent.Run("Cache.Token", bench(func(b *testing.B, ids []tribe.Identity, toks []*oauth2.Token) func(tribe.Identity) *oauth2.Token {
		src := SourceFunc(func(_ context.Context, id tribe.Identity) (*oauth2.Token, error) {
			i, err := strconv.Atoi(strings.TrimPrefix(id.MemberID, "mem-"))
			if err != nil || i >= len(toks) {
				return nil, fmt.Errorf("no member %s", id)
			}
			return toks[i], nil
		})
		c, err := New(src, Options{MaxEntries: n})
		if err != nil {
			b.Fatal(err)
		}
		parent.Cleanup(c.Close) // after every run of the sub-benchmark
		ctx := context.Background()
		for _, id := range ids {
			if _, err := c.Token(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		if c.Mints() != int64(n) {
			b.Fatalf("%d mints for %d identities", c.Mints(), n)
		}
		return func(id tribe.Identity) *oauth2.Token {
			tok, err := c.Token(ctx, id)
			if err != nil {
				return nil
			}
			return tok
		}
	}))
}
