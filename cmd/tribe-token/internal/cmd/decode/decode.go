// Package decode is "tribe-token decode": a JWT's header, claims and expiry,
// decoded without checking the signature and without sending it anywhere.
package decode

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

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// Parts is a JWT's header and claims, decoded but not verified.
type Parts struct {
	Header map[string]any
	Claims map[string]any
}

// Parse splits a compact JWS and decodes its header and claims without
// checking the signature. Its errors never contain the token.
func Parse(token string) (*Parts, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, cmdutil.Usagef("malformed token: a JWT has three dot-separated parts, this has %d", len(parts))
	}
	var p Parts
	for i, dst := range []*map[string]any{&p.Header, &p.Claims} {
		name := [...]string{"header", "claims"}[i]
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, cmdutil.Usagef("malformed token: its %s is not base64url", name)
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(dst); err != nil || *dst == nil {
			return nil, cmdutil.Usagef("malformed token: its %s is not a JSON object", name)
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
		return text.DescribeTime(t, now, past)
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

// Result is decode's JSON output.
type Result struct {
	Verified bool           `json:"verified"`
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
	Expiry   string         `json:"expiry,omitempty"`
	Expired  *bool          `json:"expired,omitempty"`
	// ExpiryInvalid: the token has an exp claim that is not a NumericDate
	// (not a number, not positive, or past the year 9999).
	ExpiryInvalid bool `json:"expiry_invalid,omitempty"`
}

// Options are decode's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Token  cmdutil.TokenFlag
	Output string
}

// NewCmdDecode builds "decode". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdDecode(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "decode",
		Short:      "Show a token's claims and expiry, UNVERIFIED",
		SuggestFor: []string{"inspect", "parse", "claims", "show", "info"},
		Long: `Decode a JWT access token and show its header, claims and expiry, without
sending it anywhere. The signature is NOT checked: the claims are what the
token says, not proof of anything. Use whoami to ask the server.

The token comes from TRIBE_TOKEN or --token-file (- for stdin).

With --output json, expiry (RFC 3339) and expired are given when the exp claim
is a valid NumericDate; expiry_invalid is true when exp is there but is not
one (not a positive number of seconds, or past the year 9999).`,
		Example: `  tribe-token mint --network CAx1mZ7I7a | tribe-token decode --token-file -
  TRIBE_TOKEN=$(tribe-token mint --network CAx1mZ7I7a) tribe-token decode -o json`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.RunLocal(f, opts, nil, runF, decodeRun),
	}
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutTable, cmdutil.OutJSON)
	return cmd
}

// decodeRun reads the token, decodes it and prints it.
func decodeRun(opts *Options) error {
	f := opts.Factory
	tok, err := opts.Token.Token(f, "TRIBE_TOKEN")
	if err != nil {
		return err
	}
	p, err := Parse(tok)
	if err != nil {
		return err
	}
	return Write(f.Out, opts.Output, p, f.Now())
}

// Write prints a decoded token as decode does, in format (table or
// json), with expiries relative to now. Every string from the token is
// printed inert: see [text.Table] and [cmdutil.WriteJSON].
func Write(w io.Writer, format string, p *Parts, now time.Time) error {
	rawExp, hasExp := p.Claims["exp"]
	exp, validExp := numericDate(rawExp)
	if format == cmdutil.OutJSON {
		res := Result{Header: p.Header, Claims: p.Claims}
		switch {
		case validExp:
			expired := !exp.After(now)
			res.Expiry = exp.UTC().Format(time.RFC3339)
			res.Expired = &expired
		case hasExp:
			res.ExpiryInvalid = true
		}
		return cmdutil.WriteJSON(w, res)
	}
	if _, err := fmt.Fprintln(w, "UNVERIFIED: decoded without checking the signature"); err != nil {
		return err
	}
	var t text.Table
	for _, k := range []string{"alg", "typ", "kid"} {
		if v, ok := p.Header[k]; ok {
			t.Add(k+" (header)", claimText(k, v, now))
		}
	}
	for _, k := range orderedClaims(p.Claims) {
		t.Add(k, claimText(k, p.Claims[k], now))
	}
	if !hasExp {
		t.Add("exp", "none: the token states no expiry")
	}
	return t.Write(w)
}
