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

// jwksTTL is how long a fetched JWKS document is used, by the server's
// clock.
const jwksTTL = 5 * time.Minute

// jwksCache holds fetched JWKS documents by URL; safe for concurrent use.
// It never holds its lock during a fetch.
type jwksCache struct {
	mu      sync.Mutex
	entries map[string]jwksEntry
}

type jwksEntry struct {
	keys    []jwk
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

// jwksKeys returns the keys of the JWKS document at u: from the cache while
// fresh and holding kid, else fetched anew with ctx.
func (s *Server) jwksKeys(ctx context.Context, u, kid string) ([]jwk, error) {
	now := s.Now()
	s.jwks.mu.Lock()
	e, ok := s.jwks.entries[u]
	s.jwks.mu.Unlock()
	if ok && now.Sub(e.fetched) < jwksTTL && (kid == "" || hasKid(e.keys, kid)) {
		return e.keys, nil
	}
	keys, err := s.fetchJWKS(ctx, u)
	if err != nil {
		return nil, err
	}
	s.jwks.mu.Lock()
	if s.jwks.entries == nil {
		s.jwks.entries = map[string]jwksEntry{}
	}
	s.jwks.entries[u] = jwksEntry{keys: keys, fetched: now}
	s.jwks.mu.Unlock()
	return keys, nil
}

func hasKid(keys []jwk, kid string) bool {
	for _, k := range keys {
		if k.kid == kid {
			return true
		}
	}
	return false
}

// fetchJWKS GETs and parses a JWKS document.
func (s *Server) fetchJWKS(ctx context.Context, u string) ([]jwk, error) {
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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("tribetest: jwks: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("tribetest: jwks: status %d", resp.StatusCode)
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

func rsaFromJWK(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(nb) == 0 {
		return nil, errors.New("bad modulus n")
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
