package text

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("a", MaxEcho), strings.Repeat("a", MaxEcho)},
		{strings.Repeat("a", MaxEcho+1), strings.Repeat("a", MaxEcho) + "…"},
		{strings.Repeat("é", 100), strings.Repeat("é", MaxEcho) + "…"},
		{strings.Repeat("\xff", 100), strings.Repeat("\xff", MaxEcho) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, Clip(tc.in))
		})
	}
	t.Run("quoted values in a message", func(t *testing.T) {
		msg := `invalid argument "` + strings.Repeat("x", 1000) + `" for "--timeout" flag`
		got := ClipQuoted(msg)
		assert.Equal(t, `invalid argument "`+strings.Repeat("x", MaxEcho)+`…" for "--timeout" flag`, got)
		esc := `bad "` + strings.Repeat("x", MaxEcho-1) + `\"` + strings.Repeat("y", 100) + `"`
		assert.NotContains(t, ClipQuoted(esc), `\…`, "no lone backslash before the cut")
	})
	t.Run("a whole line", func(t *testing.T) {
		got := ClipLine(strings.Repeat("é", 10_000))
		assert.LessOrEqual(t, len(got), MaxLine+len("… (message cut)"))
		assert.True(t, strings.HasSuffix(got, "… (message cut)"))
	})
}
