package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// hostile is text a server or a token may hold to take over a terminal:
// a colour change, a right-to-left override and the 8-bit CSI (U+009B).
const hostile = "Eve\x1b[31m\u202eevil\u009b2J"

func TestInert(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, é and 日本", "plain text, é and 日本"},
		{`C:\path`, `C:\path`},
		{"a\x1b[31mb", `a\x1b[31mb`},
		{"tab\tnl\ncr\r", `tab\tnl\ncr\r`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1\u0085\u009b", `c1\u0085\u009b`},
		{"raw byte \x9b", `raw byte \x9b`},
		{"bidi \u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", `bidi \u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c`},
		{"lines \u2028\u2029", `lines \u2028\u2029`},
		{"emoji 👨\u200d👩", "emoji 👨\u200d👩"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := inert(tt.in)
			assert.Equal(t, tt.want, got)
			assertInert(t, got)
		})
	}
}

func TestInertJSON(t *testing.T) {
	v := map[string]any{"name": hostile, hostile: []any{"\u2066x\u2069", "\x7f"}}
	var buf bytes.Buffer
	require.NoError(t, writeJSON(&buf, v))
	assertInertLines(t, buf.String())
	assert.Contains(t, buf.String(), `\u001b[31m\u202eevil\u009b2J`)
	var back map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, v, back, "the same values for a JSON reader")
}

// assertInert fails if s holds a character a terminal may act on.
func assertInert(t *testing.T, s string) {
	t.Helper()
	assert.True(t, isInert(s), "not inert: %q", s)
}

// assertInertLines is assertInert for output made of lines.
func assertInertLines(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assertInert(t, l)
	}
}

// TestDecodeOutputInert decodes a token whose header, claim names and
// claim values hold terminal escapes: the table shows them escaped, the
// JSON escapes them too and still reads back as the token's claims.
func TestDecodeOutputInert(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	header, err := json.Marshal(map[string]any{"alg": "HS256", "typ": "JWT", "kid": hostile})
	require.NoError(t, err)
	claims, err := json.Marshal(map[string]any{"sub": "u", "name": hostile, "x\x1b]0;title\x07": "y", "nested": map[string]any{"n": hostile}})
	require.NoError(t, err)
	tok := enc(header) + "." + enc(claims) + ".c2ln"

	r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode")})
	requireOK(t, r)
	assertInertLines(t, r.stdout)
	assert.Regexp(t, `(?m)^name\s+Eve\\x1b\[31m\\u202eevil\\u009b2J$`, r.stdout)
	assert.Regexp(t, `(?m)^kid \(header\)\s+Eve\\x1b`, r.stdout)
	assert.Contains(t, r.stdout, `x\x1b]0;title\x07`)

	r = run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok}, args: args("decode", "-o", "json")})
	requireOK(t, r)
	assertInertLines(t, r.stdout)
	var out decodeResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, hostile, out.Claims["name"])
	assert.Equal(t, hostile, out.Header["kid"])
}

// TestWhoamiOutputInert has the servers answer whoami with names that hold
// terminal escapes.
func TestWhoamiOutputInert(t *testing.T) {
	fx := tribetest.DefaultFixtures()
	fx.Networks[0].Name = hostile
	for i := range fx.Networks[0].Members {
		fx.Networks[0].Members[i].Name = hostile
	}
	srv := newMock(t, tribetest.WithFixtures(fx))
	tok := mintToken(t, srv, "--member", tribetest.PlainMemberID)
	env := with(appEnv(srv), "TRIBE_TOKEN", tok)

	r := run(t, invocation{env: env, args: args("whoami")})
	requireOK(t, r)
	assertInertLines(t, r.stdout)
	assert.Regexp(t, `(?m)^member\s+Eve\\x1b\[31m\\u202eevil\\u009b2J \(@carol`, r.stdout)
	r = run(t, invocation{env: env, args: args("whoami", "-o", "json")})
	requireOK(t, r)
	assertInertLines(t, r.stdout)
	var w whoamiResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &w))
	assert.Equal(t, hostile, w.Member.Name)

	emp := crmtest.DefaultEmployee()
	emp.Name = hostile
	emp.Person.EmailAddress = "a\u202e@example.com"
	_, crmEnv, flags := newCRM(t, crmtest.WithEmployee(emp))
	for _, out := range []string{"table", "json"} {
		r := run(t, invocation{env: crmEnv, args: append(args("crm", "whoami", "--grant", "client-credentials", "-o", out), flags...)})
		requireOK(t, r)
		assertInertLines(t, r.stdout)
		assert.Contains(t, r.stdout, `\u202e`)
	}
}

// TestErrorLineInert has a server refuse with a message that holds terminal
// escapes: the error line shows them escaped.
func TestErrorLineInert(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		if err := json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": hostile}); err != nil {
			t.Errorf("server: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	r := run(t, invocation{env: map[string]string{"TRIBE_CRM_CLIENT_ID": "id", "TRIBE_CRM_CLIENT_SECRET": "secret-value"}, args: args("crm", "token", "--grant", "client-credentials", "--base-url", srv.URL)})
	require.Equal(t, ExitFailure, r.code, r.stderr)
	assertInertLines(t, r.stderr)
	assert.Contains(t, r.stderr, `Eve\x1b[31m`, "the server's message, escaped")

	e := &env{}
	line := e.errorLine(nil, &explained{msg: "server says: " + hostile + "\x9b"}, ExitFailure)
	assertInert(t, line)
	// A byte that is not UTF-8 is replaced (by the redaction) before it is
	// escaped.
	assert.Equal(t, `tribe-token: server says: Eve\x1b[31m\u202eevil\u009b2J`+"\uFFFD", line)
}

// TestTokenOutputRefusesControlCharacters: a bare or env token output never
// prints a token a hostile server made of terminal escapes.
func TestTokenOutputRefusesControlCharacters(t *testing.T) {
	for _, format := range []string{outToken, outEnv} {
		var buf bytes.Buffer
		err := writeToken(&buf, format, tokenOutput{Token: "abc\x1b]0;x\x07", Expiry: "2030-01-01T00:00:00Z"})
		require.Error(t, err, format)
		assert.Contains(t, err.Error(), "access token has a character that is not printable ASCII")
		assert.Empty(t, buf.String())
	}
	var buf bytes.Buffer
	require.NoError(t, writeToken(&buf, outJSON, tokenOutput{Token: "abc\x1b\u202e"}))
	assertInertLines(t, buf.String())
}

// FuzzDecode feeds decode's parsing and both its outputs arbitrary token
// text: nothing panics, and nothing printed holds a character a terminal
// may act on.
func FuzzDecode(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(unsignedJWT(`{"sub":"u","exp":1700000000}`))
	f.Add(unsignedJWT(`{"name":"Eve\u001b[31m\u202e\u009b","x\u2066":[1,{"a":null}]}`))
	f.Add(enc([]byte(`{"alg":"none","kid":"\u0000"}`)) + "." + enc([]byte("{\"a\":\"\x9b\xff\"}")) + ".")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add(unsignedJWT(`{"exp":"soon","iat":1e308,"nbf":-1}`))
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, tok string) {
		// inert itself, on the raw text.
		s := inert(tok)
		if !isInert(s) || !utf8.ValidString(s) {
			t.Fatalf("inert(%q) = %q is not inert", tok, s)
		}
		p, err := decodeJWT(tok)
		if err != nil {
			return
		}
		for _, format := range []string{outTable, outJSON} {
			var buf bytes.Buffer
			if err := writeDecoded(&buf, format, p, now); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				if !isInert(l) {
					t.Fatalf("%s output line %q is not inert", format, l)
				}
			}
		}
	})
}
