package redisstore

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

func TestParseRecordReadsWhatEncodeRecordWrites(t *testing.T) {
	tests := []struct {
		name string
		tok  *oauth2.Token
	}{
		{"a minted token", benchToken(1)},
		{"no type, expiry or gateway", &oauth2.Token{AccessToken: "a.b.c"}},
		{"a gateway with a query", tribe.WithGatewayURL(&oauth2.Token{AccessToken: "x", Expiry: time.Unix(1, 0)}, "https://gw.example/g?a=1&b=<2>")},
		{"text beyond ASCII", &oauth2.Token{AccessToken: "jeton-é-ü-😀", TokenType: "Bearer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := encodeRecord(tt.tok)
			require.NoError(t, err)
			var want record
			require.NoError(t, json.Unmarshal(plain, &want))
			got, err := decodeRecord(plain)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			_, fast := parseRecord(plain)
			// encoding/json escapes <, > and & (as \u003c...): those take
			// the slow path, the others the fast one.
			assert.Equal(t, !strings.ContainsAny(tribe.GatewayURL(tt.tok), "<>&"), fast)
		})
	}
}

func TestParseRecordLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"a":"x","a":"y"}`, `{"A":"x"}`, `{ "a":"x"}`, `{"a":"x\ty"}`, `{"a":"x\u0041"}`, "{\"a\":\"\xff\"}",
		`{"a":"x","e":01}`, `{"a":"x","e":1.5}`, `{"a":"x","e":1e9}`, `{"a":"x","e":-}`, `{"a":"x","e":12345678901234567}`,
		`{"a":"x","z":1}`, `{"a":"x",}`, `{"a":"x"}x`, `{"a":null}`, `{"a":"x"`, `[]`, ``,
	} {
		t.Run(in, func(t *testing.T) {
			_, ok := parseRecord([]byte(in))
			assert.False(t, ok)
		})
	}
}

// FuzzParseRecord: whatever parseRecord reads, encoding/json reads the same.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{
		`{"a":"x.y.z","t":"Bearer","e":1900000000,"g":"https://gw.example/api"}`,
		`{"g":"g","e":-0,"t":"","a":"é"}`, `{"a":"x","e":0}`, `{}`, `{"a":"x\"y"}`, "{\"a\":\"\x1f\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseRecord(b)
		if !ok {
			return
		}
		var want record
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("parseRecord read %q, which encoding/json refuses: %v", b, err)
		}
		if got != want {
			t.Fatalf("parseRecord read %q as %+v, encoding/json as %+v", b, got, want)
		}
	})
}

func TestGatewayTemplatesAreBoundedAndShared(t *testing.T) {
	var g gateways
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range maxGateways + 100 {
				gw := "https://c" + strings.Repeat("x", (i+j)%3) + ".example/" + strconv.Itoa(j)
				tok := g.token(record{Access: "a", Type: "Bearer", Gateway: gw, Expiry: 2000000000})
				if tribe.GatewayURL(tok) != gw || tok.AccessToken != "a" || tok.Expiry.Unix() != 2000000000 {
					t.Errorf("token %d of goroutine %d: %+v, gateway %q", j, i, tok, tribe.GatewayURL(tok))
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, len(g.templates), maxGateways)
	// A token's fields are its own: the template is unchanged. (On a set
	// of templates with room: the full one above may keep none for it.)
	var fresh gateways
	a := fresh.token(record{Access: "first", Gateway: "https://c.example/0"})
	b := fresh.token(record{Access: "second", Gateway: "https://c.example/0"})
	assert.Equal(t, "first", a.AccessToken)
	assert.Equal(t, "second", b.AccessToken)
	require.Contains(t, fresh.templates, "https://c.example/0")
	assert.Empty(t, fresh.templates["https://c.example/0"].AccessToken)
}
