// Package redact removes secrets from text that may reach a person: error
// messages, log lines and the bounded pieces of server bodies that errors
// keep. It is the one implementation shared by every package of this module,
// with one marker, [Marker].
//
// A secret is caught in each form a server or a library may echo it in:
//   - literally;
//   - URL-encoded, with any mix of %XX escapes (either case of hex) and "+"
//     for a space, as in a form body or a query string;
//   - inside standard or URL-safe base64, as in an HTTP Basic
//     Authorization header (RFC 7617 section 2), at any byte alignment.
//
// Independently of the secrets passed in, anything shaped like a credential
// is removed too: a JWT (RFC 7519), a "Basic …" or "Bearer …" credential
// (RFC 7617, RFC 6750), and the value of a form or JSON field named like a
// credential (password, client_secret, access_token, refresh_token,
// code_verifier, assertion and their kin), and an authorization code in a
// query string (RFC 6749 section 4.1.2).
package redact

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Marker replaces every secret and credential-shaped piece of text.
const Marker = "[REDACTED]"

// MinSecretLen is the length under which a secret is not searched for in
// text: no real secret is that short, and replacing one would garble every
// message. Credential-shaped text is removed whatever its length.
const MinSecretLen = 4

// minBase64Secret is the length from which a secret is also searched for
// inside base64 text. Shorter secrets leave too short a run of base64
// characters that depends on them alone to be told from ordinary words.
const minBase64Secret = 8

// shaped matches credentials by their shape: JWTs, Basic and Bearer
// credentials, and the values of fields named like a credential in a form
// body, a query string or a JSON object.
var shaped = regexp.MustCompile(
	`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*` +
		`|(?i:\b(?:basic|bearer)(?:\s|%20|\+)+[A-Za-z0-9._~+/=%-]+)` +
		// A JSON member: "name": "value" (or an unquoted value).
		`|(?i:("(?:` + credentialNames + `)"\s*:\s*"?)[^"&\s,;}\[\]][^"&\s,;}\]]*)` +
		// A form or query field: name=value, possibly URL-encoded.
		`|(?i:((?:^|[^A-Za-z0-9_%])(?:` + credentialNames + `)(?:=|%3D))[^"&\s,;}\[\]][^"&\s,;}\]]*)` +
		`|([?&]code=)[^&#\s"\[][^&#\s"]*`)

// credentialNames are the names of form fields, query parameters and JSON
// members whose value is a credential.
const credentialNames = `password|passwd|client_secret|clientSecret|access_token|accessToken|refresh_token|refreshToken|id_token|code_verifier|client_assertion|assertion`

// String returns s with each of secrets (in each of its forms) and anything
// shaped like a credential replaced by [Marker]. Invalid UTF-8 is replaced,
// so the result is always valid text.
func String(s string, secrets ...string) string {
	for _, re := range patterns(secrets) {
		s = re.ReplaceAllLiteralString(s, Marker)
	}
	s = shaped.ReplaceAllStringFunc(s, replaceShaped)
	return strings.ToValidUTF8(s, "\uFFFD")
}

// MaxBody bounds the piece of a response body an error keeps ([Body]).
const MaxBody = 512

// Body returns what an error may keep of a response body: at most
// [MaxBody] bytes of it, with the given secrets and anything
// credential-shaped replaced.
func Body(b []byte, secrets ...string) string {
	return Bounded(b, MaxBody, secrets...)
}

// Bounded returns at most max bytes of String(string(b), secrets...), cut
// on a rune boundary and ended with "…" when cut. The secrets are removed
// before the cut, so no part of one survives at the edge.
func Bounded(b []byte, max int, secrets ...string) string {
	s := String(string(b), secrets...)
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Value returns v, a value decoded from JSON, with every string in it
// (map keys too) passed through [String]. Maps and slices are copied.
func Value(v any, secrets ...string) any {
	switch x := v.(type) {
	case string:
		return String(x, secrets...)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[String(k, secrets...)] = Value(val, secrets...)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = Value(val, secrets...)
		}
		return out
	}
	return v
}

// Contains reports whether s holds one of secrets in any of its forms, or
// anything shaped like a credential.
func Contains(s string, secrets ...string) bool {
	for _, re := range patterns(secrets) {
		if re.MatchString(s) {
			return true
		}
	}
	return shaped.MatchString(s)
}

// Error returns err itself when no error reachable from it through Unwrap
// has a secret or a credential in its text, and nil for nil. Otherwise it
// returns an error whose text is err's with them removed. That error does
// not unwrap: errors.As cannot reach the original, whose text holds the
// secret. errors.Is still matches what err matches, and a Timeout or
// Temporary method (net.Error) answers as err's does.
func Error(err error, secrets ...string) error {
	if err == nil || !reachable(err, secrets, 0) {
		return err
	}
	return &redacted{text: String(err.Error(), secrets...), err: err}
}

// maxDepth bounds the walk over an error tree, against cycles.
const maxDepth = 64

func reachable(err error, secrets []string, depth int) bool {
	if err == nil || depth > maxDepth {
		return false
	}
	if Contains(err.Error(), secrets...) {
		return true
	}
	if s, ok := err.(fmt.Stringer); ok && Contains(s.String(), secrets...) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return reachable(u.Unwrap(), secrets, depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if reachable(e, secrets, depth+1) {
				return true
			}
		}
	}
	return false
}

// redacted is an error whose text had secrets removed. It hides the error
// it stands for from errors.As and errors.Unwrap, and answers errors.Is for
// it.
type redacted struct {
	text string
	err  error
}

func (e *redacted) Error() string { return e.text }

// Is reports whether the original error matches target.
func (e *redacted) Is(target error) bool { return errors.Is(e.err, target) }

// Timeout reports whether the original error was a timeout.
func (e *redacted) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

// Temporary reports whether the original error was temporary.
func (e *redacted) Temporary() bool {
	var t interface{ Temporary() bool }
	return errors.As(e.err, &t) && t.Temporary()
}

// replaceShaped keeps the field name of a "name=value" match and replaces
// the rest.
func replaceShaped(m string) string {
	sub := shaped.FindStringSubmatch(m)
	for _, name := range sub[1:] {
		if name != "" {
			return name + Marker
		}
	}
	return Marker
}

// patterns returns, for each secret long enough, the expressions that
// match it: URL-encoded or literal, and each base64 core.
func patterns(secrets []string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, sec := range secrets {
		if len(sec) < MinSecretLen {
			continue
		}
		out = append(out, regexp.MustCompile(urlForm(sec)))
		if len(sec) >= minBase64Secret {
			var alts []string
			for _, core := range base64Cores(sec) {
				alts = append(alts, regexp.QuoteMeta(core))
			}
			out = append(out, regexp.MustCompile(strings.Join(alts, "|")))
		}
	}
	return out
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

// base64Cores returns, for each of the three byte alignments and both
// alphabets, the run of base64 characters that depends on sec's bytes
// alone: whatever precedes or follows sec in the encoded text, an encoding
// of it holds one of these runs.
func base64Cores(sec string) []string {
	var cores []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for pad := 0; pad < 3; pad++ {
			buf := make([]byte, pad+len(sec))
			copy(buf[pad:], sec)
			s := enc.EncodeToString(buf)
			// The first group holding any of sec's bytes also holds pad
			// unknown bytes unless pad is 0; skip the characters they touch.
			skip := 0
			if pad > 0 {
				skip = pad + 1
			}
			// The last group may hold unknown bytes after sec: keep only
			// whole groups of sec's own bytes.
			full := (pad + len(sec)) / 3 * 4
			if full-skip < 6 {
				continue
			}
			cores = append(cores, s[skip:full])
		}
	}
	return cores
}
