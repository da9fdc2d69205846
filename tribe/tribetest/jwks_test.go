package tribetest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withJWKSTimeout sets the JWKS fetch timeout (default 10 s).
func withJWKSTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.jwksTimeout = d
		return nil
	}
}

// countingJWKS serves answer after delay and counts the requests.
func countingJWKS(t *testing.T, delay time.Duration, answer func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		answer(w)
	}))
	t.Cleanup(js.Close)
	return js, &hits
}

// passthroughRequests sends n requests with tok, at once if concurrent,
// and returns their error codes.
func passthroughRequests(t *testing.T, s *Server, n int, concurrent bool, tok func(i int) string) [][]string {
	t.Helper()
	codes := make([][]string, n)
	var wg sync.WaitGroup
	for i := range n {
		send := func() { codes[i] = gql(t, s, s.URL, bearer(tok(i)), `{ authMember { id } }`, nil).codes() }
		if concurrent {
			wg.Go(send)
		} else {
			send()
		}
	}
	wg.Wait()
	return codes
}

// TestJWKSFetchedOnce: however many passthrough requests come, at once or
// one after another, with known or unknown kids, the JWKS URL is fetched
// once while the document is fresh.
func TestJWKSFetchedOnce(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	doc, err := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "k1", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	require.NoError(t, err)
	js, hits := countingJWKS(t, 100*time.Millisecond, func(w http.ResponseWriter) { _, _ = w.Write(doc) })
	fx := DefaultFixtures()
	fx.Networks[0].JWT = &JWTConfig{JWKSURL: js.URL}
	s := setup(t, WithFixtures(fx))
	tok := func(kid string) string {
		return productToken(t, jwt.SigningMethodRS256, key, kid, jwt.MapClaims{"sub": "ext-bob", "iat": time.Now().Unix()})
	}
	good := tok("k1")

	for _, c := range passthroughRequests(t, s, 20, true, func(int) string { return good }) {
		assert.Empty(t, c)
	}
	assert.EqualValues(t, 1, hits.Load(), "20 requests at once: one fetch")
	for _, c := range passthroughRequests(t, s, 10, false, func(int) string { return good }) {
		assert.Empty(t, c)
	}
	assert.EqualValues(t, 1, hits.Load(), "then 10 more: none")
	unknown := passthroughRequests(t, s, 10, true, func(i int) string { return tok(fmt.Sprintf("random-%d", i)) })
	for _, c := range unknown {
		assert.Equal(t, []string{"108"}, c)
	}
	assert.EqualValues(t, 1, hits.Load(), "unknown kids do not fetch a fresh document again")
	s.Advance(jwksTTL)
	passthroughRequests(t, s, 10, true, func(int) string { return good })
	assert.EqualValues(t, 2, hits.Load(), "once per TTL")
}

// TestJWKSFailureCached: a JWKS URL that fails is fetched once for many
// requests while the failure is fresh, then again.
func TestJWKSFailureCached(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tok := productToken(t, jwt.SigningMethodRS256, key, "k1", jwt.MapClaims{"sub": "ext-bob", "iat": time.Now().Unix()})
	tests := []struct {
		name   string
		delay  time.Duration
		answer func(w http.ResponseWriter)
	}{
		{"status 500", 50 * time.Millisecond, func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }},
		{"not JSON", 50 * time.Millisecond, func(w http.ResponseWriter) { _, _ = w.Write([]byte("<html>")) }},
		{"too large", 0, func(w http.ResponseWriter) {
			_, _ = w.Write([]byte(`{"keys":[],"pad":"` + strings.Repeat("x", maxJWKSBytes) + `"}`))
		}},
		{"too slow", time.Second, func(w http.ResponseWriter) { _, _ = w.Write([]byte(`{"keys":[]}`)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, hits := countingJWKS(t, tc.delay, tc.answer)
			fx := DefaultFixtures()
			fx.Networks[0].JWT = &JWTConfig{JWKSURL: js.URL}
			s := setup(t, WithFixtures(fx), withJWKSTimeout(200*time.Millisecond))
			start := time.Now()
			for _, c := range passthroughRequests(t, s, 10, true, func(int) string { return tok }) {
				assert.Equal(t, []string{"108"}, c)
			}
			for _, c := range passthroughRequests(t, s, 10, false, func(int) string { return tok }) {
				assert.Equal(t, []string{"108"}, c)
			}
			assert.Less(t, time.Since(start), 5*time.Second, "bounded by the fetch timeout")
			assert.EqualValues(t, 1, hits.Load(), "a failure is not fetched again at once")
			s.Advance(jwksFailTTL)
			passthroughRequests(t, s, 3, false, func(int) string { return tok })
			assert.EqualValues(t, 2, hits.Load(), "but once it is jwksFailTTL old")
		})
	}
}
