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
//
// [String], [Contains], [Value] and [Error] look for the secrets passed to
// each call; a [Matcher] holds one set of secrets for many texts.
package redact

import (
	"errors"
	"fmt"
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

// String returns s with each of secrets (in each of its forms) and anything
// shaped like a credential replaced by [Marker]. Invalid UTF-8 is replaced,
// so the result is always valid text.
//
// It makes a [Matcher] for the one call: to look at many texts for the
// same secrets, make one with [NewMatcher].
func String(s string, secrets ...string) string {
	return NewMatcher(secrets...).String(s)
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
	return NewMatcher(secrets...).value(v)
}

// value is [Value] with m's secrets.
func (m *Matcher) value(v any) any {
	switch x := v.(type) {
	case string:
		return m.String(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[m.String(k)] = m.value(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = m.value(val)
		}
		return out
	}
	return v
}

// Contains reports whether s holds one of secrets in any of its forms, or
// anything shaped like a credential.
func Contains(s string, secrets ...string) bool {
	return NewMatcher(secrets...).Contains(s)
}

// Error returns err itself when no error reachable from it through Unwrap
// has a secret or a credential in its text, and nil for nil. Otherwise it
// returns an error whose text is err's with them removed. That error does
// not unwrap: errors.As cannot reach the original, whose text holds the
// secret. errors.Is still matches what err matches, and a Timeout or
// Temporary method (net.Error) answers as err's does.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	m := NewMatcher(secrets...)
	if !m.reachable(err, 0) {
		return err
	}
	return &redacted{text: m.String(err.Error()), err: err}
}

// maxDepth bounds the walk over an error tree, against cycles.
const maxDepth = 64

// reachable reports whether err or an error it wraps has one of m's
// secrets or a credential in its text.
func (m *Matcher) reachable(err error, depth int) bool {
	if err == nil || depth > maxDepth {
		return false
	}
	if m.Contains(err.Error()) {
		return true
	}
	if s, ok := err.(fmt.Stringer); ok && m.Contains(s.String()) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return m.reachable(u.Unwrap(), depth+1)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if m.reachable(e, depth+1) {
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
