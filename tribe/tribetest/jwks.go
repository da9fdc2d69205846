package tribetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tribekit/tribekit/internal/jwk"
)

// How the server fetches JWKS documents, by the server's clock
// ([WithClock], [Server.Advance]) but for the fetch timeout.
const (
	// jwksTTL is how long a fetched JWKS document is used.
	jwksTTL = 5 * time.Minute
	// jwksFailTTL is how long a failed fetch is answered from the cache
	// before the URL is fetched again.
	jwksFailTTL = 30 * time.Second
	// jwksRefetchAfter is how old a document must be before a token with
	// a kid it does not hold (a key rotation) fetches it again.
	jwksRefetchAfter = 30 * time.Second
	// maxJWKSBytes bounds a JWKS document; maxJWKSKeys its keys.
	maxJWKSBytes = 256 << 10
	maxJWKSKeys  = 100
	// maxJWKSURLs bounds the cache; URLs come from fixtures.
	maxJWKSURLs = 64
)

// jwksCache holds fetched JWKS documents by URL, and failed fetches for a
// while; safe for concurrent use. A URL is fetched by one request at a
// time, which the others asking for it wait for. The lock is never held
// during a fetch.
type jwksCache struct {
	mu      sync.Mutex
	entries map[string]*jwksEntry
}

// jwksEntry is one fetch of a URL: in flight until done is closed, then
// keys or err, and when it ended.
type jwksEntry struct {
	done    chan struct{}
	keys    []jwksKey
	err     error
	fetched time.Time
}

// jwksKey is one usable key of a JWKS document (RFC 7517).
type jwksKey struct {
	kid string
	alg string // "" when the document does not say
	key any    // *rsa.PublicKey or *ecdsa.PublicKey
}

// fits reports whether the key may verify a token signed with alg.
func (k jwksKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch k.key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return strings.HasPrefix(alg, "ES")
	}
	return false
}

// jwksKeys returns the keys of the JWKS document at u. It is fetched at
// most once at a time per URL, and not again while the last fetch is
// fresh: a document for jwksTTL, or jwksRefetchAfter when it lacks kid; a
// failure for jwksFailTTL. So however many requests come, with whatever
// kid, u is fetched a bounded number of times.
func (s *Server) jwksKeys(ctx context.Context, u, kid string) ([]jwksKey, error) {
	now := s.Now()
	c := &s.jwks
	c.mu.Lock()
	e := c.entries[u]
	if e != nil {
		select {
		case <-e.done:
			if e.fresh(now, kid) {
				c.mu.Unlock()
				return e.keys, e.err
			}
			e = nil
		default: // in flight: wait for it
		}
	}
	if e != nil {
		c.mu.Unlock()
		select {
		case <-e.done:
			return e.keys, e.err
		case <-ctx.Done():
			return nil, fmt.Errorf("tribetest: jwks: %w", ctx.Err())
		}
	}
	e = &jwksEntry{done: make(chan struct{})}
	if c.entries == nil {
		c.entries = map[string]*jwksEntry{}
	}
	c.evict()
	c.entries[u] = e
	c.mu.Unlock()

	e.keys, e.err = s.fetchJWKS(u)
	e.fetched = s.Now()
	close(e.done)
	return e.keys, e.err
}

// fresh reports whether a finished fetch answers for kid at now.
func (e *jwksEntry) fresh(now time.Time, kid string) bool {
	age := now.Sub(e.fetched)
	switch {
	case e.err != nil:
		return age < jwksFailTTL
	case age >= jwksTTL:
		return false
	}
	return kid == "" || hasKid(e.keys, kid) || age < jwksRefetchAfter
}

// evict makes room for one more URL, forgetting the one fetched longest
// ago. c.mu is held.
func (c *jwksCache) evict() {
	for len(c.entries) >= maxJWKSURLs {
		var oldest string
		var at time.Time
		first := true
		for u, e := range c.entries {
			select {
			case <-e.done:
			default:
				continue // in flight: its waiters hold it anyway
			}
			if first || e.fetched.Before(at) {
				oldest, at, first = u, e.fetched, false
			}
		}
		if first {
			return // all in flight; there are at most as many as URLs in fixtures
		}
		delete(c.entries, oldest)
	}
}

func hasKid(keys []jwksKey, kid string) bool {
	for _, k := range keys {
		if k.kid == kid {
			return true
		}
	}
	return false
}

// fetchJWKS GETs and parses a JWKS document, within ten seconds whatever
// the HTTP client, and maxJWKSBytes. It does not use the context of the request that needs it,
// whose client may leave while others wait for the same fetch: it ends
// with the server ([Server.Close]) or the timeout.
func (s *Server) fetchJWKS(u string) ([]jwksKey, error) {
	base := s.ctx
	if base == nil {
		base = context.Background()
	}
	ctx, cancel := context.WithTimeout(base, s.cfg.jwksTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("tribetest: jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.fetch.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tribetest: jwks: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tribetest: jwks: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tribetest: jwks: status %d", resp.StatusCode)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("tribetest: jwks: the document is larger than %d KiB", maxJWKSBytes>>10)
	}
	return parseJWKS(body)
}

// parseJWKS parses an RFC 7517 key set with package jwk, keeping the RSA
// and EC signature keys (use "sig" or none) and skipping the others. Past
// jwk's own checks (at most jwk.MaxRSABits, e odd and at least 3, EC points
// on their curve), a document may hold at most maxJWKSKeys keys.
func parseJWKS(data []byte) ([]jwksKey, error) {
	var set jwk.Set
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("tribetest: jwks: %w", err)
	}
	if len(set.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("tribetest: jwks: %d keys, more than %d", len(set.Keys), maxJWKSKeys)
	}
	var keys []jwksKey
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" || k.Kty != "RSA" && k.Kty != "EC" {
			continue
		}
		pub, err := k.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("tribetest: jwks: key %q: %w", clip(k.Kid), err)
		}
		keys = append(keys, jwksKey{kid: k.Kid, alg: k.Alg, key: pub})
	}
	if len(keys) == 0 {
		return nil, errors.New("tribetest: jwks: no RSA or EC signature key")
	}
	return keys, nil
}
