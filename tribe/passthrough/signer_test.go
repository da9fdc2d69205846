package passthrough

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/tribe"
)

var testUser = User{ID: "u-42", Name: "Ada Lovelace", Email: "ada@example.com"}

// testKeys are generated once per test binary; RSA generation is slow.
var testKeys = sync.OnceValue(func() map[string]crypto.Signer {
	must := func(k crypto.Signer, err error) crypto.Signer {
		if err != nil {
			panic(err)
		}
		return k
	}
	return map[string]crypto.Signer{
		"RS256": must(rsa.GenerateKey(rand.Reader, 2048)),
		"ES256": must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)),
		"ES384": must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)),
		"ES512": must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader)),
	}
})

// publicOf returns the key golang-jwt verifies alg with.
func publicOf(t *testing.T, s *Signer) any {
	t.Helper()
	if s.Secret != nil {
		return s.Secret
	}
	return s.PrivateKey.Public()
}

func TestSignerSignsWhatTribeReads(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	type tcase struct {
		name   string
		signer *Signer
		alg    string
		kid    string // "" means the thumbprint
	}
	cases := []tcase{{"HS256", &Signer{Secret: testHMACSecret, now: clock}, "HS256", ""}}
	for _, alg := range []string{"RS256", "ES256", "ES384", "ES512"} {
		cases = append(cases, tcase{alg, &Signer{PrivateKey: testKeys()[alg], now: clock}, alg, ""})
	}
	cases = append(cases, tcase{"RS256 with kid", &Signer{PrivateKey: testKeys()["RS256"], KeyID: "key-2026", Lifetime: 5 * time.Minute, now: clock}, "RS256", "key-2026"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := tc.signer.Sign(testUser)
			require.NoError(t, err)

			claims := jwt.MapClaims{}
			parsed, err := jwt.ParseWithClaims(signed, claims, func(*jwt.Token) (any, error) { return publicOf(t, tc.signer), nil },
				jwt.WithValidMethods([]string{tc.alg}), jwt.WithTimeFunc(clock), jwt.WithIssuedAt())
			require.NoError(t, err)
			assert.True(t, parsed.Valid)

			lifetime := tc.signer.Lifetime
			if lifetime == 0 {
				lifetime = DefaultLifetime
			}
			assert.Equal(t, jwt.MapClaims{
				"sub": testUser.ID, "name": testUser.Name, "email": testUser.Email,
				"iat": float64(now.Unix()), "exp": float64(now.Add(lifetime).Unix()),
			}, claims)

			kid, hasKid := parsed.Header["kid"]
			switch {
			case tc.alg == "HS256":
				assert.False(t, hasKid, "an HS256 JWT has no kid")
			case tc.kid != "":
				assert.Equal(t, tc.kid, kid)
			default:
				thumb, err := Thumbprint(tc.signer.PrivateKey.Public())
				require.NoError(t, err)
				assert.Equal(t, thumb, kid)
			}

			// What the signer signs, the passthrough check accepts.
			c, err := checkClaims(signed, now)
			require.NoError(t, err)
			assert.Equal(t, testUser.ID, c.Subject)
			assert.Equal(t, tc.alg, c.Algorithm)
		})
	}
}

func TestSignerDefaultLifetimeIsShort(t *testing.T) {
	s := &Signer{Secret: testHMACSecret}
	signed, err := s.Sign(testUser)
	require.NoError(t, err)
	c, err := Check(signed)
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, c.ExpiresAt.Sub(c.IssuedAt))
	assert.Equal(t, 60*time.Second, DefaultLifetime)
}

func TestSignerTokenSourceResignsWhenExpiring(t *testing.T) {
	// The source decides by the real clock (x/oauth2's), the signer signs
	// by this one; setting it back makes a token that is nearly expired.
	var mu sync.Mutex
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }

	s := &Signer{Secret: testHMACSecret, now: clock}
	ts, err := s.TokenSource(testUser)
	require.NoError(t, err)

	first, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, clock().Add(DefaultLifetime), first.Expiry)
	assert.Equal(t, "Bearer", first.Type())
	assert.True(t, first.Valid())

	set(now.Add(time.Second))
	again, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, first.AccessToken, again.AccessToken, "reused while well within its lifetime")

	// A source whose token has 5 s left signs a new one.
	set(time.Now().Truncate(time.Second).Add(-DefaultLifetime + 5*time.Second))
	ts, err = s.TokenSource(testUser)
	require.NoError(t, err)
	old, err := ts.Token()
	require.NoError(t, err)
	assert.False(t, old.Valid(), "under 10 s left: a Client would not send it")
	set(time.Now().Truncate(time.Second))
	next, err := ts.Token()
	require.NoError(t, err)
	assert.NotEqual(t, old.AccessToken, next.AccessToken)
	assert.True(t, next.Valid())
	c, err := checkClaims(next.AccessToken, clock())
	require.NoError(t, err)
	assert.True(t, clock().Equal(c.IssuedAt), "iat %s, want %s", c.IssuedAt, clock())

	// Changing the signer afterwards does not affect the source.
	s.Secret = nil
	_, err = ts.Token()
	require.NoError(t, err)
}

// A lifetime of 10 s or less still gives tokens a Client accepts: the
// source's early margin is carried by the tokens.
func TestSignerShortLifetimeTokensAreValid(t *testing.T) {
	ts, err := (&Signer{Secret: testHMACSecret, Lifetime: 4 * time.Second}).TokenSource(testUser)
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.True(t, tok.Valid())
	again, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, again.AccessToken)
}

func TestSignerBadInput(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		signer *Signer
		user   User
		want   string
	}{
		{"no key", &Signer{}, testUser, "set Signer.Secret to an HS256 secret or Signer.PrivateKey"},
		{"both keys", &Signer{Secret: testHMACSecret, PrivateKey: testKeys()["ES256"]}, testUser, "not both"},
		{"short secret", &Signer{Secret: []byte("short")}, testUser, "HS256 needs at least 32"},
		{"small RSA key", &Signer{PrivateKey: small}, testUser, "at least 2048 bits"},
		{"P-224 key", &Signer{PrivateKey: p224}, testUser, "not P-256, P-384 or P-521"},
		{"Ed25519 key", &Signer{PrivateKey: edKey}, testUser, "give an RSA or EC key"},
		{"lifetime under a second", &Signer{Secret: testHMACSecret, Lifetime: 500 * time.Millisecond}, testUser, "under two seconds"},
		{"lifetime under two seconds", &Signer{Secret: testHMACSecret, Lifetime: 1500 * time.Millisecond}, testUser, "under two seconds"},
		{"negative lifetime", &Signer{Secret: testHMACSecret, Lifetime: -time.Minute}, testUser, "under two seconds"},
		{"nil signer", nil, testUser, "nil *Signer"},
		{"user with nothing", &Signer{Secret: testHMACSecret}, User{}, "has no ID, Name, Email"},
		{"user without email", &Signer{Secret: testHMACSecret}, User{ID: "u", Name: "n"}, "has no Email"},
		{"user with a bad email", &Signer{Secret: testHMACSecret}, User{ID: "u", Name: "n", Email: "ada"}, "not an email address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.signer.Sign(tc.user)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "passthrough: "), err.Error())
			assert.NotContains(t, err.Error(), string(testHMACSecret))
			_, err = tc.signer.TokenSource(tc.user)
			require.ErrorIs(t, err, tribe.ErrInvalidInput, "TokenSource checks up front")
		})
	}
}

func pemOf(t *testing.T, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePrivateKeyPEM(t *testing.T) {
	rsaKey := testKeys()["RS256"].(*rsa.PrivateKey)
	ecKey := testKeys()["ES256"].(*ecdsa.PrivateKey)
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return der
	}
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	require.NoError(t, err)
	ecParams := pemOf(t, "EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})

	for _, tc := range []struct {
		name string
		pem  []byte
		want crypto.Signer
	}{
		{"PKCS #1 RSA", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)), rsaKey},
		{"PKCS #8 RSA", pemOf(t, "PRIVATE KEY", pkcs8(rsaKey)), rsaKey},
		{"SEC 1 EC", pemOf(t, "EC PRIVATE KEY", sec1), ecKey},
		{"SEC 1 EC after EC PARAMETERS", append(ecParams, pemOf(t, "EC PRIVATE KEY", sec1)...), ecKey},
		{"PKCS #8 EC", pemOf(t, "PRIVATE KEY", pkcs8(ecKey)), ecKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrivateKeyPEM(tc.pem)
			require.NoError(t, err)
			assert.True(t, tc.want.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(got.Public()))
		})
	}

	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.Public())
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		pem  []byte
		want string
	}{
		{"not PEM", []byte("hello"), "no PEM private key found"},
		{"empty", nil, "no PEM private key found"},
		{"public key", pemOf(t, "PUBLIC KEY", pubDER), "holds a public key, not a private key"},
		{"encrypted PKCS #8", pemOf(t, "ENCRYPTED PRIVATE KEY", []byte("opaque")), "is encrypted"},
		{"encrypted legacy", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte("opaque")}), "is encrypted"},
		{"Ed25519", pemOf(t, "PRIVATE KEY", pkcs8(edKey)), "not an RSA or EC private key"},
		{"garbage in an RSA block", pemOf(t, "RSA PRIVATE KEY", []byte("garbage-key-bytes")), "not an RSA or EC private key"},
		{"small RSA key", pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "at least 2048 bits"},
		{"other block", pemOf(t, "OPENSSH PRIVATE KEY", []byte("x")), `"OPENSSH PRIVATE KEY", not a private key`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivateKeyPEM(tc.pem)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			if lines := strings.Split(string(tc.pem), "\n"); len(lines) > 2 {
				assert.NotContains(t, err.Error(), lines[1], "no key material in the text")
			}
		})
	}
}

func TestSignerStringHidesTheKey(t *testing.T) {
	for _, s := range []Signer{
		{Secret: testHMACSecret, Lifetime: time.Minute},
		{PrivateKey: testKeys()["RS256"], KeyID: "k1"},
		{PrivateKey: testKeys()["ES256"]},
	} {
		for _, out := range []string{s.String(), s.GoString()} {
			assert.NotContains(t, out, string(testHMACSecret))
			assert.Contains(t, out, "[REDACTED]")
		}
	}
}
