package root

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// hsSecret is the HS256 secret of these tests.
const hsSecret = "0123456789abcdef0123456789abcdef-hs256"

// writeFile writes data to a new file in a temporary directory.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
	return p
}

// ecKeyPEM returns a new P-256 private key as PKCS #8 PEM.
func ecKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestJWTSignAndCheck(t *testing.T) {
	secretFile := writeFile(t, "hs", hsSecret+"\n")
	keyFile := writeFile(t, "key.pem", ecKeyPEM(t))
	user := []string{"--sub", "u-42", "--name", "Ada L", "--email", "ada@example.com"}
	tests := []struct {
		name string
		inv  invocation
		alg  string
		kid  bool
		ttl  time.Duration
	}{
		{"hs256", invocation{args: append(args("jwt", "sign", "--hs256-secret-file", secretFile), user...)}, "HS256", false, time.Minute},
		{"hs256 on stdin", invocation{stdin: hsSecret, args: append(args("jwt", "sign", "--hs256-secret-file", "-", "--ttl", "5m"), user...)}, "HS256", false, 5 * time.Minute},
		{"es256", invocation{args: append(args("jwt", "sign", "--private-key-file", keyFile), user...)}, "ES256", true, time.Minute},
		{"es256 kid", invocation{args: append(args("jwt", "sign", "--private-key-file", keyFile, "--kid", "k1"), user...)}, "ES256", true, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.inv)
			requireOK(t, r)
			tok := strings.TrimSpace(r.stdout)

			c := run(t, invocation{stdin: tok, args: args("jwt", "check", "--token-file", "-", "-o", "json")})
			requireOK(t, c)
			var out jwtCheckResult
			require.NoError(t, json.Unmarshal([]byte(c.stdout), &out))
			assert.True(t, out.OK)
			assert.False(t, out.Verified)
			assert.Equal(t, tt.alg, out.Algorithm)
			assert.Equal(t, tt.kid, out.KeyID != "")
			assert.Equal(t, "u-42", out.Subject)
			assert.Equal(t, "Ada L", out.Name)
			assert.Equal(t, "ada@example.com", out.Email)
			iat, err := time.Parse(time.RFC3339, out.IssuedAt)
			require.NoError(t, err)
			exp, err := time.Parse(time.RFC3339, out.Expiry)
			require.NoError(t, err)
			assert.Equal(t, tt.ttl, exp.Sub(iat))

			table := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("jwt", "check")})
			requireOK(t, table)
			assert.True(t, strings.HasPrefix(table.stdout, "OK: "), table.stdout)
			assert.Contains(t, table.stdout, "UNVERIFIED")
			assert.Regexp(t, `sub\s+u-42`, table.stdout)
		})
	}
}

func TestJWTPassthroughWhoami(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Networks[0].JWT = &tribetest.JWTConfig{HS256Secret: hsSecret}
	srv := newMock(t, tribetest.WithFixtures(fx))
	r := run(t, invocation{args: args("jwt", "sign", "--hs256-secret-file", writeFile(t, "hs", hsSecret), "--sub", "ext-carol", "--name", "Carol", "--email", "carol@example.com")})
	requireOK(t, r)
	who := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": strings.TrimSpace(r.stdout), "TRIBE_ENDPOINT": srv.GraphQLURL()}, args: args("whoami", "-o", "json")})
	requireOK(t, who)
	var w whoamiResult
	require.NoError(t, json.Unmarshal([]byte(who.stdout), &w))
	assert.Equal(t, tribetest.PlainMemberID, w.Member.ID)
}

func TestJWTCheckRefuses(t *testing.T) {
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(hsSecret))
		require.NoError(t, err)
		return s
	}
	now := time.Now().Unix()
	tests := []struct {
		name  string
		token string
		want  []string
	}{
		{"missing claims", sign(jwt.MapClaims{"sub": "u-1", "iat": now}), []string{"name", "email"}},
		{"expired", sign(jwt.MapClaims{"sub": "u-1", "name": "A", "email": "a@example.com", "iat": now - 600, "exp": now - 300}), []string{"exp"}},
		{"not a jwt", "not-a-jwt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tt.token}, args: args("jwt", "check")})
			requireFail(t, r, ExitUsage, tt.want...)
			assert.NotContains(t, r.stderr, tt.token)
		})
	}
}

func TestJWTSignRefuses(t *testing.T) {
	user := []string{"--sub", "u-42", "--name", "Ada", "--email", "ada@example.com"}
	tests := []struct {
		name string
		inv  invocation
		want string
	}{
		{"no key", invocation{args: append(args("jwt", "sign"), user...)}, "no signing key"},
		{"two keys", invocation{args: append(args("jwt", "sign", "--hs256-secret-file", "a", "--private-key-file", "b"), user...)}, "give one of them"},
		{"short secret", invocation{stdin: "short", args: append(args("jwt", "sign", "--hs256-secret-file", "-"), user...)}, "32"},
		{"secret as flag", invocation{args: append(args("jwt", "sign", "--hs256-secret", hsSecret), user...)}, "--hs256-secret-file"},
		{"public key", invocation{stdin: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", args: append(args("jwt", "sign", "--private-key-file", "-"), user...)}, "public key"},
		{"missing email", invocation{stdin: hsSecret, args: args("jwt", "sign", "--hs256-secret-file", "-", "--sub", "u", "--name", "n")}, "email"},
		{"unknown subcommand", invocation{args: args("jwt", "verify")}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.inv)
			requireFail(t, r, ExitUsage, tt.want)
			assert.NotContains(t, r.stderr, hsSecret)
		})
	}
}
