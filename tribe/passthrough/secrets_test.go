package passthrough

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
)

// Every config and every error of the signer and the passthrough check,
// formatted every way, holds no secret, key or token.
func TestNoSecretInAnyText(t *testing.T) {
	const secret = "CLIENT-SECRET-9f8e7d"
	hmacSecret := "HS256-SECRET-0123456789abcdef0123456789"
	rsaDER := x509.MarshalPKCS1PrivateKey(testKeys()["RS256"].(*rsa.PrivateKey))
	pemBody := base64.StdEncoding.EncodeToString(rsaDER)[:40]
	signed, err := (&Signer{Secret: []byte(hmacSecret)}).Sign(testUser)
	require.NoError(t, err)
	expired := hsJWT(t, jwt.MapClaims{"sub": "u", "exp": time.Now().Add(-time.Hour).Unix()})
	secrets := []string{secret, hmacSecret, pemBody, signed, expired,
		strings.Split(signed, ".")[2], strings.Split(expired, ".")[1]}

	values := []any{Signer{Secret: []byte(hmacSecret)}, &Signer{PrivateKey: testKeys()["RS256"]}}
	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }
	collect(Check(expired))
	collect(Check("Bearer " + signed))
	collect(Check(signed + "." + secret))
	collect(TokenSource(expired))
	collect((&Signer{Secret: []byte(hmacSecret[:20])}).Sign(testUser))
	collect((&Signer{Secret: []byte(hmacSecret), PrivateKey: testKeys()["ES256"]}).Sign(testUser))
	collect((&Signer{Secret: []byte(hmacSecret)}).JWK())
	collect(ParsePrivateKeyPEM([]byte("-----BEGIN PUBLIC KEY-----\n" + pemBody + "\n-----END PUBLIC KEY-----\n")))
	collect(ParsePrivateKeyPEM([]byte("-----BEGIN RSA PRIVATE KEY-----\n" + pemBody + "\n-----END RSA PRIVATE KEY-----\n")))
	collect(ParsePrivateKeyPEM([]byte(pemBody)))

	testenv.NoSecretInText(t, "passthrough: ", errs, values, secrets)
}
