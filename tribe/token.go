package tribe

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	json2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/oauth2"
)

// gatewayURLKey is the oauth2.Token extra that carries limitedToken's
// gatewayUrl.
const gatewayURLKey = "gatewayUrl"

// GatewayURL returns the per-community endpoint that limitedToken returned
// with tok (https://developers.bettermode.com/docs/guide/graphql/authentication/app), or "" if it returned none.
func GatewayURL(tok *oauth2.Token) string {
	if tok == nil {
		return ""
	}
	s, _ := tok.Extra(gatewayURLKey).(string)
	return s
}

// WithGatewayURL returns a copy of tok that carries gatewayURL, as a minted
// token does (see [GatewayURL]). A token store (such as
// [github.com/tribekit/tribekit/tribe/cache.Store]) that serializes tokens loses
// oauth2.Token's extras: keep GatewayURL(tok) beside the token and restore it
// with this.
func WithGatewayURL(tok *oauth2.Token, gatewayURL string) *oauth2.Token {
	if tok == nil || gatewayURL == "" {
		return tok
	}
	return tok.WithExtra(map[string]any{gatewayURLKey: gatewayURL})
}

// newToken makes the oauth2 token for an access token minted at now, with
// its Expiry bounded by boundedExpiry.
func newToken(access, gatewayURL string, now time.Time) *oauth2.Token {
	return WithGatewayURL(&oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: boundedExpiry(JWTExpiry(access), now)}, gatewayURL)
}

// Bounds on the life of a minted token whose exp cannot be taken as it is.
const (
	// UnknownTokenLifetime is how long a minted token is used when its exp
	// is missing or absurd (not a number, not positive, past the year
	// 9999): long enough not to mint often, short enough that a token
	// never stays for ever.
	UnknownTokenLifetime = time.Hour
	// MinTokenLifetime is how long a minted token is used at least, when
	// its exp has already passed (or nearly) at mint, as a clock that is
	// off makes it: the server judges such a token, and this keeps a
	// cache from minting on every call meanwhile.
	MinTokenLifetime = time.Minute
)

// boundedExpiry is the Expiry of a token minted at now whose JWT says exp:
// exp itself when it is at least MinTokenLifetime away, now plus
// MinTokenLifetime when it is nearer or past, and now plus
// UnknownTokenLifetime when there is no usable exp (zero).
func boundedExpiry(exp, now time.Time) time.Time {
	switch {
	case exp.IsZero():
		return now.Add(UnknownTokenLifetime)
	case exp.Sub(now) < MinTokenLifetime:
		return now.Add(MinTokenLifetime)
	}
	return exp
}

// JWTExpiry reads the exp claim of a JWT without verifying its signature. It
// returns the zero time when token is not a JWT or has no numeric exp.
func JWTExpiry(token string) time.Time {
	exp, _ := jwtTimes(token)
	return exp
}

// JWTIssuedAt reads the iat claim of a JWT without verifying its
// signature. It returns the zero time when token is not a JWT or has no
// numeric iat.
func JWTIssuedAt(token string) time.Time {
	_, iat := jwtTimes(token)
	return iat
}

// jwtTimes reads the exp and iat claims, NumericDates (RFC 7519 section 2),
// of a JWT, unverified; each is zero if it is missing or not a positive
// number. The claims are decoded into a struct of the two, which skips the
// others without keeping them (github.com/go-json-experiment/json, the
// module that mirrors encoding/json/v2, does it in one pass). Claim names
// match exactly, not in any case as encoding/json would match them, and a
// repeated claim's last value counts, as RFC 7519 section 4 allows.
func jwtTimes(token string) (exp, iat time.Time) {
	payload, ok := jwtPayload(token)
	if !ok {
		return time.Time{}, time.Time{}
	}
	var claims struct {
		Exp dateClaim `json:"exp"`
		Iat dateClaim `json:"iat"`
	}
	if unmarshalLenient(payload, &claims) != nil {
		return time.Time{}, time.Time{}
	}
	return claims.Exp.t, claims.Iat.t
}

// dateClaim is a NumericDate claim, read by numericClaim straight from
// the decoder, without a copy of its value.
type dateClaim struct{ t time.Time }

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (c *dateClaim) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	c.t = numericClaim(v)
	return nil
}

// unmarshalLenient decodes b into v as leniently as encoding/json does: a
// repeated name keeps its last value, and invalid UTF-8 in a string is
// replaced with U+FFFD rather than refused.
func unmarshalLenient(b []byte, v any) error {
	return json2.Unmarshal(b, v, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// numericClaim reads a NumericDate from a claim's JSON value: a number, or
// a string holding one (as encoding/json reads a json.Number), without a
// second decoder pass.
func numericClaim(raw jsontext.Value) time.Time {
	s := string(raw)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		if strings.IndexByte(s, '\\') >= 0 { // escapes: let the decoder read them
			var n string
			if unmarshalLenient(raw, &n) != nil {
				return time.Time{}
			}
			s = n
		} else {
			s = s[1 : len(s)-1]
		}
	}
	if !isJSONNumber(s) {
		return time.Time{}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}
	}
	return numericDate(f)
}

// isJSONNumber reports whether s is a number in JSON's grammar (RFC 8259
// section 6): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// maxNumericDate is the last second of the year 9999, the latest exp or
// iat taken at its word.
const maxNumericDate = 253402300799

// numericDate is f seconds since the epoch; zero unless positive and no
// later than the year 9999.
func numericDate(f float64) time.Time {
	if !(f > 0) || f > maxNumericDate {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// jwtPayload returns the decoded claims segment of a compact JWS.
func jwtPayload(token string) ([]byte, bool) {
	header, rest, ok := strings.Cut(token, ".")
	claims, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || header == "" || claims == "" || strings.Contains(sig, ".") {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(claims, "="))
	return payload, err == nil
}

// tokenNetwork returns the networkId claim of a token (unverified), the
// community a Pacer counts its calls in; "" when there is none.
func tokenNetwork(tok *oauth2.Token) string {
	if tok == nil {
		return ""
	}
	payload, ok := jwtPayload(tok.AccessToken)
	if !ok {
		return ""
	}
	var claims struct {
		NetworkID string `json:"networkId"`
	}
	_ = unmarshalLenient(payload, &claims)
	return claims.NetworkID
}
