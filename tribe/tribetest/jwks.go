package tribetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
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
	keys    []jwk
	err     error
	fetched time.Time
}

// jwk is one usable key of a JWKS document (RFC 7517).
type jwk struct {
	kid string
	alg string // "" when the document does not say
	key any    // *rsa.PublicKey or *ecdsa.PublicKey
}

// fits reports whether the key may verify a token signed with alg.
func (k jwk) fits(alg string) bool {
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
func (s *Server) jwksKeys(ctx context.Context, u, kid string) ([]jwk, error) {
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

func hasKid(keys []jwk, kid string) bool {
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
func (s *Server) fetchJWKS(u string) ([]jwk, error) {
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

// parseJWKS parses an RFC 7517 key set, keeping the RSA and EC signature
// keys and skipping the others.
func parseJWKS(data []byte) ([]jwk, error) {
	var doc struct {
		Keys []struct {
			Kty string `json:"kty"`
			Kid string `json:"kid"`
			Use string `json:"use"`
			Alg string `json:"alg"`
			N   string `json:"n"`
			E   string `json:"e"`
			Crv string `json:"crv"`
			X   string `json:"x"`
			Y   string `json:"y"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("tribetest: jwks: %w", err)
	}
	if len(doc.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("tribetest: jwks: %d keys, more than %d", len(doc.Keys), maxJWKSKeys)
	}
	var keys []jwk
	for _, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		var key any
		var err error
		switch k.Kty {
		case "RSA":
			key, err = rsaFromJWK(k.N, k.E)
		case "EC":
			key, err = ecFromJWK(k.Crv, k.X, k.Y)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("tribetest: jwks: key %q: %w", k.Kid, err)
		}
		keys = append(keys, jwk{kid: k.Kid, alg: k.Alg, key: key})
	}
	if len(keys) == 0 {
		return nil, errors.New("tribetest: jwks: no RSA or EC signature key")
	}
	return keys, nil
}

// maxRSABytes bounds an RSA modulus (8192 bits), so a key cannot make
// verifying a token slow.
const maxRSABytes = 1024

func rsaFromJWK(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(nb) == 0 {
		return nil, errors.New("bad modulus n")
	}
	if len(nb) > maxRSABytes {
		return nil, errors.New("modulus n longer than 8192 bits")
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("bad exponent e")
	}
	exp := 0
	for _, b := range eb {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("bad exponent e")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: exp}, nil
}

func ecFromJWK(crv, x, y string) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("unsupported curve %q", crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	xb, err1 := base64.RawURLEncoding.DecodeString(x)
	yb, err2 := base64.RawURLEncoding.DecodeString(y)
	if err1 != nil || err2 != nil || len(xb) != size || len(yb) != size {
		return nil, errors.New("bad coordinates x, y")
	}
	point := append([]byte{4}, xb...)
	point = append(point, yb...)
	return ecdsa.ParseUncompressedPublicKey(curve, point)
}
