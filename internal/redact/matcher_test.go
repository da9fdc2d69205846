package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/internal/testenv"
)

// ungated is Matcher.String without the scans for needles and words: every
// expression runs on every text, as String did before it had a Matcher.
func ungated(s string, secrets ...string) string {
	for _, sec := range NewMatcher(secrets...).secrets {
		for _, re := range sec.regexps() {
			s = re.ReplaceAllLiteralString(s, Marker)
		}
	}
	s = shaped.ReplaceAllStringFunc(s, replaceShaped)
	return strings.ToValidUTF8(s, "\uFFFD")
}

// ungatedContains is Matcher.Contains without the scans.
func ungatedContains(s string, secrets ...string) bool {
	for _, sec := range NewMatcher(secrets...).secrets {
		for _, re := range sec.regexps() {
			if re.MatchString(s) {
				return true
			}
		}
	}
	return shaped.MatchString(s)
}

// matcherTexts are texts with secrets and credential shapes in every form,
// and texts with none.
func matcherTexts(secrets ...string) []string {
	texts := []string{
		"", "an ordinary sentence", "100% sure", "a+b", "tribe: limitedToken: HTTP 401 Unauthorized",
		"Authorization: Basic dXNlcjpwYXNz", "bearer abc.def", "BEARER%20xyz", "baſic dXNlcjpwYXNz", "ſecret=x",
		`{"accessToken": "opaque-999"}`, `{"ACCESS_TOKEN":"x"}`, `{"access_\u212aey":"x"}`, "Toeten=1", "?code=abc", "&code=x",
		"client_secret%3Dsupersecret", "grant_type=password&password=hunter22", "PASSWD=x", "eyJa.b.c", "eyj.b.c",
		"code_verifier=v", "client_assertion=a.b.c", "x\xffy", "\xc5", "\xe2\x84",
	}
	for _, sec := range secrets {
		for _, form := range testenv.SecretForms(sec, "client-id:"+sec, "x"+sec, "xy"+sec) {
			texts = append(texts, form, "before "+form+" after", "Basic "+form, strings.ToUpper(form))
		}
		texts = append(texts, strings.ReplaceAll(sec, " ", "+"), percentAll(sec))
	}
	return texts
}

// TestMatcherAgreesWithItsExpressions: the scans before the expressions
// only spare work: String and Contains answer as the expressions alone
// do, for texts with and without secrets and shapes.
func TestMatcherAgreesWithItsExpressions(t *testing.T) {
	for _, secrets := range [][]string{nil, {secret}, {"tok-123"}, {"abc"}, {"with a space and more", "caf\xe9-not-utf8"}, {"a+/b=c/d+e+f/g==", "percent%41"}} {
		m := NewMatcher(secrets...)
		for _, s := range matcherTexts(secrets...) {
			assert.Equal(t, ungated(s, secrets...), m.String(s), "String(%q) with %q", s, secrets)
			assert.Equal(t, ungatedContains(s, secrets...), m.Contains(s), "Contains(%q) with %q", s, secrets)
		}
	}
}

func FuzzMatcher(f *testing.F) {
	f.Add("client_secret=abcdefgh", "abcdefgh")
	f.Add(base64.StdEncoding.EncodeToString([]byte("id:"+secret)), secret)
	f.Add("a+b+c", "a b c d")
	f.Add("Kelvin \u212a and lonſ s: to\u212aen=x", "")
	f.Fuzz(func(t *testing.T, text, sec string) {
		// The expressions alone, the reference, grow with the secret and
		// take seconds on long inputs; agreement needs no long ones.
		if len(text) > 1024 || len(sec) > 64 {
			t.Skip("longer than the bound this target fuzzes")
		}
		m := NewMatcher(sec)
		if got, want := m.String(text), ungated(text, sec); got != want {
			t.Errorf("String(%q) with %q = %q; the expressions alone give %q", text, sec, got, want)
		}
		if got, want := m.Contains(text), ungatedContains(text, sec); got != want {
			t.Errorf("Contains(%q) with %q = %v; the expressions alone give %v", text, sec, got, want)
		}
		if m.ContainsSecret(text) && !m.MayContainSecret([]byte(text)) {
			t.Errorf("%q holds %q but has no needle", text, sec)
		}
	})
}

// TestMayContainSecret: every form of a secret a server may echo, inside
// other text, has a needle; text without a secret mostly has none.
func TestMayContainSecret(t *testing.T) {
	secrets := []string{
		"tok-123",
		"s3cr3t-value-with-some-length",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl",
		"a+/b=c/d+e+f/g==",
		"with a space and more",
	}
	for _, sec := range secrets {
		m := NewMatcher(sec)
		checked := 0
		for _, form := range testenv.SecretForms(sec, "client-id:"+sec, "x"+sec, "xy"+sec) {
			for _, s := range []string{form, "before " + form + " after", "Basic " + form} {
				if !m.ContainsSecret(s) {
					continue // a form not searched for (the secret within others' base64)
				}
				assert.True(t, m.MayContainSecret([]byte(s)), "secret %q in %q", sec, s)
				checked++
			}
		}
		assert.GreaterOrEqual(t, checked, 3*len(testenv.SecretForms(sec)), "the forms of %q itself at least", sec)
		for _, s := range []string{"", "n0000001", "an ordinary sentence", strings.Repeat("abc", 100), "Bearer abc.def"} {
			assert.False(t, m.MayContainSecret([]byte(s)), "%q has no secret", s)
			assert.False(t, m.ContainsSecret(s), "%q has no secret", s)
		}
	}
	assert.False(t, NewMatcher().MayContainSecret([]byte("100% tok-123")), "no secrets, no needles")
	assert.False(t, NewMatcher("abc").MayContainSecret([]byte("100% abc")), "a secret too short to search for")
	assert.True(t, NewMatcher("caf\xe9-x").MayContainSecret([]byte("plain")), "a secret that is not UTF-8 has no needles: every text may hold it")
}

// TestMatcherContainsSecretIgnoresShapes: credential-shaped text is not
// one of the secrets.
func TestMatcherContainsSecretIgnoresShapes(t *testing.T) {
	m := NewMatcher(secret)
	assert.False(t, m.ContainsSecret("Authorization: Bearer abc.def"))
	assert.True(t, m.Contains("Authorization: Bearer abc.def"))
	assert.True(t, m.ContainsSecret("x="+url.QueryEscape(secret)))
}

// TestMatcherConcurrentUse: one Matcher, its expressions made on first
// need, serves goroutines at once (run with -race).
func TestMatcherConcurrentUse(t *testing.T) {
	m := NewMatcher(secret, "tok-123456789")
	done := make(chan string)
	for range 8 {
		go func() { done <- m.String("sent " + url.QueryEscape(secret) + " and tok-123456789") }()
	}
	for range 8 {
		assert.Equal(t, "sent "+Marker+" and "+Marker, <-done)
	}
}

// BenchmarkMatcherString: 1 KiB of ordinary text, a short error line, and
// 1 KiB with a secret in it, for a Matcher made once and for String, which
// makes one a call.
func BenchmarkMatcherString(b *testing.B) {
	plain := strings.Repeat("the quick brown fox jumps over the lazy dog; ", 23)[:1024]
	secrets := []string{secret, "tok-abcdefghijklmnop"}
	texts := []struct{ name, text string }{
		{"1KiB-plain", plain},
		{"error-line", "tribe: limitedToken: HTTP 401 Unauthorized"},
		{"1KiB-with-secret", plain[:512] + url.QueryEscape(secret) + plain[512:]},
	}
	m := NewMatcher(secrets...)
	for _, tt := range texts {
		b.Run("Matcher/"+tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			for b.Loop() {
				m.String(tt.text)
			}
		})
		b.Run("String/"+tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(tt.text)))
			for b.Loop() {
				String(tt.text, secrets...)
			}
		})
	}
}
