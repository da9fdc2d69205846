package text

import (
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
			assert.True(t, IsInert(got), "not inert: %q", got)
		})
	}
}

func TestInertJSON(t *testing.T) {
	v := map[string]any{"name": hostile, hostile: []any{"\u2066x\u2069", "\x7f"}}
	b, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	out := InertJSON(b)
	for _, l := range strings.Split(string(out), "\n") {
		assert.True(t, IsInert(l), "not inert: %q", l)
	}
	assert.Contains(t, string(out), `\u001b[31m\u202eevil\u009b2J`)
	var back map[string]any
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, v, back, "the same values for a JSON reader")
}
