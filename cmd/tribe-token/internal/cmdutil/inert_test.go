package cmdutil

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
			got := Inert(tt.in)
			assert.Equal(t, tt.want, got)
			assertInert(t, got)
		})
	}
}

func TestInertJSON(t *testing.T) {
	v := map[string]any{"name": hostile, hostile: []any{"\u2066x\u2069", "\x7f"}}
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, v))
	assertInertLines(t, buf.String())
	assert.Contains(t, buf.String(), `\u001b[31m\u202eevil\u009b2J`)
	var back map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, v, back, "the same values for a JSON reader")
}

// assertInert fails if s holds a character a terminal may act on.
func assertInert(t *testing.T, s string) {
	t.Helper()
	assert.True(t, IsInert(s), "not inert: %q", s)
}

// assertInertLines is assertInert for output made of lines.
func assertInertLines(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assertInert(t, l)
	}
}

// TestTokenOutputRefusesControlCharacters: a bare or env token output never
// prints a token a hostile server made of terminal escapes.
func TestTokenOutputRefusesControlCharacters(t *testing.T) {
	for _, format := range []string{OutToken, OutEnv} {
		var buf bytes.Buffer
		err := WriteToken(&buf, format, TokenOutput{Token: "abc\x1b]0;x\x07", Expiry: "2030-01-01T00:00:00Z"})
		require.Error(t, err, format)
		assert.Contains(t, err.Error(), "access token has a character that is not printable ASCII")
		assert.Empty(t, buf.String())
	}
	var buf bytes.Buffer
	require.NoError(t, WriteToken(&buf, OutJSON, TokenOutput{Token: "abc\x1b\u202e"}))
	assertInertLines(t, buf.String())
}
