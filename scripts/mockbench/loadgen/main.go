// Command loadgen hammers a GraphQL endpoint on loopback with one query
// from N keep-alive workers, a given number of times, and prints the
// requests per second it was answered at, how many requests that was, and
// how many leaves (scalar values, nulls included) the first answer's data
// holds: the load generator of scripts/mockbench/run.
//
//	loadgen -url http://127.0.0.1:PORT/graphql -query-file q.graphql -vars '{"limit":10}' -workers 8 -requests 5000 [-mint]
//
// With -mint it first gets a Bearer token from the endpoint's limitedToken
// with tribetest's default app, as tribe-token mock needs one. It refuses a
// URL whose host is not loopback, and every request is bounded by a
// timeout. The first answer must be HTTP 200 JSON without errors; every
// answer must be HTTP 200, else it stops and fails.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	endpoint := flag.String("url", "", "GraphQL endpoint (loopback only)")
	queryFile := flag.String("query-file", "", "file with the query")
	vars := flag.String("vars", "{}", "variables, a JSON object")
	workers := flag.Int("workers", 8, "concurrent keep-alive workers (1 to 256)")
	requests := flag.Int("requests", 5000, "how many requests to send, after the first (1 to 10000000)")
	mint := flag.Bool("mint", false, "first get a Bearer token from limitedToken with tribetest's default app")
	flag.Parse()

	u, err := url.Parse(*endpoint)
	if err != nil || u.Scheme != "http" || !loopback.Host(u.Hostname()) {
		return errors.New("-url must be an http URL on loopback (127.0.0.1, [::1] or localhost)")
	}
	if *workers < 1 || *workers > 256 || *requests < 1 || *requests > 10_000_000 {
		return errors.New("-workers must be from 1 to 256 and -requests from 1 to 10000000")
	}
	q, err := os.ReadFile(*queryFile)
	if err != nil {
		return fmt.Errorf("-query-file: %w", err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(*vars), &v); err != nil {
		return fmt.Errorf("-vars: %w", err)
	}
	body, err := json.Marshal(map[string]any{"query": string(q), "variables": v})
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	auth := ""
	if *mint {
		tok, err := limitedToken(client, *endpoint)
		if err != nil {
			return err
		}
		auth = "Bearer " + tok
	}
	leaves := 0
	send := func(ctx context.Context, check bool) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, *endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
		}
		if check {
			var out struct {
				Data   any
				Errors []any
			}
			if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 || out.Data == nil {
				return fmt.Errorf("the answer is not data without errors: %.300s", raw)
			}
			leaves = countLeaves(out.Data)
		}
		return nil
	}
	if err := send(context.Background(), true); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var left, n atomic.Int64
	left.Store(int64(*requests))
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && left.Add(-1) >= 0 {
				if err := send(ctx, false); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err; cancel() })
					}
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := time.Since(start).Seconds()
	fmt.Printf("%.0f %d %d\n", float64(n.Load())/elapsed, n.Load(), leaves)
	return nil
}

// countLeaves is the number of scalar values (nulls included) in v, a
// decoded JSON value.
func countLeaves(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		for _, e := range x {
			n += countLeaves(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countLeaves(e)
		}
		return n
	}
	return 1
}

// limitedToken mints a bot token with tribetest's default app.
func limitedToken(client *http.Client, endpoint string) (string, error) {
	body, err := json.Marshal(map[string]any{
		"query":     `query($n: String!) { limitedToken(context: NETWORK, entityId: $n, networkId: $n) { accessToken } }`,
		"variables": map[string]any{"n": tribetest.DefaultNetworkID},
	})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(tribetest.DefaultClientID, tribetest.DefaultClientSecret)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ LimitedToken struct{ AccessToken string } }
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil || out.Data.LimitedToken.AccessToken == "" {
		return "", fmt.Errorf("limitedToken: no token (HTTP %d)", resp.StatusCode)
	}
	return out.Data.LimitedToken.AccessToken, nil
}
