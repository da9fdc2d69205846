package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/webhook"
)

const dedupeSecret = "whsec-fleet-test-secret"

// fleetHandler is one process of an app fleet: its own Redis client and
// dedupe, a webhook handler counting what it processes into processed.
func fleetHandler(t *testing.T, addr string, processed *sync.Map) *httptest.Server {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = client.Close() })
	d, err := NewDedupe(client, DedupeOptions{Prefix: "fleet-test"})
	require.NoError(t, err)
	v, err := webhook.NewVerifier(0, dedupeSecret)
	require.NoError(t, err)
	count := func(what string) {
		n, _ := processed.LoadOrStore(what, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
	}
	h := &webhook.Handler{
		Verifier: v,
		Dedupe:   d,
		Event: func(_ context.Context, _ *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
			count("event " + e.ID)
			return nil, nil
		},
		Installed: func(_ context.Context, _ *webhook.Request, in *webhook.Installation) (*webhook.Answer, error) {
			count("installed " + in.ID)
			return nil, nil
		},
		Uninstalled: func(_ context.Context, _ *webhook.Request, in *webhook.Installation) (*webhook.Answer, error) {
			count("uninstalled " + in.ID)
			return nil, nil
		},
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// deliverTo posts body, signed now, to srv and reports the status.
func deliverTo(t *testing.T, srv *httptest.Server, body []byte) int {
	req, err := webhook.NewRequest(context.Background(), srv.URL, dedupeSecret, time.Now(), body)
	if err != nil {
		t.Errorf("NewRequest: %v", err)
		return 0
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Errorf("POST: %v", err)
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestDedupeFleet: one event delivered to 4 handlers that share Redis, each
// several times at once (Tribe's retries), is processed once; and an
// uninstall after an install of the same installation is processed too.
func TestDedupeFleet(t *testing.T) {
	r := startRedis(t)
	var processed sync.Map
	var fleet []*httptest.Server
	for range 4 {
		fleet = append(fleet, fleetHandler(t, r.addr(), &processed))
	}
	deliverEverywhere := func(body []byte) {
		var wg sync.WaitGroup
		for _, srv := range fleet {
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if code := deliverTo(t, srv, body); code != http.StatusOK {
						t.Errorf("status %d", code)
					}
				}()
			}
		}
		wg.Wait()
	}
	event, err := webhook.Sample{Event: "post.published", ID: "ev-fleet-1"}.Body()
	require.NoError(t, err)
	deliverEverywhere(event)
	installed, err := webhook.Sample{Type: webhook.TypeAppInstalled, ID: "inst-1", Time: time.Now().Add(-time.Minute)}.Body()
	require.NoError(t, err)
	deliverEverywhere(installed)
	uninstalled, err := webhook.Sample{Type: webhook.TypeAppUninstalled, ID: "inst-1"}.Body()
	require.NoError(t, err)
	deliverEverywhere(uninstalled)

	got := map[string]int32{}
	processed.Range(func(k, v any) bool {
		got[k.(string)] = v.(*atomic.Int32).Load()
		return true
	})
	assert.Equal(t, map[string]int32{"event ev-fleet-1": 1, "installed inst-1": 1, "uninstalled inst-1": 1}, got)
	keys, err := r.plain(t).Keys(context.Background(), "fleet-test:webhook:*").Result()
	require.NoError(t, err)
	assert.Len(t, keys, 3)
	assert.Contains(t, keys, "fleet-test:webhook:SUBSCRIPTION:ev-fleet-1")
}

func TestDedupeClaimAndRelease(t *testing.T) {
	r := startRedis(t)
	ctx := context.Background()
	d, err := NewDedupe(r.plain(t), DedupeOptions{})
	require.NoError(t, err)
	claim := func(key string, ttl time.Duration) bool {
		t.Helper()
		ok, err := d.Claim(ctx, key, ttl)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, claim("k", time.Minute))
	assert.False(t, claim("k", time.Minute))
	ttl, err := r.plain(t).PTTL(ctx, DefaultPrefix+":webhook:k").Result()
	require.NoError(t, err)
	assert.InDelta(t, float64(time.Minute), float64(ttl), float64(5*time.Second))

	require.NoError(t, d.Release(ctx, "k"))
	assert.True(t, claim("k", time.Minute), "released")

	assert.True(t, claim("short", 50*time.Millisecond))
	require.Eventually(t, func() bool { return claim("short", time.Minute) }, 5*time.Second, 20*time.Millisecond, "expired")

	assert.True(t, claim("default-ttl", 0))
	ttl, err = r.plain(t).PTTL(ctx, DefaultPrefix+":webhook:default-ttl").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, webhook.DefaultDedupeTTL-time.Minute)
}

// TestDedupeRedisDown: with Redis unreachable, a claim fails fast and the
// handler processes the delivery all the same.
func TestDedupeRedisDown(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(freePort(t)), MaxRetries: -1,
		Password: "redis-dedupe-password"})
	t.Cleanup(func() { _ = client.Close() })
	d, err := NewDedupe(client, DedupeOptions{OpTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	_, err = d.Claim(context.Background(), "k", time.Minute)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Contains(t, err.Error(), "redisstore: claiming a webhook delivery")
	assert.NotContains(t, err.Error(), "redis-dedupe-password")
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", d, d, d), "redis-dedupe-password")

	v, err := webhook.NewVerifier(0, dedupeSecret)
	require.NoError(t, err)
	calls := 0
	h := &webhook.Handler{Verifier: v, Dedupe: d, Event: func(context.Context, *webhook.Request, *webhook.Event) (*webhook.Answer, error) {
		calls++
		return nil, nil
	}}
	body, err := webhook.Sample{Event: "member.created"}.Body()
	require.NoError(t, err)
	req, err := webhook.NewRequest(context.Background(), "http://127.0.0.1/webhook", dedupeSecret, time.Now(), body)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, 1, calls)
}

func TestNewDedupeRefusesBadInput(t *testing.T) {
	_, err := NewDedupe(nil, DedupeOptions{})
	require.True(t, errors.Is(err, tribe.ErrInvalidInput), "%v", err)
	assert.Contains(t, err.Error(), "NewDedupe's client is nil")
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = client.Close() })
	_, err = NewDedupe(client, DedupeOptions{OpTimeout: -time.Second})
	require.ErrorIs(t, err, tribe.ErrInvalidInput)
	assert.Contains(t, err.Error(), "DedupeOptions.OpTimeout -1s is negative")
}
