package passthrough_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tribekit/tribekit/tribe/passthrough"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

const productSecret = "product-hs256-secret-0123456789abcdef"

// newPassthroughServer starts a tribetest server whose default community
// accepts JWTs verified as cfg says.
func newPassthroughServer(t *testing.T, cfg tribetest.JWTConfig) *tribetest.Server {
	t.Helper()
	fx := tribetest.DefaultFixtures()
	for i := range fx.Networks {
		if fx.Networks[i].ID == tribetest.DefaultNetworkID {
			fx.Networks[i].JWT = &cfg
		}
	}
	srv := tribetest.NewServer(tribetest.WithFixtures(fx))
	t.Cleanup(srv.Close)
	return srv
}

func publicPEM(t *testing.T, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// authMember asks the server who ts's token acts as.
func authMember(t *testing.T, srv *tribetest.Server, ts oauth2.TokenSource) (*tribe.Member, error) {
	t.Helper()
	c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	return c.AuthMember(context.Background())
}

func TestPassthroughJWTAcceptedByTribetest(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)

	// JWKS served by this package's handler, on httptest.
	jwk, err := (&passthrough.Signer{PrivateKey: ec384}).JWK()
	require.NoError(t, err)
	rsaJWK, err := (&passthrough.Signer{PrivateKey: rsaKey, KeyID: "rsa-2026"}).JWK()
	require.NoError(t, err)
	jwks := httptest.NewServer(passthrough.JWKSHandler(rsaJWK, jwk))
	t.Cleanup(jwks.Close)

	for _, tc := range []struct {
		name   string
		cfg    tribetest.JWTConfig
		signer *passthrough.Signer
	}{
		{"HS256 secret", tribetest.JWTConfig{HS256Secret: productSecret}, &passthrough.Signer{Secret: []byte(productSecret)}},
		{"RSA public key", tribetest.JWTConfig{PublicKeyPEM: publicPEM(t, rsaKey)}, &passthrough.Signer{PrivateKey: rsaKey}},
		{"EC public key", tribetest.JWTConfig{PublicKeyPEM: publicPEM(t, ecKey)}, &passthrough.Signer{PrivateKey: ecKey}},
		{"JWKS, EC", tribetest.JWTConfig{JWKSURL: jwks.URL}, &passthrough.Signer{PrivateKey: ec384}},
		{"JWKS, RSA with kid", tribetest.JWTConfig{JWKSURL: jwks.URL}, &passthrough.Signer{PrivateKey: rsaKey, KeyID: "rsa-2026"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newPassthroughServer(t, tc.cfg)

			// A known user: sub is the member's external id.
			signed, err := tc.signer.Sign(passthrough.User{ID: "ext-carol", Name: "Carol", Email: "carol@example.com"})
			require.NoError(t, err)
			ts, err := passthrough.TokenSource(signed)
			require.NoError(t, err)
			m, err := authMember(t, srv, ts)
			require.NoError(t, err)
			assert.Equal(t, tribetest.PlainMemberID, m.ID)
			assert.Equal(t, "ext-carol", m.ExternalID)
			reqs := srv.Requests()
			require.NotEmpty(t, reqs)
			assert.Equal(t, tribetest.AuthJWTPassthrough, reqs[len(reqs)-1].Auth)

			// An unknown user is created from the claims, once.
			newUser := passthrough.User{ID: "product-user-" + tc.name, Name: "Grace Hopper", Email: "grace@example.com"}
			sts, err := tc.signer.TokenSource(newUser)
			require.NoError(t, err)
			created, err := authMember(t, srv, sts)
			require.NoError(t, err)
			assert.Equal(t, newUser.ID, created.ExternalID)
			assert.Equal(t, "Grace Hopper", created.Name)
			assert.Equal(t, "grace@example.com", created.Email)
			assert.Equal(t, tribetest.DefaultNetworkID, created.NetworkID)
			again, err := authMember(t, srv, sts)
			require.NoError(t, err)
			assert.Equal(t, created.ID, again.ID, "the second call finds the member the first created")
		})
	}
}

func TestPassthroughRefusals(t *testing.T) {
	srv := newPassthroughServer(t, tribetest.JWTConfig{HS256Secret: productSecret})
	now := time.Now()
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(productSecret))
		require.NoError(t, err)
		return s
	}

	t.Run("missing claims are all named, before any request", func(t *testing.T) {
		srv.Reset()
		_, err := passthrough.TokenSource(sign(jwt.MapClaims{"sub": "ext-carol", "exp": now.Add(time.Minute).Unix()}))
		var je *passthrough.Error
		require.ErrorAs(t, err, &je)
		assert.Equal(t, []string{"name", "iat", "email"}, je.Fields())
		assert.ErrorIs(t, err, tribe.ErrInvalidInput)
		assert.Contains(t, err.Error(), "name is missing; iat is missing; email is missing")
		assert.Empty(t, srv.Requests())
	})

	expired := sign(jwt.MapClaims{"sub": "ext-carol", "name": "Carol", "email": "carol@example.com", "iat": now.Add(-2 * time.Minute).Unix(), "exp": now.Add(-time.Minute).Unix()})
	t.Run("expired JWT is refused here", func(t *testing.T) {
		_, err := passthrough.TokenSource(expired)
		require.ErrorIs(t, err, tribe.ErrInvalidToken)
		assert.Contains(t, err.Error(), "expired")
	})
	t.Run("expired JWT is refused by the server too", func(t *testing.T) {
		_, err := authMember(t, srv, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: expired}))
		require.ErrorIs(t, err, tribe.ErrInvalidToken)
	})
	t.Run("JWT signed with another secret", func(t *testing.T) {
		other, err := (&passthrough.Signer{Secret: []byte("another-secret-0123456789abcdef-xyz")}).Sign(passthrough.User{ID: "ext-carol", Name: "Carol", Email: "carol@example.com"})
		require.NoError(t, err)
		ts, err := passthrough.TokenSource(other)
		require.NoError(t, err, "the signature is not checked here")
		_, err = authMember(t, srv, ts)
		require.ErrorIs(t, err, tribe.ErrInvalidToken)
	})
}
