package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// jwtParts is a JWT's header and claims, decoded but not verified.
type jwtParts struct {
	Header map[string]any
	Claims map[string]any
}

// decodeJWT splits a compact JWS and decodes its header and claims without
// checking the signature. Its errors never contain the token.
func decodeJWT(token string) (*jwtParts, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, usagef("malformed token: a JWT has three dot-separated parts, this has %d", len(parts))
	}
	var p jwtParts
	for i, dst := range []*map[string]any{&p.Header, &p.Claims} {
		name := [...]string{"header", "claims"}[i]
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, usagef("malformed token: its %s is not base64url", name)
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(dst); err != nil || *dst == nil {
			return nil, usagef("malformed token: its %s is not a JSON object", name)
		}
	}
	return &p, nil
}

// maxNumericDate is 9999-12-31T23:59:59Z, the last second RFC 3339 can
// write: a later date is shown as invalid rather than as a malformed time.
const maxNumericDate = 253402300799

// numericDate reads a NumericDate claim (RFC 7519 section 2): a positive
// number of seconds no later than [maxNumericDate].
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f <= 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// orderedClaims returns the claim names in display order.
func orderedClaims(claims map[string]any) []string {
	// The claims Tribe and RFC 7519 name come first, in this order; the
	// rest follow alphabetically.
	first := [...]string{
		"sub", "id", "name", "email", "networkId", "networkDomain", "role", "roleId", "roleType",
		"iss", "aud", "jti", "iat", "nbf", "exp",
	}
	rank := func(k string) int {
		for i, c := range first {
			if c == k {
				return i
			}
		}
		return len(first)
	}
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// claimText renders a claim's value for the table.
func claimText(k string, v any, now time.Time) string {
	switch k {
	case "exp", "iat", "nbf":
		t, ok := numericDate(v)
		if !ok {
			return rawClaim(v) + " (invalid: not a NumericDate, seconds since 1970 up to the year 9999)"
		}
		past := ""
		if k == "exp" {
			past = "EXPIRED"
		}
		return describeTime(t, now, past)
	}
	return rawClaim(v)
}

// rawClaim renders a claim's value as it is: a string bare, else as JSON.
func rawClaim(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// decodeResult is decode's JSON output.
type decodeResult struct {
	Verified bool           `json:"verified"`
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
	Expiry   string         `json:"expiry,omitempty"`
	Expired  *bool          `json:"expired,omitempty"`
	// ExpiryInvalid: the token has an exp claim that is not a NumericDate
	// (not a number, not positive, or past the year 9999).
	ExpiryInvalid bool `json:"expiry_invalid,omitempty"`
}

// newDecodeCmd builds "decode".
func (e *env) newDecodeCmd() *cobra.Command {
	var (
		tf     tokenFlag
		output string
	)
	cmd := &cobra.Command{
		Use:   "decode",
		Short: "Show a token's claims and expiry, UNVERIFIED",
		Long: `Decode a JWT access token and show its header, claims and expiry, without
sending it anywhere. The signature is NOT checked: the claims are what the
token says, not proof of anything. Use whoami to ask the server.

The token comes from TRIBE_TOKEN or --token-file (- for stdin).

With --output json, expiry (RFC 3339) and expired are given when the exp claim
is a valid NumericDate; expiry_invalid is true when exp is there but is not
one (not a positive number of seconds, or past the year 9999).`,
		Example: `  tribe-token mint --network CAx1mZ7I7a | tribe-token decode --token-file -
  TRIBE_TOKEN=$(tribe-token mint --network CAx1mZ7I7a) tribe-token decode -o json`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			tok, err := tf.token(e, "TRIBE_TOKEN")
			if err != nil {
				return err
			}
			p, err := decodeJWT(tok)
			if err != nil {
				return err
			}
			return writeDecoded(e.stdout, output, p, e.now())
		}),
	}
	tf.add(cmd, "TRIBE_TOKEN")
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}

// writeDecoded prints a decoded token as decode does, in format (table or
// json), with expiries relative to now. Every string from the token is
// printed inert: see [table] and [writeJSON].
func writeDecoded(w io.Writer, format string, p *jwtParts, now time.Time) error {
	rawExp, hasExp := p.Claims["exp"]
	exp, validExp := numericDate(rawExp)
	if format == outJSON {
		res := decodeResult{Header: p.Header, Claims: p.Claims}
		switch {
		case validExp:
			expired := !exp.After(now)
			res.Expiry = exp.UTC().Format(time.RFC3339)
			res.Expired = &expired
		case hasExp:
			res.ExpiryInvalid = true
		}
		return writeJSON(w, res)
	}
	if _, err := fmt.Fprintln(w, "UNVERIFIED: decoded without checking the signature"); err != nil {
		return err
	}
	var t table
	for _, k := range []string{"alg", "typ", "kid"} {
		if v, ok := p.Header[k]; ok {
			t.add(k+" (header)", claimText(k, v, now))
		}
	}
	for _, k := range orderedClaims(p.Claims) {
		t.add(k, claimText(k, p.Claims[k], now))
	}
	if !hasExp {
		t.add("exp", "none: the token states no expiry")
	}
	return t.write(w)
}
