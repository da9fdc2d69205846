package redact

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Matcher finds a fixed set of secrets in text, in each of the forms the
// package doc lists, and anything shaped like a credential. What depends
// on the secrets alone is done once: their needles when the Matcher is
// made, their regular expressions the first time a text needs them. A text
// is first scanned for needles, texts one of which is in every form of a
// secret: the secret itself, the runs of base64 that encode it (as
// [Matcher.String] finds them) and the '%' of an escape (the '+' of a
// space too, for a secret with one); only a text with a needle is given to
// the regular expressions, which cost about a microsecond a byte. A text
// with none costs a few nanoseconds a byte.
//
// A Matcher is safe for concurrent use. [String], [Contains], [Value] and
// [Error] each make one for their call; make your own to look at many
// texts for the same secrets.
type Matcher struct {
	secrets []*secretForms
}

// secretForms is one secret of a [Matcher]: its needles and, once a text needs
// them, the expressions that match its forms.
type secretForms struct {
	text    string
	needles []string // the secret and, from minBase64Secret on, its base64 cores
	space   bool     // it has a space, which its URL-encoded form may write as '+'
	// notUTF8: the expressions match its invalid bytes as any invalid
	// byte or U+FFFD, which no needle finds: every text is given to them.
	notUTF8 bool

	once sync.Once
	res  []*regexp.Regexp
}

// NewMatcher returns a Matcher of secrets; those shorter than
// [MinSecretLen] are not searched for.
func NewMatcher(secrets ...string) *Matcher {
	m := &Matcher{}
	for _, s := range secrets {
		if len(s) < MinSecretLen {
			continue
		}
		sec := &secretForms{text: s, needles: []string{s}, space: strings.Contains(s, " "), notUTF8: !utf8.ValidString(s)}
		if len(s) >= minBase64Secret {
			sec.needles = append(sec.needles, base64Cores(s)...)
		}
		m.secrets = append(m.secrets, sec)
	}
	return m
}

// String returns s with each of the secrets (in each of its forms) and
// anything shaped like a credential replaced by [Marker]. Invalid UTF-8 is
// replaced, so the result is always valid text.
func (m *Matcher) String(s string) string {
	for _, sec := range m.secrets {
		if sec.mayBeIn(s) {
			for _, re := range sec.regexps() {
				s = re.ReplaceAllLiteralString(s, Marker)
			}
		}
	}
	if mayBeShaped(s) {
		s = shaped.ReplaceAllStringFunc(s, replaceShaped)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Contains reports whether s holds one of the secrets in any of its forms,
// or anything shaped like a credential.
func (m *Matcher) Contains(s string) bool {
	return m.ContainsSecret(s) || (mayBeShaped(s) && shaped.MatchString(s))
}

// ContainsSecret reports whether s holds one of the secrets in any of its
// forms; credential-shaped text does not count.
func (m *Matcher) ContainsSecret(s string) bool {
	for _, sec := range m.secrets {
		if !sec.mayBeIn(s) {
			continue
		}
		for _, re := range sec.regexps() {
			if re.MatchString(s) {
				return true
			}
		}
	}
	return false
}

// MayContainSecret is the scan for needles alone, on bytes: false means
// that b holds none of the secrets in any form; true, that it may
// ([Matcher.ContainsSecret] tells). It allocates nothing, for a caller
// that looks at many texts, most of which hold no secret.
func (m *Matcher) MayContainSecret(b []byte) bool {
	for _, sec := range m.secrets {
		if sec.mayBeInBytes(b) {
			return true
		}
	}
	return false
}

// mayBeIn reports whether s has one of the secret's needles.
func (sec *secretForms) mayBeIn(s string) bool {
	if sec.notUTF8 || strings.IndexByte(s, '%') >= 0 || (sec.space && strings.IndexByte(s, '+') >= 0) {
		return true
	}
	for _, n := range sec.needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// mayBeInBytes is mayBeIn for bytes.
func (sec *secretForms) mayBeInBytes(b []byte) bool {
	if sec.notUTF8 || bytes.IndexByte(b, '%') >= 0 || (sec.space && bytes.IndexByte(b, '+') >= 0) {
		return true
	}
	for _, n := range sec.needles {
		if len(b) >= len(n) && bytes.Contains(b, []byte(n)) {
			return true
		}
	}
	return false
}

// regexps returns the expressions that match the secret: URL-encoded or
// literal, and, from minBase64Secret on, each base64 core. They are made
// once, when first needed.
func (sec *secretForms) regexps() []*regexp.Regexp {
	sec.once.Do(func() {
		sec.res = append(sec.res, regexp.MustCompile(urlForm(sec.text)))
		if len(sec.needles) > 1 {
			alts := make([]string, 0, len(sec.needles)-1)
			for _, core := range sec.needles[1:] {
				alts = append(alts, regexp.QuoteMeta(core))
			}
			sec.res = append(sec.res, regexp.MustCompile(strings.Join(alts, "|")))
		}
	})
	return sec.res
}

// urlForm returns an expression that matches sec with any of its bytes
// written literally or as a %XX escape (either case), and a space as "+".
func urlForm(sec string) string {
	var b strings.Builder
	for i := 0; i < len(sec); {
		r, n := utf8.DecodeRuneInString(sec[i:])
		b.WriteString("(?:")
		if r == utf8.RuneError && n == 1 {
			// Not UTF-8: the matcher reads such a byte as U+FFFD.
			b.WriteString(`\x{FFFD}`)
		} else {
			b.WriteString(regexp.QuoteMeta(sec[i : i+n]))
		}
		b.WriteString("|")
		for j := i; j < i+n; j++ {
			fmt.Fprintf(&b, "%%(?i:%02X)", sec[j])
		}
		if r == ' ' {
			b.WriteString(`|\+`)
		}
		b.WriteString(")")
		i += n
	}
	return b.String()
}

// minBase64Core is the shortest base64 core searched for: a shorter run of
// base64 characters is too common to tell a secret by.
const minBase64Core = 6

// base64Cores returns, for each of the three byte alignments and both
// alphabets, the run of base64 characters that depends on sec's bytes
// alone: whatever precedes or follows sec in the encoded text, an encoding
// of it holds one of these runs.
func base64Cores(sec string) []string {
	var cores []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for pad := range 3 {
			s := enc.EncodeToString(append(make([]byte, pad, pad+len(sec)), sec...))
			// The first group holding any of sec's bytes also holds pad
			// unknown bytes unless pad is 0: skip the characters they
			// touch. The last group may hold unknown bytes after sec: keep
			// only whole groups of sec's own bytes.
			skip, full := 0, (pad+len(sec))/3*4
			if pad > 0 {
				skip = pad + 1
			}
			if full-skip >= minBase64Core {
				cores = append(cores, s[skip:full])
			}
		}
	}
	return cores
}
