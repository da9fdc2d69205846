package root

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestMint(t *testing.T) {
	srv := newMock(t)
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(tribetest.DefaultClientSecret+"\n"), 0o600))
	noSecret := map[string]string{"TRIBE_CLIENT_ID": tribetest.DefaultClientID}
	gw := srv.GatewayURL(tribetest.DefaultNetworkID)

	tests := []struct {
		name     string
		inv      invocation
		identity string
	}{
		{"bot", invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "-o", "json")}, "bot@net-acme"},
		{"member", invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "--member", tribetest.PlainMemberID, "-o", "json")}, "member mem-carol@net-acme"},
		{"secret file", invocation{env: noSecret, args: args("mint", "--network", tribetest.DefaultNetworkID, "--endpoint", srv.GraphQLURL(), "--client-secret-file", secretFile, "-o", "json")}, "bot@net-acme"},
		{"secret on stdin", invocation{env: noSecret, stdin: tribetest.DefaultClientSecret + "\r\n", args: args("mint", "--network", tribetest.DefaultNetworkID, "--endpoint", srv.GraphQLURL(), "--client-secret-file", "-", "-o", "json")}, "bot@net-acme"},
		{"client id flag", invocation{env: map[string]string{"TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret, "TRIBE_NETWORK_ID": tribetest.DefaultNetworkID}, args: args("mint", "--client-id", tribetest.DefaultClientID, "--endpoint", srv.GraphQLURL(), "-o", "json")}, "bot@net-acme"},
		{"context", invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "--context", "network", "--entity", tribetest.DefaultNetworkID, "-o", "json")}, "bot@net-acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.inv)
			requireOK(t, r)
			var out struct {
				Token, Type, Expiry, Identity string
				GatewayURL                    string `json:"gateway_url"`
			}
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
			assert.Equal(t, tt.identity, out.Identity)
			assert.Equal(t, "Bearer", out.Type)
			assert.Equal(t, gw, out.GatewayURL)
			assert.Len(t, strings.Split(out.Token, "."), 3)
			exp, err := time.Parse(time.RFC3339, out.Expiry)
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(time.Hour), exp, 2*time.Minute)
		})
	}
}

func TestMintOutputs(t *testing.T) {
	srv := newMock(t)
	tok := mintToken(t, srv)
	assert.Len(t, strings.Split(tok, "."), 3)
	assert.NotContains(t, tok, "\n")

	r := run(t, invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "--output", "env")})
	requireOK(t, r)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	// Four lines since the gateway is tied to its token (TRIBE_GATEWAY_FOR).
	require.Len(t, lines, 4)
	assert.Regexp(t, `^export TRIBE_TOKEN='[A-Za-z0-9_\-.]+'$`, lines[0])
	assert.Regexp(t, `^export TRIBE_TOKEN_EXPIRY='\d{4}-\d\d-\d\dT[\d:]+Z'$`, lines[1])
	assert.Equal(t, "export TRIBE_GATEWAY_URL='"+srv.GatewayURL(tribetest.DefaultNetworkID)+"'", lines[2])
	assert.Regexp(t, `^export TRIBE_GATEWAY_FOR='sha256:[0-9a-f]{16}'$`, lines[3])
}

func TestMintServerRefusals(t *testing.T) {
	srv := newMock(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"not installed", appEnv(srv), args("mint", "--network", tribetest.OtherNetworkID), []string{"Forbidden (code 102)", "installed on community net-other"}},
		{"wrong secret", with(appEnv(srv), "TRIBE_CLIENT_SECRET", "wrong-secret-value"), args("mint", "--network", tribetest.DefaultNetworkID), []string{"401", "TRIBE_CLIENT_SECRET"}},
		{"unknown member", appEnv(srv), args("mint", "--network", tribetest.DefaultNetworkID, "--member", "mem-nobody"), []string{"mem-nobody"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, invocation{env: tt.env, args: tt.args})
			requireFail(t, r, ExitFailure, tt.want...)
			assert.NotContains(t, r.stderr, "wrong-secret-value")
		})
	}
}

func TestWhoami(t *testing.T) {
	srv := newMock(t)
	r := run(t, invocation{env: appEnv(srv), args: args("mint", "--network", tribetest.DefaultNetworkID, "--member", tribetest.AdminMemberID, "-o", "env")})
	requireOK(t, r)
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		env[k] = strings.Trim(v, "'")
	}
	tok := env["TRIBE_TOKEN"]

	t.Run("table from env", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("whoami")})
		requireOK(t, r)
		assert.Regexp(t, `member\s+Alice Admin \(@alice, id mem-alice\)`, r.stdout)
		assert.Regexp(t, `role\s+admin`, r.stdout)
		assert.Regexp(t, `community\s+Acme Community \(acme\.example\.com, id net-acme\)`, r.stdout)
		assert.Contains(t, r.stdout, srv.GatewayURL(tribetest.DefaultNetworkID))
		assert.Regexp(t, `expires\s+.*\(in (59m|1h)`, r.stdout)
		assert.NotContains(t, r.stdout, tok)
	})
	t.Run("json from stdin", func(t *testing.T) {
		r := run(t, invocation{stdin: tok + "\n", args: args("whoami", "--token-file", "-", "--endpoint", srv.GraphQLURL(), "-o", "json")})
		requireOK(t, r)
		var out whoamiResult
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Equal(t, tribetest.AdminMemberID, out.Member.ID)
		require.NotNil(t, out.Member.Role)
		assert.Equal(t, "admin", out.Member.Role.Type)
		assert.Equal(t, tribetest.DefaultNetworkID, out.Network.ID)
		assert.Equal(t, srv.GraphQLURL(), out.Endpoint)
		assert.NotEmpty(t, out.Expiry)
	})
	t.Run("bot", func(t *testing.T) {
		r := run(t, invocation{env: with(appEnv(srv), "TRIBE_TOKEN", mintToken(t, srv)), args: args("whoami", "-o", "json")})
		requireOK(t, r)
		var out whoamiResult
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		require.NotNil(t, out.Member.Role)
		assert.Equal(t, "admin", out.Member.Role.Type)
	})
	t.Run("revoked token", func(t *testing.T) {
		tok := mintToken(t, srv)
		require.NoError(t, srv.Revoke(tok))
		r := run(t, invocation{env: with(appEnv(srv), "TRIBE_TOKEN", tok), args: args("whoami")})
		requireFail(t, r, ExitFailure, "invalid access token", "mint a new one")
		assert.NotContains(t, r.stderr, tok)
	})
}

func TestDecode(t *testing.T) {
	srv := newMock(t)
	tok := mintToken(t, srv, "--member", tribetest.PlainMemberID)

	r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode")})
	requireOK(t, r)
	assert.True(t, strings.HasPrefix(r.stdout, "UNVERIFIED"), r.stdout)
	assert.Regexp(t, `alg \(header\)\s+HS256`, r.stdout)
	assert.Regexp(t, `\nid\s+mem-carol\n`, r.stdout)
	assert.Regexp(t, `networkId\s+net-acme`, r.stdout)
	assert.Regexp(t, `exp\s+\d{4}-.*\(in `, r.stdout)
	assert.NotContains(t, r.stdout, tok)

	r = run(t, invocation{stdin: tok, args: args("decode", "--token-file", "-", "-o", "json")})
	requireOK(t, r)
	var out decodeResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.False(t, out.Verified)
	assert.Equal(t, "mem-carol", out.Claims["id"])
	assert.Equal(t, "HS256", out.Header["alg"])
	require.NotNil(t, out.Expired)
	assert.False(t, *out.Expired)
	assert.Equal(t, tribe.JWTExpiry(tok).UTC().Format(time.RFC3339), out.Expiry)
}

func TestDemo(t *testing.T) {
	r := run(t, invocation{args: args("demo")})
	requireOK(t, r)
	for _, want := range []string{
		"Minted a token for bot@net-acme",
		"Minted a token for member mem-carol@net-acme",
		"Carol Member (@carol, id mem-carol), role member",
		"/gateway/net-acme",
		"tribe.ErrForbidden",
		"3 limitedToken calls",
	} {
		assert.Contains(t, r.stdout, want)
	}
	assert.NotRegexp(t, `eyJ[A-Za-z0-9_-]+\.`, r.stdout, "no token printed")
}

// unsignedJWT is a JWT with the claims given as JSON and a dummy signature.
func unsignedJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

func TestDecodeMalformedExpiry(t *testing.T) {
	tests := []struct {
		name, claims, raw string
	}{
		{"string", `{"sub":"u","exp":"soon"}`, "soon"},
		{"huge", `{"sub":"u","exp":1e300}`, "1e300"},
		{"past the year 9999", `{"sub":"u","exp":4000000000000000000}`, "4000000000000000000"},
		{"negative", `{"sub":"u","exp":-5}`, "-5"},
		{"null", `{"sub":"u","exp":null}`, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := unsignedJWT(tt.claims)
			r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode")})
			requireOK(t, r)
			assert.Regexp(t, `(?m)^exp\s+`+regexp.QuoteMeta(tt.raw)+` \(invalid: not a NumericDate`, r.stdout)
			assert.NotContains(t, r.stdout, "none", "exp is there, if invalid")
			assert.Equal(t, 1, strings.Count(r.stdout, "\nexp "), "one exp row: %s", r.stdout)

			r = run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode", "-o", "json")})
			requireOK(t, r)
			var out map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
			assert.Equal(t, true, out["expiry_invalid"])
			assert.NotContains(t, out, "expiry")
			assert.NotContains(t, out, "expired")
		})
	}

	t.Run("absent", func(t *testing.T) {
		tok := unsignedJWT(`{"sub":"u"}`)
		r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode")})
		requireOK(t, r)
		assert.Regexp(t, `(?m)^exp\s+none: the token states no expiry$`, r.stdout)
		r = run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode", "-o", "json")})
		requireOK(t, r)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.NotContains(t, out, "expiry_invalid")
		assert.NotContains(t, out, "expiry")
	})
	t.Run("the year 9999", func(t *testing.T) {
		tok := unsignedJWT(`{"sub":"u","exp":253402300799}`)
		r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode", "-o", "json")})
		requireOK(t, r)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Equal(t, "9999-12-31T23:59:59Z", out["expiry"])
		assert.NotContains(t, out, "expiry_invalid")
	})
}
