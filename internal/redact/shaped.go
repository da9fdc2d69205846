package redact

import "regexp"

// shaped matches credentials by their shape: JWTs, Basic and Bearer
// credentials, and the values of fields named like a credential in a form
// body, a query string or a JSON object. It runs only on text that
// mayBeShaped lets through.
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

// mayBeShaped reports whether s may hold a match of shaped: whether it
// has, in any case, one of the words one of which each match holds: "eyj"
// of a JWT, "basic" and "bearer", and a piece of each of credentialNames
// and of "code=" ("passw" of password and passwd, "secret", "token",
// "code", "assertion"). The expression's (?i) also matches s and k with
// the long s (U+017F) and the Kelvin sign (U+212A), the two letters
// outside ASCII that Unicode folds to ASCII ones: a text with either may
// hold a match too.
func mayBeShaped(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		c := s[i]
		if c >= utf8Self {
			if (c == 0xc5 && s[i+1] == 0xbf) || // U+017F
				(c == 0xe2 && i+2 < len(s) && s[i+1] == 0x84 && s[i+2] == 0xaa) { // U+212A
				return true
			}
			continue
		}
		if shapeFirsts>>(c&31)&1 == 0 {
			continue
		}
		// Each word is told by its first two letters, then read whole. The
		// switch is the table of words: a loop over a list of them took
		// four times as long (BenchmarkMayBeShaped).
		var word string
		switch uint16(c|0x20)<<8 | uint16(s[i+1]|0x20) {
		case 'e'<<8 | 'y':
			word = "eyj"
		case 'b'<<8 | 'a':
			word = "basic"
		case 'b'<<8 | 'e':
			word = "bearer"
		case 'p'<<8 | 'a':
			word = "passw"
		case 's'<<8 | 'e':
			word = "secret"
		case 't'<<8 | 'o':
			word = "token"
		case 'c'<<8 | 'o':
			word = "code"
		case 'a'<<8 | 's':
			word = "assertion"
		default:
			continue
		}
		if hasFoldPrefix(s[i:], word) {
			return true
		}
	}
	return false
}

// shapeFirsts has the bit 1<<(c&31) set for each letter c a word of
// mayBeShaped starts with, in either case (and for other bytes that share
// those five bits, which the switch then tells apart).
const shapeFirsts = 1<<('a'&31) | 1<<('b'&31) | 1<<('c'&31) | 1<<('e'&31) | 1<<('p'&31) | 1<<('s'&31) | 1<<('t'&31)

// utf8Self is the first byte that is not a character of its own in UTF-8.
const utf8Self = 0x80

// hasFoldPrefix reports whether s starts with word (lower-case ASCII
// letters) in any case.
func hasFoldPrefix(s, word string) bool {
	if len(s) < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if s[i]|0x20 != word[i] {
			return false
		}
	}
	return true
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
