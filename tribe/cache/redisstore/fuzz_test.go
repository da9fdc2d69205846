package redisstore

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// FuzzOpen: no stored value, however made, makes the store panic; what
// it reads back is what was sealed for that key, and a value sealed for one
// key or under one key does not open for another.
func FuzzOpen(f *testing.F) {
	sealed, err := newSealer([][]byte{testKey(1)}, false)
	if err != nil {
		f.Fatal(err)
	}
	other, err := newSealer([][]byte{testKey(2)}, false)
	if err != nil {
		f.Fatal(err)
	}
	plain, err := newSealer(nil, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("s\x00\x00\x00\x00garbage"), "tok-1", "https://gw.example/n")
	f.Add([]byte(`p{"a":"x","e":99999999999999}`), "", "")
	f.Add([]byte(`p{"a":"","g":"x"}`), "a.b.c", "")
	f.Add([]byte{}, "t", "g")
	f.Fuzz(func(t *testing.T, raw []byte, access, gateway string) {
		for _, s := range []*sealer{sealed, plain} {
			if tok, err := s.open("k1", raw); err == nil && tok.AccessToken == "" {
				t.Fatal("a token without an access token was read")
			}
		}
		if access == "" {
			return
		}
		tok := tribe.WithGatewayURL(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: time.Unix(1_900_000_000, 0)}, gateway)
		for _, s := range []*sealer{sealed, plain} {
			v, err := s.seal("k1", tok)
			if !utf8.ValidString(access) || !utf8.ValidString(gateway) {
				if err == nil {
					t.Fatal("a token that is not UTF-8 was sealed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.open("k1", v)
			if err != nil {
				t.Fatalf("a sealed token does not open: %v", err)
			}
			if got.AccessToken != access || tribe.GatewayURL(got) != gateway || !got.Expiry.Equal(tok.Expiry) {
				t.Fatalf("the token changed on its way through Redis")
			}
			if s == sealed {
				if _, err := s.open("k2", v); err == nil {
					t.Fatal("a value opened under another key")
				}
				if _, err := other.open("k1", v); err == nil {
					t.Fatal("a value opened with another encryption key")
				}
				if strings.Contains(string(v), access) && len(access) > 8 {
					t.Fatal("the access token is in the sealed value")
				}
			}
		}
	})
}

// FuzzParseKeys: no text makes ParseKeys panic or echo a key in its error;
// every key it returns is 32 bytes.
func FuzzParseKeys(f *testing.F) {
	f.Add("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
	f.Add("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=,AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n")
	f.Add("not base64 at all")
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := ParseKeys(text)
		if err != nil {
			for _, field := range strings.Fields(text) {
				if len(field) >= 16 && strings.Contains(err.Error(), field) {
					t.Fatalf("the error echoes the input: %v", err)
				}
			}
			return
		}
		for _, k := range keys {
			if len(k) != KeySize {
				t.Fatalf("a key of %d bytes", len(k))
			}
		}
	})
}

// FuzzOpenMessage: no message on the channel makes the store panic; what
// it reads names a key (and a lease's fencing value, for a release or a
// failure); a store with keys reads nothing in clear.
func FuzzOpenMessage(f *testing.F) {
	const channel = DefaultPrefix + ":events"
	plainSealer, err := newSealer(nil, true)
	if err != nil {
		f.Fatal(err)
	}
	keySealer, err := newSealer([][]byte{testKey(1)}, false)
	if err != nil {
		f.Fatal(err)
	}
	plain := &Store{seal: plainSealer, channel: channel}
	keyed := &Store{seal: keySealer, channel: channel}
	genuine, err := keyed.sealMessage(message{kind: msgFailed, fence: "f00d", failure: "forbidden", key: "tribekit/v1|ns|net|NETWORK|net|m"})
	if err != nil {
		f.Fatal(err)
	}
	if m, ok := keyed.openMessage(genuine); !ok || m.failure != "forbidden" || m.fence != "f00d" {
		f.Fatalf("a sealed message reads back as %+v, %t", m, ok)
	}
	if _, ok := plain.openMessage(genuine); ok {
		f.Fatal("a store without keys read a sealed message")
	}
	f.Add(genuine)
	f.Add("pr|f00d|tribekit/v1|ns|net|NETWORK|net|")
	f.Add("pf|f00d|forbidden|k")
	f.Add("pf||forbidden|k")
	f.Add("pi||k")
	f.Add("pi|0011223344556677|tribekit/v1|a|b|c|d|e")
	f.Add("px|y")
	f.Add("f|forbidden|k")
	f.Fuzz(func(t *testing.T, payload string) {
		for _, s := range []*Store{plain, keyed} {
			m, ok := s.openMessage(payload)
			switch {
			case !ok:
			case m.key == "":
				t.Fatal("a message without a key")
			case len(payload) > maxMessage:
				t.Fatal("an overlong message was read")
			case m.kind != msgInvalidated && m.fence == "":
				t.Fatal("a lease's message without its fencing value")
			case s == keyed && payload[0] != formatSealed:
				t.Fatalf("a store with keys read a message in clear: %q", payload)
			}
		}
	})
}
