package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/testenv"
)

// TestNeedlesFindEverySecretForm: every form of a secret a server may echo
// (testenv.SecretForms), inside other text, has a needle, so the printer
// gives it to redact.String, which removes it; text without a secret
// mostly has none, so the printer's cost stays that of the needles.
func TestNeedlesFindEverySecretForm(t *testing.T) {
	secrets := []string{
		"tok-123",
		"s3cr3t-value-with-some-length",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl",
		"a+/b=c/d+e+f/g==",
		"with a space and more",
		"caf\xe9-not-utf8",
	}
	for _, sec := range secrets {
		n := newNeedles([]string{sec})
		checked := 0
		for _, form := range testenv.SecretForms(sec, "client-id:"+sec, "x"+sec, "xy"+sec) {
			for _, s := range []string{form, "before " + form + " after", "Basic " + form} {
				if redact.String(s, sec) == redact.String(s) {
					continue // a form redact does not find (the secret within others' base64)
				}
				assert.True(t, n.any([]byte(s)), "secret %q in %q", sec, s)
				checked++
			}
		}
		assert.GreaterOrEqual(t, checked, 3*len(testenv.SecretForms(sec)), "the forms of %q itself at least", sec)
		for _, s := range []string{"", "n0000001", "an ordinary sentence", strings.Repeat("abc", 100)} {
			assert.False(t, n.any([]byte(s)), "%q has no secret", s)
		}
	}
	assert.False(t, newNeedles(nil).any([]byte("100% tok-123")), "no secrets, no needles")
	assert.False(t, newNeedles([]string{"abc"}).any([]byte("100% abc")), "a secret too short for redact")
}
