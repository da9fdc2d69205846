package root

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// hostile is text a server or a token may hold to take over a terminal:
// a colour change, a right-to-left override and the 8-bit CSI (U+009B).
const hostile = "Eve\x1b[31m\u202eevil\u009b2J"

// assertInert fails if s holds a character a terminal may act on.
func assertInert(t *testing.T, s string) {
	t.Helper()
	assert.True(t, cmdutil.IsInert(s), "not inert: %q", s)
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

	f := &cmdutil.Factory{}
	line := f.ErrorLine(nil, &cmdutil.Explained{Msg: "server says: " + hostile + "\x9b"}, ExitFailure)
	assertInert(t, line)
	// A byte that is not UTF-8 is replaced (by the redaction) before it is
	// escaped.
	assert.Equal(t, `tribe-token: server says: Eve\x1b[31m\u202eevil\u009b2J`+"\uFFFD", line)
}
