package passthrough

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/tribekit/tribekit/tribe"
	"golang.org/x/oauth2"
)

// Claims are what Tribe reads from a product's own JWT sent as
// the Bearer token (Tribe's v1 API reference, Authentication: JWT Access Token), as [Check] found
// them. A Claims is a plain value, safe to share once built.
type Claims struct {
	// Subject is the sub claim: the user's id in your product. Tribe acts
	// for the member with this externalId, creating it if there is none.
	Subject string
	// Name is the name claim, the member's display name.
	Name string
	// Email is the email claim.
	Email string
	// IssuedAt is the iat claim.
	IssuedAt time.Time
	// ExpiresAt is the exp claim; zero if the JWT has none.
	ExpiresAt time.Time
	// Algorithm is the header's alg, e.g. "HS256" or "RS256".
	Algorithm string
	// KeyID is the header's kid; empty if none.
	KeyID string
}

// Problem is one thing wrong with a JWT. Field names a claim ("sub",
// "iat"), a header parameter ("alg") or "signature"; Problem says what is
// wrong with it, e.g. "is missing" or "is a string, want a number".
type Problem struct {
	Field   string
	Problem string
}

// iatLeeway is how far in the future an iat may be, for clock skew.
const iatLeeway = time.Minute

// problemMissing is the Problem of a claim that is absent or empty.
const problemMissing = "is missing"

// Error is everything [Check] found wrong with a JWT, in
// one error: every missing or mistyped claim is named. Its text never holds
// the token or a claim's value, only claim names and types. errors.Is
// matches it to [tribe.ErrInvalidInput] and, when the JWT has expired, to
// [tribe.ErrInvalidToken].
type Error struct {
	// Problems lists what is wrong, in the order header, sub, name, iat,
	// email, exp.
	Problems []Problem
	// Expired is the exp claim of a JWT that has expired; zero otherwise.
	Expired time.Time
	// Claims is what could be read of the JWT's header and claims, for a
	// caller to show beside the problems (tribe-token jwt check -o json
	// does); what could not be read is zero. The error's text never holds
	// them.
	Claims Claims
}

// Error names every problem, and what Tribe needs.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("passthrough: the JWT cannot be passed through to Tribe: ")
	needClaims := false
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %s", p.Field, p.Problem)
		switch p.Field {
		case "sub", "name", "iat", "email":
			needClaims = true
		}
	}
	if !e.Expired.IsZero() {
		if len(e.Problems) > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "it expired at %s; get a fresh one from your product", e.Expired.UTC().Format(time.RFC3339))
	}
	if needClaims {
		b.WriteString(" (Tribe needs sub: the user's id in your product, name, email, and iat: the time it was issued, in seconds since 1970)")
	}
	return b.String()
}

// Is reports whether target is [tribe.ErrInvalidInput], or [tribe.ErrInvalidToken] for
// an expired JWT.
func (e *Error) Is(target error) bool {
	return target == tribe.ErrInvalidInput || (target == tribe.ErrInvalidToken && !e.Expired.IsZero())
}

// Fields returns the names of the fields with a problem, in order.
func (e *Error) Fields() []string {
	out := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		out = append(out, p.Field)
	}
	return out
}

// Check checks, without verifying the signature (Tribe does,
// with your product's key), that token is a signed JWT Tribe can take as a
// Bearer token: it carries the claims sub, name and email as non-empty
// strings and iat as a number not in the future (a minute's leeway for
// clock skew), and has not expired (exp, if present).
// Anything wrong is reported at once, every problem named, as a [*Error]
// (Tribe's v1 API reference, Authentication: JWT Access Token). It is safe for concurrent use.
func Check(token string) (*Claims, error) {
	return checkClaims(token, time.Now())
}

func checkClaims(token string, now time.Time) (*Claims, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, invalidf("the JWT is empty; give the token your product issued")
	}
	if strings.HasPrefix(strings.ToLower(token), "bearer ") {
		return nil, invalidf("the JWT starts with \"Bearer \"; give the token alone")
	}
	claims := jwt.MapClaims{}
	parsed, parts, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(token, claims)
	var e Error
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenUnverifiable) && parsed != nil:
		// The claims were read, but alg is missing or unknown; go on so
		// that every problem is reported.
	default:
		return nil, invalidf("the token is not a well-formed JWT (three base64url-encoded parts, header.claims.signature, with JSON header and claims)")
	}
	out := &Claims{}
	alg, _ := parsed.Header["alg"].(string)
	out.Algorithm = alg
	out.KeyID, _ = parsed.Header["kid"].(string)
	switch {
	case alg == "":
		e.Problems = append(e.Problems, Problem{"alg", "is missing from the header"})
	case strings.EqualFold(alg, "none"):
		e.Problems = append(e.Problems, Problem{"alg", "is none: the JWT is unsigned, and Tribe accepts only signed ones (e.g. HS256, RS256, ES256)"})
	case parsed.Method == nil:
		e.Problems = append(e.Problems, Problem{"alg", fmt.Sprintf("%q is not a JWS algorithm", alg)})
	}
	if len(parts) == 3 && parts[2] == "" && !strings.EqualFold(alg, "none") {
		e.Problems = append(e.Problems, Problem{"signature", "is empty"})
	}
	out.Subject = stringClaim(claims, "sub", &e)
	out.Name = stringClaim(claims, "name", &e)
	out.IssuedAt = timeClaim(claims, "iat", true, &e)
	if out.IssuedAt.After(now.Add(iatLeeway)) {
		e.Problems = append(e.Problems, Problem{"iat", "is in the future; check the clock of the machine that signed it"})
	}
	out.Email = stringClaim(claims, "email", &e)
	if out.Email != "" && !strings.Contains(out.Email, "@") {
		e.Problems = append(e.Problems, Problem{"email", "is not an email address"})
	}
	out.ExpiresAt = timeClaim(claims, "exp", false, &e)
	if !out.ExpiresAt.IsZero() && !now.Before(out.ExpiresAt) {
		e.Expired = out.ExpiresAt
	}
	if len(e.Problems) > 0 || !e.Expired.IsZero() {
		e.Claims = *out
		return nil, &e
	}
	return out, nil
}

// stringClaim returns a claim that must be a non-empty string, noting a
// problem in e otherwise.
func stringClaim(claims jwt.MapClaims, name string, e *Error) string {
	v, ok := claims[name]
	if !ok || v == nil {
		e.Problems = append(e.Problems, Problem{name, problemMissing})
		return ""
	}
	s, ok := v.(string)
	switch {
	case !ok:
		e.Problems = append(e.Problems, Problem{name, fmt.Sprintf("is %s, want a string", jsonKind(v))})
	case strings.TrimSpace(s) == "":
		e.Problems = append(e.Problems, Problem{name, "is an empty string"})
	}
	return s
}

// timeClaim returns a NumericDate claim (RFC 7519 section 2), noting a
// problem in e if it is not a positive number, or missing and required.
func timeClaim(claims jwt.MapClaims, name string, required bool, e *Error) time.Time {
	v, ok := claims[name]
	if !ok || v == nil {
		if required {
			e.Problems = append(e.Problems, Problem{name, problemMissing})
		}
		return time.Time{}
	}
	n, ok := v.(json.Number)
	if !ok {
		e.Problems = append(e.Problems, Problem{name, fmt.Sprintf("is %s, want a number (seconds since 1970)", jsonKind(v))})
		return time.Time{}
	}
	f, err := n.Float64()
	if err != nil || f <= 0 || f > math.MaxInt64/2 || math.IsNaN(f) {
		e.Problems = append(e.Problems, Problem{name, "is not a positive number of seconds since 1970"})
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// jsonKind names the JSON type of a decoded value, with an article.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// TokenSource checks token with [Check] and
// returns a token source that hands it out, as a Bearer token whose Expiry
// is the exp claim, until it expires; after that the source returns an
// error matching [tribe.ErrInvalidToken]. Use it with [tribe.NewClient], which, like
// x/oauth2, stops sending a token 10 s before its Expiry. The source is
// safe for concurrent use. To mint fresh JWTs as they expire, use
// [Signer.TokenSource].
func TokenSource(token string) (oauth2.TokenSource, error) {
	token = strings.TrimSpace(token)
	c, err := Check(token)
	if err != nil {
		return nil, err
	}
	return &passthroughSource{
		tok: &oauth2.Token{AccessToken: token, TokenType: "Bearer", Expiry: c.ExpiresAt},
		now: time.Now,
	}, nil
}

// passthroughSource hands out one checked JWT while it is unexpired. Its
// fields are never changed after it is made.
type passthroughSource struct {
	tok *oauth2.Token
	now func() time.Time
}

// Token returns a copy of the token, or an error once it has expired.
func (s *passthroughSource) Token() (*oauth2.Token, error) {
	if !s.tok.Expiry.IsZero() && !s.now().Before(s.tok.Expiry) {
		return nil, &Error{Expired: s.tok.Expiry}
	}
	t := *s.tok
	return &t, nil
}
