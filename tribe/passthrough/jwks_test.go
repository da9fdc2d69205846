package passthrough

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/tribe"
)

// The RSA key of RFC 7638 section 3.1 (also RFC 7517 appendix A.1) and its
// thumbprint.
const (
	rfc7638N     = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumb = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

func TestJWKThumbprintRFC7638Vector(t *testing.T) {
	pub, err := JWK{Kty: "RSA", N: rfc7638N, E: "AQAB", Kid: "2011-04-29"}.PublicKey()
	require.NoError(t, err)
	got, err := Thumbprint(pub)
	require.NoError(t, err)
	assert.Equal(t, rfc7638Thumb, got)

	k, err := NewJWK(pub, "")
	require.NoError(t, err)
	assert.Equal(t, JWK{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: rfc7638Thumb, N: rfc7638N, E: "AQAB"}, k)
}

// fetchJWKS serves keys with JWKSHandler on httptest and reads the set back
// as a verifier would: JSON in, keys by kid out.
func fetchJWKS(t *testing.T, keys ...JWK) (map[string]crypto.PublicKey, []map[string]any) {
	t.Helper()
	srv := httptest.NewServer(JWKSHandler(keys...))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/.well-known/jwks.json")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))

	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	var set JWKSet
	body := json.NewDecoder(res.Body)
	var msg json.RawMessage
	require.NoError(t, body.Decode(&msg))
	require.NoError(t, json.Unmarshal(msg, &raw))
	require.NoError(t, json.Unmarshal(msg, &set))
	byKid := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		pub, err := k.PublicKey()
		require.NoError(t, err)
		byKid[k.Kid] = pub
	}
	return byKid, raw.Keys
}

func TestJWKSFromHandlerVerifiesWhatTheSignerSigned(t *testing.T) {
	var signers []*Signer
	var jwks []JWK
	for _, alg := range []string{"RS256", "ES256", "ES384", "ES512"} {
		s := &Signer{PrivateKey: testKeys()[alg]}
		k, err := s.JWK()
		require.NoError(t, err)
		signers, jwks = append(signers, s), append(jwks, k)
	}
	byKid, raw := fetchJWKS(t, jwks...)
	require.Len(t, raw, 4)

	// The document carries kty, kid, alg, use and the public parameters,
	// and nothing private.
	for i, k := range raw {
		assert.Equal(t, "sig", k["use"])
		assert.Equal(t, jwks[i].Alg, k["alg"])
		assert.NotEmpty(t, k["kid"])
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			assert.NotContains(t, k, private)
		}
		switch k["kty"] {
		case "RSA":
			assert.Equal(t, "AQAB", k["e"])
			assert.NotEmpty(t, k["n"])
		case "EC":
			size := map[string]int{"P-256": 32, "P-384": 48, "P-521": 66}[k["crv"].(string)]
			require.NotZero(t, size, "crv %v", k["crv"])
			for _, c := range []string{"x", "y"} {
				b, err := base64.RawURLEncoding.DecodeString(k[c].(string))
				require.NoError(t, err)
				assert.Len(t, b, size, "%s of %s must be the curve's full length", c, k["crv"])
			}
		default:
			t.Errorf("kty %v", k["kty"])
		}
	}

	for i, s := range signers {
		t.Run(jwks[i].Alg, func(t *testing.T) {
			signed, err := s.Sign(testUser)
			require.NoError(t, err)
			claims := jwt.MapClaims{}
			tok, err := jwt.ParseWithClaims(signed, claims, func(tok *jwt.Token) (any, error) {
				kid, _ := tok.Header["kid"].(string)
				pub, ok := byKid[kid]
				if !ok {
					t.Errorf("kid %q is not in the JWKS", kid)
				}
				return pub, nil
			}, jwt.WithValidMethods([]string{jwks[i].Alg}))
			require.NoError(t, err)
			assert.True(t, tok.Valid)
			assert.Equal(t, testUser.ID, claims["sub"])

			// The key read back from the JWKS is the signer's key.
			pub := byKid[jwks[i].Kid]
			switch want := s.PrivateKey.Public().(type) {
			case *rsa.PublicKey:
				assert.True(t, want.Equal(pub))
			case *ecdsa.PublicKey:
				assert.True(t, want.Equal(pub))
			}

			// A JWT signed by another key of the same kind, claiming the
			// same kid, does not verify.
			var otherKey crypto.Signer
			switch k := s.PrivateKey.(type) {
			case *rsa.PrivateKey:
				otherKey, err = rsa.GenerateKey(rand.Reader, 2048)
			case *ecdsa.PrivateKey:
				otherKey, err = ecdsa.GenerateKey(k.Curve, rand.Reader)
			}
			require.NoError(t, err)
			forged, err := (&Signer{PrivateKey: otherKey, KeyID: jwks[i].Kid}).Sign(testUser)
			require.NoError(t, err)
			_, err = jwt.Parse(forged, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{jwks[i].Alg}))
			assert.ErrorIs(t, err, jwt.ErrTokenSignatureInvalid)
		})
	}
}

func TestJWKSHandlerMethods(t *testing.T) {
	k, err := (&Signer{PrivateKey: testKeys()["ES256"]}).JWK()
	require.NoError(t, err)
	h := JWKSHandler(k)
	for _, tc := range []struct {
		method string
		status int
		body   bool
	}{
		{http.MethodGet, 200, true},
		{http.MethodHead, 200, false},
		{http.MethodPost, 405, false},
		{http.MethodDelete, 405, false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/jwks", nil))
			assert.Equal(t, tc.status, rec.Code)
			if tc.status == 405 {
				assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
			}
			assert.Equal(t, tc.body, strings.Contains(rec.Body.String(), `"keys"`))
		})
	}

	// No keys is an empty set, not null.
	rec := httptest.NewRecorder()
	JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.JSONEq(t, `{"keys":[]}`, rec.Body.String())
}

func TestSignerJWKRefusesHS256(t *testing.T) {
	_, err := (&Signer{Secret: testHMACSecret}).JWK()
	require.ErrorIs(t, err, tribe.ErrInvalidInput)
	assert.Contains(t, err.Error(), "no public key to publish")
}

func TestJWKPublicKeyRefusesBadKeys(t *testing.T) {
	good, err := (&Signer{PrivateKey: testKeys()["ES256"]}).JWK()
	require.NoError(t, err)
	offCurve := good
	offCurve.Y = good.X
	short := good
	short.X = good.X[:10]
	for _, tc := range []struct {
		name string
		k    JWK
		want string
	}{
		{"unknown kty", JWK{Kty: "oct"}, "unsupported kty"},
		{"unknown curve", JWK{Kty: "EC", Crv: "P-192"}, "unsupported curve"},
		{"point off the curve", offCurve, "not on curve"},
		{"short coordinate", short, "32 bytes each"},
		{"RSA without n", JWK{Kty: "RSA", E: "AQAB"}, "n or e"},
		{"RSA with even e", JWK{Kty: "RSA", N: rfc7638N, E: "AQA"}, "odd exponent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.k.PublicKey()
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
