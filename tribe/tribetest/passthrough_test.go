package tribetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const productSecret = "product-hs256-secret-of-enough-length"

func productToken(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func pemOf(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwksServer serves a JWKS with an RSA and an EC key and counts fetches.
func jwksServer(t *testing.T, rsaKey *rsa.PublicKey, ecKey *ecdsa.PublicKey) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var fetches atomic.Int32
	pt, err := ecKey.Bytes() // 0x04 || X || Y
	require.NoError(t, err)
	doc := map[string]any{"keys": []any{
		map[string]any{"kty": "oct", "kid": "skip-me", "k": "AAAA"},
		map[string]any{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256", "n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())},
		map[string]any{"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])},
	}}
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(doc); err != nil {
			t.Errorf("jwks: %v", err)
		}
	}))
	t.Cleanup(js.Close)
	return js, &fetches
}

func TestJWTPassthrough(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	js, fetches := jwksServer(t, &rsaKey.PublicKey, &ecKey.PublicKey)

	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	claims := func(sub, email string, extra ...any) jwt.MapClaims {
		c := jwt.MapClaims{"sub": sub, "name": "Product User", "email": email, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		for i := 0; i+1 < len(extra); i += 2 {
			c[extra[i].(string)] = extra[i+1]
		}
		return c
	}

	tests := []struct {
		name   string
		jwt    *JWTConfig
		token  func() string
		member string // "" for refused; "new" for a created member
	}{
		{"HS256, known sub", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("ext-carol", "carol@example.com"))
			}, PlainMemberID},
		{"HS256, known email", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("u-99", "ALICE@example.com"))
			}, AdminMemberID},
		{"HS256, unknown sub creates the member", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("u-new", "new.person@example.com"))
			}, "new"},
		{"HS256, wrong secret", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte("another-secret-entirely-wrong!!"), "", claims("ext-carol", ""))
			}, ""},
		{"HS256, expired", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("ext-carol", "", "exp", now.Add(-time.Second).Unix()))
			}, ""},
		{"HS256, issued in the future", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("ext-carol", "", "iat", now.Add(time.Hour).Unix()))
			}, ""},
		{"HS256, no sub", &JWTConfig{HS256Secret: productSecret},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("", "carol@example.com"))
			}, ""},
		{"HS256, issuer matches", &JWTConfig{HS256Secret: productSecret, Issuer: "https://product"},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("ext-carol", "", "iss", "https://product"))
			}, PlainMemberID},
		{"HS256, issuer differs", &JWTConfig{HS256Secret: productSecret, Issuer: "https://product"},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", claims("ext-carol", "", "iss", "https://evil"))
			}, ""},
		{"RSA public key", &JWTConfig{PublicKeyPEM: pemOf(t, &rsaKey.PublicKey)},
			func() string { return productToken(t, jwt.SigningMethodRS256, rsaKey, "", claims("ext-bob", "")) }, ModeratorMemberID},
		{"RSA key, HS256 token signed with the PEM (alg confusion)", &JWTConfig{PublicKeyPEM: pemOf(t, &rsaKey.PublicKey)},
			func() string {
				return productToken(t, jwt.SigningMethodHS256, []byte(pemOf(t, &rsaKey.PublicKey)), "", claims("ext-bob", ""))
			}, ""},
		{"EC public key", &JWTConfig{PublicKeyPEM: pemOf(t, &ecKey.PublicKey)},
			func() string { return productToken(t, jwt.SigningMethodES256, ecKey, "", claims("ext-bob", "")) }, ModeratorMemberID},
		{"JWKS, RSA by kid", &JWTConfig{JWKSURL: js.URL},
			func() string {
				return productToken(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", claims("ext-alice", ""))
			}, AdminMemberID},
		{"JWKS, EC without kid", &JWTConfig{JWKSURL: js.URL},
			func() string { return productToken(t, jwt.SigningMethodES256, ecKey, "", claims("ext-alice", "")) }, AdminMemberID},
		{"JWKS, unknown key", &JWTConfig{JWKSURL: js.URL},
			func() string {
				return productToken(t, jwt.SigningMethodES256, otherEC, "ec-1", claims("ext-alice", ""))
			}, ""},
		{"JWKS, unknown kid", &JWTConfig{JWKSURL: js.URL},
			func() string { return productToken(t, jwt.SigningMethodES256, ecKey, "ec-2", claims("ext-alice", "")) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := DefaultFixtures()
			fx.Networks[0].JWT = tc.jwt
			s := setup(t, WithFixtures(fx), WithClock(func() time.Time { return now }))
			r := gql(t, s, s.URL, bearer(tc.token()), `{ authMember { id name email externalId status role { type } } }`, nil)
			if tc.member == "" {
				assert.Equal(t, []string{"108"}, r.codes(), r.Raw)
				assert.Len(t, s.Members(), 5, "no member created")
				return
			}
			require.Empty(t, r.Errors, r.Raw)
			id := path(r.Data, "authMember", "id").(string)
			if tc.member != "new" {
				assert.Equal(t, tc.member, id)
			} else {
				m, ok := s.Member(id)
				require.True(t, ok)
				assert.Equal(t, DefaultNetworkID, m.NetworkID)
				assert.Equal(t, "u-new", m.ExternalID)
				assert.Equal(t, "Product User", m.Name)
				assert.Equal(t, "new.person", m.Username)
				assert.Equal(t, "new.person@example.com", m.Email)
				assert.Equal(t, "role-member", m.RoleID)
				assert.Equal(t, now, m.CreatedAt)
				assert.Len(t, s.Members(), 6)
				// The same sub acts as the same member afterwards.
				r2 := gql(t, s, s.URL, bearer(tc.token()), `{ authMember { id } }`, nil)
				assert.Equal(t, id, path(r2.Data, "authMember", "id"))
				assert.Len(t, s.Members(), 6)
			}
			recs := s.Requests()
			assert.Equal(t, AuthJWTPassthrough, recs[0].Auth)
			assert.Equal(t, id, recs[0].MemberID)
			assert.Equal(t, DefaultNetworkID, recs[0].NetworkID)
		})
	}
	assert.Positive(t, fetches.Load())
}

func TestJWTPassthroughJWKSCache(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	js, fetches := jwksServer(t, &rsaKey.PublicKey, &ecKey.PublicKey)
	fx := DefaultFixtures()
	fx.Networks[0].JWT = &JWTConfig{JWKSURL: js.URL}
	s := setup(t, WithFixtures(fx))
	tok := func(kid string) string {
		return productToken(t, jwt.SigningMethodRS256, rsaKey, kid, jwt.MapClaims{"sub": "ext-bob", "iat": time.Now().Unix()})
	}
	for range 3 {
		r := gql(t, s, s.URL, bearer(tok("rsa-1")), `{ authMember { id } }`, nil)
		require.Empty(t, r.Errors, r.Raw)
	}
	assert.EqualValues(t, 1, fetches.Load(), "cached")
	gql(t, s, s.URL, bearer(tok("rotated")), `{ authMember { id } }`, nil)
	assert.EqualValues(t, 1, fetches.Load(), "an unknown kid does not fetch a document just fetched")
	s.Advance(jwksRefetchAfter)
	gql(t, s, s.URL, bearer(tok("rotated")), `{ authMember { id } }`, nil)
	assert.EqualValues(t, 2, fetches.Load(), "an unknown kid fetches a document older than jwksRefetchAfter again")
	gql(t, s, s.URL, bearer(tok("rotated-again")), `{ authMember { id } }`, nil)
	assert.EqualValues(t, 2, fetches.Load(), "but not twice in a row")
	s.Advance(jwksTTL + time.Second)
	gql(t, s, s.URL, bearer(tok("rsa-1")), `{ authMember { id } }`, nil)
	assert.EqualValues(t, 3, fetches.Load(), "stale after the TTL")
}

func TestJWTPassthroughSeveralNetworks(t *testing.T) {
	fx := DefaultFixtures()
	fx.Networks[0].JWT = &JWTConfig{HS256Secret: "first-network-secret-0123456789ab"}
	fx.Networks[1].JWT = &JWTConfig{HS256Secret: productSecret, DefaultRoleID: "moderator"}
	s := setup(t, WithFixtures(fx))
	tok := productToken(t, jwt.SigningMethodHS256, []byte(productSecret), "", jwt.MapClaims{"sub": "p-1", "name": "Zoe", "iat": time.Now().Unix()})
	r := gql(t, s, s.URL, bearer(tok), `{ authMember { id networkId username role { type } } network { id } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Equal(t, OtherNetworkID, path(r.Data, "authMember", "networkId"), "the network whose key verifies")
	assert.Equal(t, "zoe", path(r.Data, "authMember", "username"))
	assert.Equal(t, "moderator", path(r.Data, "authMember", "role", "type"))
	assert.Equal(t, OtherNetworkID, path(r.Data, "network", "id"))
}

func TestJWTConfigInvalid(t *testing.T) {
	tests := map[string]JWTConfig{
		"none":        {},
		"two":         {HS256Secret: "x", JWKSURL: "https://x"},
		"bad pem":     {PublicKeyPEM: "not pem"},
		"bad url":     {JWKSURL: "ftp://x"},
		"bad role":    {HS256Secret: productSecret, DefaultRoleID: "nope"},
		"private key": {PublicKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
		// The mock refuses what tribe-token jwt sign (package passthrough's
		// Signer) refuses: an HS256 secret shorter than 32 bytes.
		"short HS256 secret": {HS256Secret: "0123456789abcdef0123456789abcde"},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			fx := DefaultFixtures()
			fx.Networks[0].JWT = &cfg
			err := fx.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "tribetest: ")
			if name == "short HS256 secret" {
				assert.Contains(t, err.Error(), "hs256Secret is 31 bytes; HS256 needs at least 32")
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	for name, doc := range map[string]string{
		"not JSON":      `nope`,
		"no keys":       `{"keys":[]}`,
		"only oct":      `{"keys":[{"kty":"oct","k":"AAAA"}]}`,
		"bad modulus":   `{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}`,
		"even e":        `{"keys":[{"kty":"RSA","n":"AQAB","e":"Ag"}]}`,
		"bad curve":     `{"keys":[{"kty":"EC","crv":"P-1","x":"AA","y":"AA"}]}`,
		"short x":       `{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`,
		"off-curve":     `{"keys":[{"kty":"EC","crv":"P-256","x":"` + b64(make([]byte, 32)) + `","y":"` + b64(make([]byte, 32)) + `"}]}`,
		"encryption":    `{"keys":[{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"}]}`,
		"huge modulus":  `{"keys":[{"kty":"RSA","n":"` + b64(make([]byte, 1025)) + `","e":"AQAB"}]}`,
		"too many keys": `{"keys":[` + strings.Repeat(`{"kty":"oct","k":"AAAA"},`, 100) + `{"kty":"oct","k":"AAAA"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseJWKS([]byte(doc))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "tribetest: jwks: "), err.Error())
		})
	}
}

// TestParseJWKSKeeps: the RSA and EC signature keys are kept, with their
// kid and alg, others skipped; a bad key's error names it, clipped.
func TestParseJWKSKeeps(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ec := mustEC(t)
	pt, err := ec.Bytes()
	require.NoError(t, err)
	doc, err := json.Marshal(map[string]any{"keys": []any{
		map[string]any{"kty": "oct", "kid": "skip-oct", "k": "AAAA"},
		map[string]any{"kty": "OKP", "kid": "skip-okp", "crv": "Ed25519", "x": "AAAA"},
		map[string]any{"kty": "RSA", "kid": "skip-enc", "use": "enc", "n": "!!", "e": "AQAB"},
		map[string]any{"kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256", "n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())},
		map[string]any{"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])},
	}})
	require.NoError(t, err)
	keys, err := parseJWKS(doc)
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, "rsa-1", keys[0].kid)
	assert.Equal(t, "RS256", keys[0].alg)
	assert.True(t, rsaKey.PublicKey.Equal(keys[0].key))
	assert.Equal(t, "ec-1", keys[1].kid)
	assert.Empty(t, keys[1].alg)
	assert.True(t, ec.Equal(keys[1].key))

	long := strings.Repeat("k", 10000)
	_, err = parseJWKS([]byte(`{"keys":[{"kty":"RSA","kid":"` + long + `","n":"!!","e":"AQAB"}]}`))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), `tribetest: jwks: key "kkkk`), err.Error())
	assert.Less(t, len(err.Error()), 200, "the kid is clipped")
}
