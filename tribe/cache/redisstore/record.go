package redisstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// record is a token as it is stored: its JSON (RFC 8259) with short
// names, for bytes per identity.
type record struct {
	Access  string `json:"a"`
	Type    string `json:"t,omitempty"`
	Expiry  int64  `json:"e,omitempty"` // Unix seconds
	Gateway string `json:"g,omitempty"`
}

// maxUnix is the year 9999: a later expiry is no expiry.
const maxUnix = 253402300799

// encodeRecord returns tok's record as JSON.
func encodeRecord(tok *oauth2.Token) ([]byte, error) {
	r := record{Access: tok.AccessToken, Type: tok.TokenType, Gateway: tribe.GatewayURL(tok)}
	if !utf8.ValidString(r.Access) || !utf8.ValidString(r.Type) || !utf8.ValidString(r.Gateway) {
		return nil, errors.New("redisstore: the token is not valid UTF-8, so it is not stored")
	}
	if !tok.Expiry.IsZero() {
		r.Expiry = tok.Expiry.Unix()
	}
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("redisstore: encoding a token: %w", err)
	}
	return plain, nil
}

// decodeRecord reads a record's JSON: as encodeRecord writes it, in one
// pass that allocates only the one string its fields share
// ([parseRecord]); anything else with encoding/json.
func decodeRecord(plain []byte) (record, error) {
	if r, ok := parseRecord(plain); ok {
		return r, nil
	}
	var r record
	if err := json.Unmarshal(plain, &r); err != nil {
		return record{}, err
	}
	return r, nil
}

// parseRecord reads the JSON object encodeRecord writes: the keys a, t, e
// and g, each at most once, in any order, with no space, strings free of
// escapes and control characters and valid UTF-8, and e an integer. It
// returns false for anything else (which encoding/json may still read):
// what it returns is what encoding/json would return for the same input
// (FuzzParseRecord checks it).
func parseRecord(b []byte) (record, bool) {
	var spans [3][2]int // of a, t and g
	var expiry int64
	var seen uint8
	if len(b) < 2 || b[0] != '{' {
		return record{}, false
	}
	i := 1
	for i < len(b) && b[i] != '}' {
		if seen != 0 {
			if b[i] != ',' {
				return record{}, false
			}
			i++
		}
		// A key of one letter: "k":
		if i+4 > len(b) || b[i] != '"' || b[i+2] != '"' || b[i+3] != ':' {
			return record{}, false
		}
		k := b[i+1]
		i += 4
		var bit uint8
		switch k {
		case 'a', 't', 'g':
			f := 0
			if k == 't' {
				f = 1
			} else if k == 'g' {
				f = 2
			}
			bit = 1 << f
			if i >= len(b) || b[i] != '"' {
				return record{}, false
			}
			n := bytes.IndexByte(b[i+1:], '"')
			if n < 0 || !plainString(b[i+1:i+1+n]) {
				return record{}, false
			}
			spans[f] = [2]int{i + 1, i + 1 + n}
			i += n + 2
		case 'e':
			bit = 1 << 3
			neg := i < len(b) && b[i] == '-'
			if neg {
				i++
			}
			start := i
			for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
				if i-start == 15 || (i == start+1 && b[start] == '0') {
					return record{}, false // far past any expiry, or a leading zero
				}
				expiry = expiry*10 + int64(b[i]-'0')
			}
			if i == start {
				return record{}, false
			}
			if neg {
				expiry = -expiry
			}
		default:
			return record{}, false
		}
		if seen&bit != 0 {
			return record{}, false
		}
		seen |= bit
	}
	if i != len(b)-1 {
		return record{}, false
	}
	s := string(b) // one allocation for every field
	return record{
		Access: s[spans[0][0]:spans[0][1]], Type: s[spans[1][0]:spans[1][1]],
		Expiry: expiry, Gateway: s[spans[2][0]:spans[2][1]],
	}, true
}

// plainString reports whether s, the inside of a JSON string, reads as it
// is: no escape, no control character, valid UTF-8. It checks eight bytes
// at a time (https://graphics.stanford.edu/~seander/bithacks.html#HasLessInWord).
func plainString(s []byte) bool {
	if bytes.IndexByte(s, '\\') >= 0 {
		return false
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ascii := true
	rest := s
	for ; len(rest) >= 8; rest = rest[8:] {
		x := binary.LittleEndian.Uint64(rest)
		if (x-0x20*ones)&^x&highs != 0 { // a byte below 0x20
			return false
		}
		ascii = ascii && x&highs == 0
	}
	for _, c := range rest {
		if c < 0x20 {
			return false
		}
		ascii = ascii && c < 0x80
	}
	return ascii || utf8.Valid(s)
}

// maxGateways bounds the gateway URLs a store keeps a template token for:
// one per community its tokens are for.
const maxGateways = 1024

// gateways keeps, per gateway URL, a token that carries it as
// [tribe.WithGatewayURL] sets it, so that a token read from Redis is one
// copy of it rather than a token, a map and a copy. It is safe for
// concurrent use. The templates are never handed out, nor changed.
type gateways struct {
	mu        sync.RWMutex
	templates map[string]*oauth2.Token
}

// token returns the token of r.
func (g *gateways) token(r record) *oauth2.Token {
	tok := new(oauth2.Token)
	if r.Gateway != "" {
		*tok = *g.template(r.Gateway)
	}
	tok.AccessToken, tok.TokenType = r.Access, r.Type
	if r.Expiry > 0 && r.Expiry < maxUnix {
		tok.Expiry = time.Unix(r.Expiry, 0)
	}
	return tok
}

// template returns the template token of gateway, made if need be (each
// time, for a nil g).
func (g *gateways) template(gateway string) *oauth2.Token {
	if g == nil {
		return tribe.WithGatewayURL(&oauth2.Token{}, gateway)
	}
	g.mu.RLock()
	t := g.templates[gateway]
	g.mu.RUnlock()
	if t != nil {
		return t
	}
	t = tribe.WithGatewayURL(&oauth2.Token{}, gateway)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.templates == nil {
		g.templates = make(map[string]*oauth2.Token)
	}
	if len(g.templates) < maxGateways {
		g.templates[gateway] = t
	}
	return t
}
