package jwk

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		ec, err := ecdsa.GenerateKey(c, rand.Reader)
		require.NoError(t, err)
		k, err := New(&ec.PublicKey, "ES", "")
		require.NoError(t, err)
		assert.Equal(t, k.Thumbprint(), k.Kid, "an empty kid is the thumbprint")
		pub, err := k.PublicKey()
		require.NoError(t, err)
		assert.True(t, ec.PublicKey.Equal(pub))
	}
	k, err := New(&rsaKey.PublicKey, "RS256", "kid-1")
	require.NoError(t, err)
	assert.Equal(t, Key{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: "kid-1", N: k.N, E: "AQAB"}, k)
	pub, err := k.PublicKey()
	require.NoError(t, err)
	assert.True(t, rsaKey.PublicKey.Equal(pub))

	_, err = New("not a key", "x", "")
	assert.ErrorContains(t, err, "give an RSA or EC public key")
}

// TestThumbprintRFC7638 checks the example of RFC 7638 section 3.1.
func TestThumbprintRFC7638(t *testing.T) {
	k := Key{Kty: "RSA", E: "AQAB", N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}
	assert.Equal(t, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", k.Thumbprint())
}

func TestPublicKeyRefusesBadKeys(t *testing.T) {
	big8193 := base64.RawURLEncoding.EncodeToString(new(big.Int).Lsh(big.NewInt(1), 8200).Bytes())
	cases := map[string]Key{
		"even exponent":    {Kty: "RSA", N: "sXch", E: "Ag"},
		"exponent 1":       {Kty: "RSA", N: "sXch", E: "AQ"},
		"exponent too big": {Kty: "RSA", N: "sXch", E: "AQAAAAAB"},
		"modulus too big":  {Kty: "RSA", N: big8193, E: "AQAB"},
		"not base64":       {Kty: "RSA", N: "!!", E: "AQAB"},
		"unknown curve":    {Kty: "EC", Crv: "P-999", X: "AA", Y: "AA"},
		"short coordinate": {Kty: "EC", Crv: "P-256", X: "AA", Y: "AA"},
		"off the curve":    {Kty: "EC", Crv: "P-256", X: base64.RawURLEncoding.EncodeToString(make([]byte, 32)), Y: base64.RawURLEncoding.EncodeToString(make([]byte, 32))},
		"unknown kty":      {Kty: "OKP"},
	}
	for name, k := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := k.PublicKey()
			assert.Error(t, err)
		})
	}
}
