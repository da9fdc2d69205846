package passthrough

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tribekit/tribekit/tribe"
)

// FuzzPassthroughClaims: any claims are checked without panicking; a token
// that passes has every required claim, and one that fails says why.
func FuzzPassthroughClaims(f *testing.F) {
	f.Add(`{"sub":"u1","name":"Ann","email":"ann@example.com","iat":1700000000,"exp":1900000000}`)
	f.Add(`{"sub":1,"name":null,"email":["x"],"iat":"now","exp":-1}`)
	f.Add(`{"sub":"u1","name":"Ann","email":"ann@example.com","iat":1e300,"exp":1e308}`)
	f.Add(`{}`)
	f.Add(`[]`)
	f.Add(`{"sub":"u1","exp":253402300800}`)
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, claims string) {
		enc := base64.RawURLEncoding.EncodeToString
		token := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
		for _, tok := range []string{token, claims} {
			c, err := checkClaims(tok, now)
			if err != nil {
				if c != nil {
					t.Fatalf("claims and an error both returned for %q", claims)
				}
				if !strings.HasPrefix(err.Error(), "passthrough: ") {
					t.Fatalf("error without the package prefix: %v", err)
				}
				continue
			}
			if c.Subject == "" {
				t.Fatalf("accepted %q without a sub", claims)
			}
		}
	})
}

// FuzzJWKS: any JWK Set document decodes, and any key in it is turned into
// a public key or refused, without panicking; a key that decodes encodes
// back to the same key.
func FuzzJWKS(f *testing.F) {
	f.Add(`{"keys":[{"kty":"RSA","n":"sXch","e":"AQAB","kid":"k"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}]}`)
	f.Add(`{"keys":[{"kty":"RSA","n":"","e":"AAAAAAE"}]}`)
	f.Add(`{"keys":null}`)
	f.Add(`[1,2]`)
	f.Fuzz(func(t *testing.T, doc string) {
		var set JWKSet
		if json.Unmarshal([]byte(doc), &set) != nil {
			return
		}
		for _, k := range set.Keys {
			pub, err := k.PublicKey()
			if err != nil {
				if !errors.Is(err, tribe.ErrInvalidInput) {
					t.Fatalf("a bad JWK is not tribe.ErrInvalidInput: %v", err)
				}
				continue
			}
			switch p := pub.(type) {
			case *rsa.PublicKey:
				if p.N.Sign() <= 0 && len(k.N) > 0 && strings.Trim(k.N, "A") != "" {
					t.Fatalf("modulus lost: %+v", k)
				}
			case *ecdsa.PublicKey:
				back, err := NewJWK(p, k.Kid)
				if err != nil {
					t.Fatalf("a decoded EC key does not encode: %v", err)
				}
				if back.X != k.X || back.Y != k.Y || back.Crv != k.Crv {
					t.Fatalf("EC key changed on the way back: %+v -> %+v", k, back)
				}
			default:
				t.Fatalf("unexpected key type %T", pub)
			}
		}
	})
}
