package text

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxEcho is how many runes of a value given by the user (an id, a URL, a
// flag's value) a message echoes at most; the rest is cut to "…".
const MaxEcho = 64

// MaxLine bounds a whole error or warning line, whatever it quotes (a
// server's message, a library's error), in bytes.
const MaxLine = 4096

// Clip returns s cut to [MaxEcho] runes followed by "…" if it is longer, so
// that a message never echoes a huge value back (a 100 KB id gives a line
// of about a hundred bytes, not 200 KB). Invalid UTF-8 counts a rune per
// byte.
func Clip(s string) string { return clipRunes(s, MaxEcho) }

// clipRunes is [Clip] with a bound of n runes.
func clipRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "…"
}

// ClipLine bounds a whole line to [MaxLine] bytes, cut on a rune boundary.
func ClipLine(s string) string {
	if len(s) <= MaxLine {
		return s
	}
	cut := MaxLine
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRight(s[:cut], " ") + "… (message cut)"
}

// quoted matches a Go-quoted string in a message, such as pflag's
// `invalid argument "VALUE" for "--timeout" flag`.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// ClipQuoted clips each quoted value of msg longer than [MaxEcho] runes, so
// that no error line, whoever wrote it, echoes a huge value.
func ClipQuoted(msg string) string {
	if len(msg) <= MaxEcho+2 {
		return msg
	}
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		inner := q[1 : len(q)-1]
		c := clipRunes(inner, MaxEcho)
		if c == inner {
			return q
		}
		// Do not leave a lone backslash that escaped the cut character.
		body := strings.TrimSuffix(c, "…")
		if n := len(body) - len(strings.TrimRight(body, `\`)); n%2 == 1 {
			body = body[:len(body)-1]
		}
		return `"` + body + `…"`
	})
}
