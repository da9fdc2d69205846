package api

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/tribekit/tribekit/internal/redact"
)

// An answer may hold a secret of the run (the client secret, the token
// sent, the cache key): a hostile server can echo one. Each string that
// holds one is printed redacted. redact.String tells, but it runs regular
// expressions over all it is given (about a microsecond a byte), far too
// slow for every string of 64 MiB of answers; so each string is first
// looked at for needles, texts that every form of a secret redact.String
// finds contains, and only a string that has one is given to
// redact.String.

// needles are texts one of which is in every form of the secrets that
// [redact.String] finds (see its package doc): literally, URL-encoded with
// any mix of %XX escapes and "+" for a space, and inside standard or
// URL-safe base64 at any byte alignment. More strings than hold a secret
// may have one; none that holds one has none.
type needles struct {
	texts [][]byte // the secrets themselves and their base64 cores
	chars string   // single bytes: '%' for the URL-encoded forms, '+' for a space
}

// newNeedles returns the needles of secrets, none for none.
func newNeedles(secrets []string) needles {
	var n needles
	for _, sec := range secrets {
		if len(sec) < redact.MinSecretLen {
			continue
		}
		// A URL-encoded form has a '%' unless it is the secret itself,
		// or the secret with "+" for spaces.
		n.texts = append(n.texts, []byte(sec))
		if !strings.Contains(n.chars, "%") {
			n.chars += "%"
		}
		if strings.Contains(sec, " ") && !strings.Contains(n.chars, "+") {
			n.chars += "+"
		}
		if !utf8.ValidString(sec) {
			// redact matches such a byte as U+FFFD.
			n.texts = append(n.texts, []byte(strings.ToValidUTF8(sec, "\uFFFD")))
		}
		for _, core := range base64Cores(sec) {
			n.texts = append(n.texts, []byte(core))
		}
	}
	return n
}

// any reports whether s has one of the needles.
func (n needles) any(s []byte) bool {
	if len(n.texts) == 0 {
		return false
	}
	if bytes.ContainsAny(s, n.chars) {
		return true
	}
	for _, t := range n.texts {
		if len(s) >= len(t) && bytes.Contains(s, t) {
			return true
		}
	}
	return false
}

// minBase64Core is the shortest base64 core redact looks for: a shorter
// run of base64 characters is too common to tell a secret by.
const minBase64Core = 6

// base64Cores returns, for each of the three byte alignments and both
// alphabets, the run of base64 characters that depends on sec's bytes
// alone: whatever precedes or follows sec in the encoded text, an encoding
// of it holds one of these runs (as redact finds them).
func base64Cores(sec string) []string {
	var cores []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for pad := range 3 {
			s := enc.EncodeToString(append(make([]byte, pad), sec...))
			// The first group holding sec's bytes also holds pad unknown
			// bytes unless pad is 0: skip the characters they touch; the
			// last may hold unknown bytes after sec: keep whole groups.
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
