package decode

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// unsignedJWT is a JWT with the claims given as JSON and a dummy signature.
func unsignedJWT(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(claims)) + ".c2ln"
}

// FuzzDecode feeds decode's parsing and both its outputs arbitrary token
// text: nothing panics, and nothing printed holds a character a terminal
// may act on.
func FuzzDecode(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(unsignedJWT(`{"sub":"u","exp":1700000000}`))
	f.Add(unsignedJWT(`{"name":"Eve\u001b[31m\u202e\u009b","x\u2066":[1,{"a":null}]}`))
	f.Add(enc([]byte(`{"alg":"none","kid":"\u0000"}`)) + "." + enc([]byte("{\"a\":\"\x9b\xff\"}")) + ".")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add(unsignedJWT(`{"exp":"soon","iat":1e308,"nbf":-1}`))
	now := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, tok string) {
		// inert itself, on the raw text.
		s := cmdutil.Inert(tok)
		if !cmdutil.IsInert(s) || !utf8.ValidString(s) {
			t.Fatalf("inert(%q) = %q is not inert", tok, s)
		}
		p, err := Parse(tok)
		if err != nil {
			return
		}
		for _, format := range []string{cmdutil.OutTable, cmdutil.OutJSON} {
			var buf bytes.Buffer
			if err := Write(&buf, format, p, now); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
				if !cmdutil.IsInert(l) {
					t.Fatalf("%s output line %q is not inert", format, l)
				}
			}
		}
	})
}
