package sign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/jwt/check"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/passthrough"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdSign(t *testing.T) {
	user := []string{"--sub", "u-42", "--name", "Ada L", "--email", "ada@example.com"}
	with := func(a ...string) []string { return append(a, user...) }
	cmdtest.RunFlagTable(t, NewCmdSign, []cmdtest.FlagCase[Options]{
		{Name: "hs256", Args: with("--hs256-secret-file", "s.txt"), Want: Options{SecretFile: "s.txt", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", TTL: passthrough.DefaultLifetime, Output: "token"}},
		{Name: "private key", Args: with("--private-key-file", "-", "--kid", "k1", "--ttl", "5m", "-o", "json"), Want: Options{KeyFile: "-", KeyID: "k1", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", TTL: 5 * time.Minute, Output: "json"}},
		{Name: "ttl 0 is the default", Args: with("--hs256-secret-file", "s", "--ttl", "0"), Want: Options{SecretFile: "s", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", Output: "token"}},
		{Name: "no key", Args: with(), WantErr: "no signing key"},
		{Name: "two keys", Args: with("--hs256-secret-file", "a", "--private-key-file", "b"), WantErr: "--hs256-secret-file and --private-key-file both"},
		{Name: "kid with hs256", Args: with("--hs256-secret-file", "a", "--kid", "k"), WantErr: "--kid goes with --private-key-file"},
		{Name: "negative ttl", Args: with("--hs256-secret-file", "a", "--ttl", "-1s"), WantErr: "--ttl -1s is negative"},
		{Name: "short ttl", Args: with("--hs256-secret-file", "a", "--ttl", "1s"), WantErr: "--ttl 1s is under two seconds"},
		{Name: "missing email flag", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", "n"}, WantErr: "email"},
		{Name: "empty name", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", " ", "--email", "a@example.com"}, WantErr: "empty --name"},
		{Name: "not an email", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", "n", "--email", "nope"}, WantErr: `--email "nope" is not an email address`},
		{Name: "secret as a flag", Args: with("--hs256-secret", "x"), WantErr: "unknown flag: --hs256-secret"},
	})
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
	secretFile := cmdtest.WriteFile(t, "hs", cmdtest.HS256Secret+"\n")
	keyFile := cmdtest.WriteFile(t, "key.pem", ecKeyPEM(t))
	user := []string{"--sub", "u-42", "--name", "Ada L", "--email", "ada@example.com"}
	tests := []struct {
		name string
		inv  cmdtest.Invocation
		alg  string
		kid  bool
		ttl  time.Duration
	}{
		{"hs256", cmdtest.Invocation{Args: append([]string{"--hs256-secret-file", secretFile}, user...)}, "HS256", false, time.Minute},
		{"hs256 on stdin", cmdtest.Invocation{Stdin: cmdtest.HS256Secret, Args: append([]string{"--hs256-secret-file", "-", "--ttl", "5m"}, user...)}, "HS256", false, 5 * time.Minute},
		{"es256", cmdtest.Invocation{Args: append([]string{"--private-key-file", keyFile}, user...)}, "ES256", true, time.Minute},
		{"es256 kid", cmdtest.Invocation{Args: append([]string{"--private-key-file", keyFile, "--kid", "k1"}, user...)}, "ES256", true, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdSign, tt.inv)
			cmdtest.RequireOK(t, r)
			tok := strings.TrimSpace(r.Stdout)

			c := cmdtest.Run(t, check.NewCmdCheck, cmdtest.Invocation{Stdin: tok, Args: []string{"--token-file", "-", "-o", "json"}})
			cmdtest.RequireOK(t, c)
			var out check.Result
			require.NoError(t, json.Unmarshal([]byte(c.Stdout), &out))
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

			table := cmdtest.Run(t, check.NewCmdCheck, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}})
			cmdtest.RequireOK(t, table)
			assert.True(t, strings.HasPrefix(table.Stdout, "OK: "), table.Stdout)
			assert.Contains(t, table.Stdout, "UNVERIFIED")
			assert.Regexp(t, `sub\s+u-42`, table.Stdout)
		})
	}
}

func TestJWTPassthroughWhoami(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Networks[0].JWT = &tribetest.JWTConfig{HS256Secret: cmdtest.HS256Secret}
	srv := cmdtest.NewMock(t, tribetest.WithFixtures(fx))
	r := cmdtest.Run(t, NewCmdSign, cmdtest.Invocation{Args: []string{"--hs256-secret-file", cmdtest.WriteFile(t, "hs", cmdtest.HS256Secret), "--sub", "ext-carol", "--name", "Carol", "--email", "carol@example.com"}})
	cmdtest.RequireOK(t, r)
	who := cmdtest.Run(t, whoami.NewCmdWhoami, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": strings.TrimSpace(r.Stdout), "TRIBE_ENDPOINT": srv.GraphQLURL()}, Args: []string{"-o", "json"}})
	cmdtest.RequireOK(t, who)
	var w whoami.Result
	require.NoError(t, json.Unmarshal([]byte(who.Stdout), &w))
	assert.Equal(t, tribetest.PlainMemberID, w.Member.ID)
}

func TestJWTSignRefuses(t *testing.T) {
	user := []string{"--sub", "u-42", "--name", "Ada", "--email", "ada@example.com"}
	tests := []struct {
		name string
		inv  cmdtest.Invocation
		want string
	}{
		{"no key", cmdtest.Invocation{Args: user}, "no signing key"},
		{"two keys", cmdtest.Invocation{Args: append([]string{"--hs256-secret-file", "a", "--private-key-file", "b"}, user...)}, "give one of them"},
		{"short secret", cmdtest.Invocation{Stdin: "short", Args: append([]string{"--hs256-secret-file", "-"}, user...)}, "32"},
		{"secret as flag", cmdtest.Invocation{Args: append([]string{"--hs256-secret", cmdtest.HS256Secret}, user...)}, "--hs256-secret-file"},
		{"public key", cmdtest.Invocation{Stdin: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", Args: append([]string{"--private-key-file", "-"}, user...)}, "public key"},
		{"missing email", cmdtest.Invocation{Stdin: cmdtest.HS256Secret, Args: []string{"--hs256-secret-file", "-", "--sub", "u", "--name", "n"}}, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdSign, tt.inv)
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.want)
			assert.NotContains(t, r.Stderr, cmdtest.HS256Secret)
		})
	}
}
