package tribe

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// gatewayURLKey is the oauth2.Token extra that carries limitedToken's
// gatewayUrl.
const gatewayURLKey = "gatewayUrl"

// GatewayURL returns the per-community endpoint that limitedToken returned
// with tok (TRIBE_API.md section 1), or "" if it returned none.
func GatewayURL(tok *oauth2.Token) string {
	if tok == nil {
		return ""
	}
	s, _ := tok.Extra(gatewayURLKey).(string)
	return s
}

// newToken makes the oauth2 token for a minted access token.
func newToken(access, gatewayURL string) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: access, TokenType: "Bearer", Expiry: JWTExpiry(access)}
	if gatewayURL != "" {
		tok = tok.WithExtra(map[string]any{gatewayURLKey: gatewayURL})
	}
	return tok
}

// JWTExpiry reads the exp claim of a JWT without verifying its signature. It
// returns the zero time when token is not a JWT or has no numeric exp.
func JWTExpiry(token string) time.Time {
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if !decodeJWTPayload(token, &claims) || claims.Exp == "" {
		return time.Time{}
	}
	f, err := claims.Exp.Float64()
	if err != nil || f <= 0 || f > math.MaxInt64/2 || math.IsNaN(f) {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// jwtIssuedAt reads the iat claim of a JWT, unverified; zero if none.
func jwtIssuedAt(token string) time.Time {
	var claims struct {
		Iat json.Number `json:"iat"`
	}
	if !decodeJWTPayload(token, &claims) {
		return time.Time{}
	}
	n, err := claims.Iat.Int64()
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

// decodeJWTPayload decodes the claims of a compact JWS into v, unverified.
func decodeJWTPayload(token string, v any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return false
	}
	return json.Unmarshal(payload, v) == nil
}
