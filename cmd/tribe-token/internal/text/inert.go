// Package text is how tribe-token shows text to people: text from a server
// or a token made inert for a terminal ([Inert]), values clipped so that no
// message echoes a huge one ([Clip]), aligned tables ([Table]), times and
// waits for people ([DescribeTime], [RoughDuration], [Wait]), shell quoting
// ([ShellQuote]), and whether a stream is a terminal ([IsTerminal]).
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text from a server or a token is shown on a terminal, where control
// characters are commands: ESC and the 8-bit CSI start escape sequences
// (ECMA-48) that can recolour, retitle, hide or rewrite what is shown, and
// bidirectional controls reorder it (the "Trojan Source" problem, Unicode
// UTR #9). [Inert] makes such text harmless by showing those characters as
// visible escapes.

// mustEscape reports whether r is shown as an escape: C0 controls (tab,
// newline and carriage return included), DEL, C1 controls, the line and
// paragraph separators, and the bidirectional formatting characters.
func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	switch r {
	case 0x200e, 0x200f, 0x061c, 0x2028, 0x2029:
		return true
	}
	return false
}

// Inert returns s with every character [mustEscape] names written as a
// visible escape: \t, \n and \r for tab, newline and carriage return, \xNN
// for the others below U+0080 (ESC is \x1b), \uNNNN for the
// others (U+202E is \u202e), and \xNN for each byte that is not UTF-8 (a
// lone 0x9b, the 8-bit CSI, is \x9b). Backslashes are left as they are, so
// that paths and text read as they are written; an escape in the result is
// therefore not told apart from the same characters in s.
func Inert(s string) string {
	if IsInert(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && mustEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case mustEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// IsInert reports whether s is valid UTF-8 without a character
// [mustEscape] names.
func IsInert(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || mustEscape(r) {
			return false
		}
		i += n
	}
	return true
}

// InertJSON returns JSON text b with every character [mustEscape] names
// that encoding/json leaves as it is (DEL, C1 controls and the
// bidirectional controls) written as a \uNNNN escape. Outside strings JSON
// has only ASCII punctuation, letters, digits and white space, so such a
// character is always inside a string, where the escape stands for the same
// character: a JSON reader sees the same values.
func InertJSON(b []byte) []byte {
	s := string(b)
	var out strings.Builder
	out.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r >= 0x20 && mustEscape(r) && n > 0 && !(r == utf8.RuneError && n == 1) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.WriteString(s[i : i+n])
		}
		i += n
	}
	return []byte(out.String())
}
