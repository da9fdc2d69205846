// Package jwk reads and writes public keys as JSON Web Keys (RFC 7517; RFC
// 7518 section 6): RSA and EC signature keys. It is the one implementation
// behind the JWKs this module publishes (passthrough) and the ones its test
// server fetches (tribetest).
package jwk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// MaxRSABits bounds an RSA modulus read from a JWK, so that a key cannot
// make verifying a token slow.
const MaxRSABits = 8192

// Key is a public key as a JSON Web Key: kty "RSA" with n and e, or kty "EC"
// with crv, x and y. It never holds private key material. A Key is a plain
// value, safe to share.
type Key struct {
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

// Set is a JWK Set document (RFC 7517 section 5), what a JWKS URL serves.
type Set struct {
	Keys []Key `json:"keys"`
}

// New returns pub, an *rsa.PublicKey or *ecdsa.PublicKey, as a signature
// key for algorithm alg. kid empty means the key's RFC 7638 thumbprint.
func New(pub crypto.PublicKey, alg, kid string) (Key, error) {
	k := Key{Use: "sig", Alg: alg, Kid: kid}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if p.N == nil {
			return Key{}, errors.New("the RSA key has no modulus")
		}
		k.Kty = "RSA"
		k.N = base64.RawURLEncoding.EncodeToString(p.N.Bytes())
		k.E = base64.RawURLEncoding.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, err := p.Bytes() // 0x04 || x || y, each the curve's full length
		if err != nil {
			return Key{}, fmt.Errorf("the EC public key cannot be encoded: %w", err)
		}
		size := (len(raw) - 1) / 2
		k.Kty = "EC"
		k.Crv = p.Curve.Params().Name
		k.X = base64.RawURLEncoding.EncodeToString(raw[1 : 1+size])
		k.Y = base64.RawURLEncoding.EncodeToString(raw[1+size:])
	default:
		return Key{}, fmt.Errorf("the key is a %T; give an RSA or EC public key", pub)
	}
	if k.Kid == "" {
		k.Kid = k.Thumbprint()
	}
	return k, nil
}

// Thumbprint returns the key's RFC 7638 SHA-256 thumbprint, base64url: the
// required members in lexicographic order, with no whitespace.
func (k Key) Thumbprint() string {
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

// PublicKey decodes the key into an *rsa.PublicKey or *ecdsa.PublicKey,
// checking that an RSA exponent is odd and at least 3, that a modulus has at
// most MaxRSABits bits, and that an EC point is on its curve. Its errors
// name the problem without a package prefix.
func (k Key) PublicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("n or e is not a base64url big-endian integer")
		}
		if len(n) > MaxRSABits/8 {
			return nil, fmt.Errorf("the modulus n is longer than %d bits", MaxRSABits)
		}
		ei := new(big.Int).SetBytes(e)
		if ei.Int64() < 3 || ei.Bit(0) == 0 {
			return nil, errors.New("e is not an odd exponent of 3 or more")
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
			return nil, fmt.Errorf("unsupported curve %q", k.Crv)
		}
		size := (c.Params().BitSize + 7) / 8
		x, err1 := base64.RawURLEncoding.DecodeString(k.X)
		y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return nil, fmt.Errorf("x and y must be base64url coordinates of %d bytes each", size)
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(c, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("the point is not on curve %s", k.Crv)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("unsupported kty %q; want RSA or EC", k.Kty)
}
