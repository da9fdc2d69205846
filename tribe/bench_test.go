package tribe_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// Benchmarks for the token lifecycle. Each has its baseline beside it; read
// them as ratios. `-count N` runs each sub-benchmark N times back to back,
// so drift on a shared machine can land on one side only: compare with
// scripts/benchratio, which alternates baseline and subject processes:
//
//	scripts/benchratio -n 30 -t 10000x ./tribe BenchmarkMint baseline=raw-POST App.Mint
//	scripts/benchratio ./tribe BenchmarkWarmHit baseline=ReuseTokenSource Cache.Token

func benchCache(b *testing.B) (*cache.Cache, tribe.Identity) {
	b.Helper()
	srv := tribetest.NewServer()
	b.Cleanup(srv.Close)
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()}
	c, err := cache.New(app, cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	id := tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	if _, err := c.Token(context.Background(), id); err != nil {
		b.Fatal(err)
	}
	return c, id
}

// baselineSource is the baseline for a warm hit: x/oauth2's cache of one
// token behind one mutex, over a static token.
func baselineSource() oauth2.TokenSource {
	return oauth2.ReuseTokenSource(nil, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}))
}

// benchOp is a sub-benchmark: its name, and the op it times, made once
// by setup (the op reports a failed op with an error).
type benchOp struct {
	name  string
	setup func(b *testing.B) func() error
}

// runOps runs each op as a sub-benchmark, one op after another.
func runOps(b *testing.B, ops []benchOp) {
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			op := o.setup(b)
			b.ReportAllocs()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// runOpsParallel runs each op as a sub-benchmark from GOMAXPROCS
// goroutines at once.
func runOpsParallel(b *testing.B, ops []benchOp) {
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			op := o.setup(b)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// warmHits are a warm cache hit and its baseline.
func warmHits() []benchOp {
	return []benchOp{
		{"baseline=ReuseTokenSource", func(*testing.B) func() error {
			ts := baselineSource()
			return func() error { _, err := ts.Token(); return err }
		}},
		{"Cache.TokenSource", func(b *testing.B) func() error {
			c, id := benchCache(b)
			ts, err := c.TokenSource(context.Background(), id)
			if err != nil {
				b.Fatal(err)
			}
			return func() error { _, err := ts.Token(); return err }
		}},
		{"Cache.Token", func(b *testing.B) func() error {
			c, id := benchCache(b)
			ctx := context.Background()
			return func() error { _, err := c.Token(ctx, id); return err }
		}},
	}
}

func BenchmarkWarmHit(b *testing.B) { runOps(b, warmHits()) }

func BenchmarkWarmHitParallel(b *testing.B) { runOpsParallel(b, warmHits()) }

// rawMintQuery is the text genqlient sends for limitedToken.
const rawMintQuery = `query limitedToken ($context: PermissionContext!, $entityId: String!, $impersonateMemberId: String, $networkId: String!) {
	limitedToken(context: $context, entityId: $entityId, impersonateMemberId: $impersonateMemberId, networkId: $networkId) {
		accessToken
		gatewayUrl
	}
}
`

// rawMint is the baseline for a mint: a minimal hand-written net/http POST
// of the same query, with the same Basic auth, to the same server.
func rawMint(ctx context.Context, hc *http.Client, endpoint, basic, network, member string) (string, error) {
	body, err := json.Marshal(map[string]any{
		"operationName": "limitedToken",
		"query":         rawMintQuery,
		"variables":     map[string]any{"context": "NETWORK", "entityId": network, "networkId": network, "impersonateMemberId": member},
	})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", basic)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			LimitedToken struct {
				AccessToken string `json:"accessToken"`
				GatewayURL  string `json:"gatewayUrl"`
			} `json:"limitedToken"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", err
	}
	return out.Data.LimitedToken.AccessToken, nil
}

func BenchmarkMint(b *testing.B) {
	srv := tribetest.NewServer(tribetest.WithRecordLimit(1))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	// Both share the server and one keep-alive client.
	hc := srv.Client()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(tribetest.DefaultClientID+":"+tribetest.DefaultClientSecret))
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL(), HTTPClient: hc}
	runOps(b, []benchOp{
		{"baseline=raw-POST", func(*testing.B) func() error {
			return func() error {
				_, err := rawMint(ctx, hc, srv.GraphQLURL(), basic, tribetest.DefaultNetworkID, tribetest.PlainMemberID)
				return err
			}
		}},
		{"App.Mint", func(*testing.B) func() error {
			return func() error {
				_, err := app.Mint(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
				return err
			}
		}},
	})
}

// BenchmarkColdStampede: 10,000 goroutines ask a cold cache for the same
// member at once; each op is one stampede. mints/op must be 1.
func BenchmarkColdStampede(b *testing.B) {
	srv := tribetest.NewServer(tribetest.WithRecordLimit(1))
	b.Cleanup(srv.Close)
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()}
	id := tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	const n = 10_000
	var mints int64
	b.ReportAllocs()
	for b.Loop() {
		c, err := cache.New(app, cache.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := c.Token(context.Background(), id); err != nil {
					b.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		mints += c.Mints()
		c.Close()
	}
	b.ReportMetric(float64(mints)/float64(b.N), "mints/op")
}
