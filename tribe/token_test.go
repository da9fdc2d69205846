package tribe

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"golang.org/x/oauth2"
)

func fakeJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestJWTExpiry(t *testing.T) {
	tests := []struct {
		name  string
		token string
		want  time.Time
	}{
		{"integer exp", fakeJWT(`{"id":"m1","exp":1700000000}`), time.Unix(1700000000, 0)},
		{"fractional exp", fakeJWT(`{"exp":1700000000.5}`), time.Unix(1700000000, 500_000_000)},
		{"no exp", fakeJWT(`{"id":"m1"}`), time.Time{}},
		{"string exp", fakeJWT(`{"exp":"soon"}`), time.Time{}},
		{"negative exp", fakeJWT(`{"exp":-5}`), time.Time{}},
		{"huge exp", fakeJWT(`{"exp":1e300}`), time.Time{}},
		{"exp past the year 9999", fakeJWT(`{"exp":253402300800}`), time.Time{}},
		{"exp at the end of 9999", fakeJWT(`{"exp":253402300799}`), time.Unix(253402300799, 0)},
		{"zero exp", fakeJWT(`{"exp":0}`), time.Time{}},
		{"payload not JSON", fakeJWT(`not json`), time.Time{}},
		{"opaque token", "3f1c0a9b8e7d6c5b", time.Time{}},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9", time.Time{}},
		{"four parts", fakeJWT(`{"exp":1700000000}`) + ".x", time.Time{}},
		{"claim names match exactly", fakeJWT(`{"EXP":1700000000,"Exp":1700000001}`), time.Time{}},
		{"a repeated claim's last value counts", fakeJWT(`{"exp":1,"exp":1700000000}`), time.Unix(1700000000, 0)},
		{"invalid UTF-8 elsewhere", fakeJWT("{\"name\":\"\xff\",\"exp\":1700000000}"), time.Unix(1700000000, 0)},
		{"bad base64", "a.!!!.c", time.Time{}},
		{"empty", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.want.Equal(JWTExpiry(tt.token)), "got %v", JWTExpiry(tt.token))
		})
	}
}

func TestNewTokenGateway(t *testing.T) {
	tok := newToken(fakeJWT(`{"exp":1700000000}`), "https://gw.example/graphql", time.Unix(1699990000, 0))
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Equal(t, "https://gw.example/graphql", GatewayURL(tok))
	assert.Equal(t, time.Unix(1700000000, 0), tok.Expiry)

	assert.Equal(t, "", GatewayURL(newToken("opaque", "", time.Now())))
	assert.Equal(t, "", GatewayURL(nil))
}

func TestWithGatewayURL(t *testing.T) {
	tok := WithGatewayURL(&oauth2.Token{AccessToken: "a"}, "https://gw.example/graphql")
	assert.Equal(t, "https://gw.example/graphql", GatewayURL(tok))
	assert.Nil(t, WithGatewayURL(nil, "x"))
	plain := &oauth2.Token{AccessToken: "b"}
	assert.Same(t, plain, WithGatewayURL(plain, ""))
}

func TestNumericClaimReadsAsADecoderWould(t *testing.T) {
	for raw, want := range map[string]int64{
		`1700000000`: 1700000000, `"1700000000"`: 1700000000, `"\u0031700000000"`: 1700000000,
		`1.7e9`: 1700000000, `"0x10"`: 0, `01`: 0, `"1_000"`: 0, `-5`: 0, `"NaN"`: 0, `true`: 0, ``: 0,
	} {
		got := numericClaim(jsontext.Value(raw))
		if want == 0 {
			assert.True(t, got.IsZero(), raw)
			continue
		}
		assert.Equal(t, want, got.Unix(), raw)
	}
}
