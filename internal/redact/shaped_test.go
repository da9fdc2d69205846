package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMayBeShaped: a text with a credential's shape is given to the
// expression, in any case and with the letters Unicode folds to s and k;
// ordinary text is not.
func TestMayBeShaped(t *testing.T) {
	for _, s := range []string{
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "Authorization: BASIC x", "bearer x", "Bearer%20x",
		"PassWord=x", "passwd=x", "client_secret=x", `"clientSecret": "x"`, "access_token=x", `{"accessToken":1}`,
		"id_token=x", "code_verifier=x", "?code=x", "client_assertion=x", "ASSERTION=x",
		"baſic x", "\u212aey token",
	} {
		assert.True(t, mayBeShaped(s), "%q", s)
		assert.True(t, mayBeShaped("prefix "+s+" suffix"), "%q inside text", s)
	}
	for _, s := range []string{"", "e", "an ordinary sentence", "the quick brown fox jumps over the lazy dog", "\xc5", "\xe2\x84", "caf\xc3\xa9"} {
		assert.False(t, mayBeShaped(s), "%q", s)
	}
}

// BenchmarkMayBeShaped: the look every text takes before the expression
// runs, over ordinary English (many words start with a letter a credential
// word starts with).
func BenchmarkMayBeShaped(b *testing.B) {
	plain := strings.Repeat("the quick brown fox jumps over the lazy dog; a bare test passes at once, calm and set. ", 14)[:1024]
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if mayBeShaped(plain) {
			b.Fatal("plain text has no credential word")
		}
	}
}
