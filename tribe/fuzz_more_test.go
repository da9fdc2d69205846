package tribe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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
			c, err := checkPassthroughJWT(tok, now)
			if err != nil {
				if c != nil {
					t.Fatalf("claims and an error both returned for %q", claims)
				}
				if !strings.HasPrefix(err.Error(), "tribe: ") {
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
				if !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("a bad JWK is not ErrInvalidInput: %v", err)
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

// FuzzOAuthErrorBody: whatever a token endpoint answers, a grant returns a
// token or an error of this package, never panics, and no error reachable
// from it holds the client secret, the password or the refresh token it was
// given, literally or URL-encoded.
func FuzzOAuthErrorBody(f *testing.F) {
	f.Add(400, "application/json", `{"error":"invalid_grant","error_description":"bad password p4ssw0rd-1"}`)
	f.Add(401, "application/json", `{"error":"invalid_client","error_description":"client_secret=cl13nt-s3cr3t"}`)
	f.Add(200, "application/json", `{"access_token":"a","token_type":"bearer","expires_in":"x"}`)
	f.Add(200, "application/x-www-form-urlencoded", `access_token=a&refresh_token=r`)
	f.Add(500, "text/html", `<html>cl13nt%2Ds3cr3t</html>`)
	f.Add(307, "text/plain", ``)
	f.Add(200, "application/json", `{"error":"x"}`)
	secrets := []string{"cl13nt-s3cr3t", "p4ssw0rd-1", "r3fr3sh-t0k3n"}
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		if status < 100 || status > 999 {
			status = 400
		}
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}},
				Body: io.NopCloser(bytes.NewReader([]byte(body))), Request: r}, nil
		})}
		once := RetryPolicy{MaxAttempts: 1}
		ctx := context.Background()
		for i, run := range []func() error{
			func() error {
				_, err := (&PasswordGrant{TokenURL: "https://c.example/t", ClientID: "id", ClientSecret: secrets[0], Username: "u", Password: secrets[1], HTTPClient: hc, Retry: once}).Token(ctx)
				return err
			},
			func() error {
				_, err := (&RefreshGrant{TokenURL: "https://c.example/t", ClientID: "id", ClientSecret: secrets[0], RefreshToken: secrets[2], HTTPClient: hc, Retry: once}).Token(ctx)
				return err
			},
		} {
			err := run()
			if err == nil {
				continue
			}
			if !strings.HasPrefix(err.Error(), "tribe: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			known := []string{secrets[0], secrets[1+i]} // what this grant was given
			walkErrors(err, func(e error) {
				for _, s := range known {
					for _, form := range []string{s, url.QueryEscape(s)} {
						if strings.Contains(e.Error(), form) {
							t.Fatalf("secret %q in a reachable error %T: %s", form, e, e.Error())
						}
					}
				}
			})
		}
	})
}

// walkErrors calls fn on err and on every error reachable from it through
// Unwrap.
func walkErrors(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), fn)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, fn)
		}
	}
}
