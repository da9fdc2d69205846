package decode

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdDecode(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdDecode, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "stdin, json", Args: []string{"--token-file", "-", "--output", "json"}, Want: Options{Token: cmdutil.TokenFlag{File: "-"}, Output: "json"}},
		{Name: "env output", Args: []string{"-o", "env"}, WantErr: `unknown --output "env"`},
		{Name: "token as an argument", Args: []string{"a.b.c"}, WantErr: "takes no arguments"},
	})
}

func TestDecode(t *testing.T) {
	srv := cmdtest.NewMock(t)
	tok := cmdtest.MintToken(t, srv, mint.NewCmdMint, "--member", tribetest.PlainMemberID)

	r := cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}})
	cmdtest.RequireOK(t, r)
	assert.True(t, strings.HasPrefix(r.Stdout, "UNVERIFIED"), r.Stdout)
	assert.Regexp(t, `alg \(header\)\s+HS256`, r.Stdout)
	assert.Regexp(t, `\nid\s+mem-carol\n`, r.Stdout)
	assert.Regexp(t, `networkId\s+net-acme`, r.Stdout)
	assert.Regexp(t, `exp\s+\d{4}-.*\(in `, r.Stdout)
	assert.NotContains(t, r.Stdout, tok)

	r = cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Stdin: tok, Args: []string{"--token-file", "-", "-o", "json"}})
	cmdtest.RequireOK(t, r)
	var out Result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	assert.False(t, out.Verified)
	assert.Equal(t, "mem-carol", out.Claims["id"])
	assert.Equal(t, "HS256", out.Header["alg"])
	require.NotNil(t, out.Expired)
	assert.False(t, *out.Expired)
	assert.Equal(t, tribe.JWTExpiry(tok).UTC().Format(time.RFC3339), out.Expiry)
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
			tok := cmdtest.UnsignedJWT(tt.claims)
			r := cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}})
			cmdtest.RequireOK(t, r)
			assert.Regexp(t, `(?m)^exp\s+`+regexp.QuoteMeta(tt.raw)+` \(invalid: not a NumericDate`, r.Stdout)
			assert.NotContains(t, r.Stdout, "none", "exp is there, if invalid")
			assert.Equal(t, 1, strings.Count(r.Stdout, "\nexp "), "one exp row: %s", r.Stdout)

			r = cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: []string{"-o", "json"}})
			cmdtest.RequireOK(t, r)
			var out map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
			assert.Equal(t, true, out["expiry_invalid"])
			assert.NotContains(t, out, "expiry")
			assert.NotContains(t, out, "expired")
		})
	}

	t.Run("absent", func(t *testing.T) {
		tok := cmdtest.UnsignedJWT(`{"sub":"u"}`)
		r := cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}})
		cmdtest.RequireOK(t, r)
		assert.Regexp(t, `(?m)^exp\s+none: the token states no expiry$`, r.Stdout)
		r = cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: []string{"-o", "json"}})
		cmdtest.RequireOK(t, r)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
		assert.NotContains(t, out, "expiry_invalid")
		assert.NotContains(t, out, "expiry")
	})
	t.Run("the year 9999", func(t *testing.T) {
		tok := cmdtest.UnsignedJWT(`{"sub":"u","exp":253402300799}`)
		r := cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: []string{"-o", "json"}})
		cmdtest.RequireOK(t, r)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
		assert.Equal(t, "9999-12-31T23:59:59Z", out["expiry"])
		assert.NotContains(t, out, "expiry_invalid")
	})
}

// TestDecodeOutputInert decodes a token whose header, claim names and
// claim values hold terminal escapes: the table shows them escaped, the
// JSON escapes them too and still reads back as the token's claims.
func TestDecodeOutputInert(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	header, err := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": cmdtest.Hostile})
	require.NoError(t, err)
	claims, err := json.Marshal(map[string]any{"sub": "u", "name": cmdtest.Hostile, "x\x1b]0;title\x07": "y", "nested": map[string]any{"n": cmdtest.Hostile}})
	require.NoError(t, err)
	tok := enc(header) + "." + enc(claims) + ".c2ln"

	r := cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}})
	cmdtest.RequireOK(t, r)
	cmdtest.AssertInertLines(t, r.Stdout)
	assert.Regexp(t, `(?m)^name\s+Eve\\x1b\[31m\\u202eevil\\u009b2J$`, r.Stdout)
	assert.Regexp(t, `(?m)^kid \(header\)\s+Eve\\x1b`, r.Stdout)
	assert.Contains(t, r.Stdout, `x\x1b]0;title\x07`)

	r = cmdtest.Run(t, NewCmdDecode, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok}, Args: []string{"-o", "json"}})
	cmdtest.RequireOK(t, r)
	cmdtest.AssertInertLines(t, r.Stdout)
	var out Result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	assert.Equal(t, cmdtest.Hostile, out.Claims["name"])
	assert.Equal(t, cmdtest.Hostile, out.Header["kid"])
}
