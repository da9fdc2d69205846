package tribe

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
)

// JWK is a public key as a JSON Web Key (RFC 7517 section 4; RFC 7518
// section 6): kty "RSA" with n and e, or kty "EC" with crv, x and y. It
// never holds private key material. A JWK is a plain value, safe to share.
type JWK struct {
	Kty string `json:"kty"`           // "RSA" or "EC"
	Use string `json:"use,omitempty"` // "sig"
	Alg string `json:"alg,omitempty"` // e.g. "RS256", "ES256"
	Kid string `json:"kid,omitempty"` // the key id JWTs name in their kid header
	N   string `json:"n,omitempty"`   // RSA modulus, base64url
	E   string `json:"e,omitempty"`   // RSA public exponent, base64url
	Crv string `json:"crv,omitempty"` // EC curve: "P-256", "P-384" or "P-521"
	X   string `json:"x,omitempty"`   // EC x coordinate, base64url, full length
	Y   string `json:"y,omitempty"`   // EC y coordinate, base64url, full length
}

// JWKSet is a JWK Set document (RFC 7517 section 5), what a JWKS URL serves.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// NewJWK returns pub, an *rsa.PublicKey or *ecdsa.PublicKey, as a signing
// JWK with the algorithm a [Signer] uses for it. kid empty means the key's
// RFC 7638 thumbprint ([JWKThumbprint]).
func NewJWK(pub crypto.PublicKey, kid string) (JWK, error) {
	m, err := signingMethod(pub)
	if err != nil {
		return JWK{}, err
	}
	k := JWK{Use: "sig", Alg: m.Alg(), Kid: kid}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		k.Kty = "RSA"
		k.N = base64.RawURLEncoding.EncodeToString(p.N.Bytes())
		k.E = base64.RawURLEncoding.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, err := p.Bytes() // 0x04 || x || y, each the curve's full length
		if err != nil {
			return JWK{}, invalidf("the EC public key cannot be encoded: %w", err)
		}
		size := (len(raw) - 1) / 2
		k.Kty = "EC"
		k.Crv = p.Curve.Params().Name
		k.X = base64.RawURLEncoding.EncodeToString(raw[1 : 1+size])
		k.Y = base64.RawURLEncoding.EncodeToString(raw[1+size:])
	}
	if k.Kid == "" {
		k.Kid = k.thumbprint()
	}
	return k, nil
}

// JWKThumbprint returns the RFC 7638 SHA-256 thumbprint of an RSA or EC
// public key, base64url-encoded: a stable key id.
func JWKThumbprint(pub crypto.PublicKey) (string, error) {
	k, err := NewJWK(pub, "-")
	if err != nil {
		return "", err
	}
	return k.thumbprint(), nil
}

// thumbprint hashes the required members in lexicographic order, with no
// whitespace (RFC 7638 section 3).
func (k JWK) thumbprint() string {
	var s string
	switch k.Kty {
	case "RSA":
		s = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, k.E, k.N)
	case "EC":
		s = fmt.Sprintf(`{"crv":%q,"kty":"EC","x":%q,"y":%q}`, k.Crv, k.X, k.Y)
	}
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// PublicKey decodes the JWK into an *rsa.PublicKey or *ecdsa.PublicKey,
// checking that an EC point is on its curve.
func (k JWK) PublicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, invalidf("JWK %q: n or e is not a base64url big-endian integer", k.Kid)
		}
		ei := new(big.Int).SetBytes(e)
		if ei.Int64() < 3 || ei.Bit(0) == 0 {
			return nil, invalidf("JWK %q: e is not an odd exponent of 3 or more", k.Kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(ei.Int64())}, nil
	case "EC":
		var c elliptic.Curve
		switch k.Crv {
		case "P-256":
			c = elliptic.P256()
		case "P-384":
			c = elliptic.P384()
		case "P-521":
			c = elliptic.P521()
		default:
			return nil, invalidf("JWK %q: unsupported curve %q", k.Kid, k.Crv)
		}
		size := (c.Params().BitSize + 7) / 8
		x, err1 := base64.RawURLEncoding.DecodeString(k.X)
		y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, invalidf("JWK %q: x and y must be base64url coordinates of %d bytes each", k.Kid, size)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(c, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, invalidf("JWK %q: the point is not on curve %s", k.Kid, k.Crv)
		}
		return pub, nil
	}
	return nil, invalidf("JWK %q: unsupported kty %q; want RSA or EC", k.Kid, k.Kty)
}

// JWK returns the public half of the signer's PrivateKey as a JWK whose kid
// is the one the signer puts in its JWTs' headers. A signer with an HS256
// Secret has no public key to publish, and is refused with [ErrInvalidInput].
func (s *Signer) JWK() (JWK, error) {
	g, err := s.check()
	if err != nil {
		return JWK{}, err
	}
	if s.PrivateKey == nil {
		return JWK{}, invalidf("the signer uses an HS256 secret, which has no public key to publish; configure the same secret on the community instead")
	}
	return NewJWK(s.PrivateKey.Public(), g.kid)
}

// JWKSHandler returns an http.Handler that serves keys as a JWK Set (RFC
// 7517 section 5) to GET and HEAD, as application/json: the JWKS URL to give
// Tribe's "JWT Authorization" app (TRIBE_API.md section 5). Other methods get
// 405. The document is built once; the handler is safe for concurrent use.
func JWKSHandler(keys ...JWK) http.Handler {
	return &jwksHandler{set: JWKSet{Keys: append([]JWK{}, keys...)}}
}

// jwksHandler serves a JWK Set that is never changed after it is made.
type jwksHandler struct {
	set JWKSet
}

// ServeHTTP serves the JWK Set.
func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := json.Marshal(h.set)
	if err != nil {
		http.Error(w, "encoding the JWK Set failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}
