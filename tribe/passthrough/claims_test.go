package passthrough

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/tribe"
)

var testHMACSecret = []byte("0123456789abcdef0123456789abcdef-hs256")

// hsJWT signs claims with HS256 using golang-jwt directly, so the checks
// are tested on tokens this package did not make.
func hsJWT(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testHMACSecret)
	require.NoError(t, err)
	return s
}

// rawJWT builds a compact JWT from a header and a claims object as given.
func rawJWT(header, claims, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + sig
}

func TestCheckPassthroughJWTAcceptsAWellFormedToken(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	tok := hsJWT(t, jwt.MapClaims{"sub": "u-42", "name": "Ada L", "email": "ada@example.com", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "extra": true})
	c, err := Check(tok)
	require.NoError(t, err)
	assert.Equal(t, &Claims{
		Subject: "u-42", Name: "Ada L", Email: "ada@example.com",
		IssuedAt: time.Unix(now.Unix(), 0), ExpiresAt: time.Unix(now.Add(time.Minute).Unix(), 0),
		Algorithm: "HS256",
	}, c)

	// No exp is allowed (Tribe's docs do not ask for one).
	c, err = Check(hsJWT(t, jwt.MapClaims{"sub": "u-42", "name": "Ada", "email": "ada@example.com", "iat": now.Unix()}))
	require.NoError(t, err)
	assert.True(t, c.ExpiresAt.IsZero())
}

func TestCheckPassthroughJWTNamesEveryProblemAtOnce(t *testing.T) {
	now := time.Now().Unix()
	for _, tc := range []struct {
		name    string
		token   string
		fields  []string
		texts   []string
		expired bool
	}{
		{
			name:   "no claims at all",
			token:  hsJWT(t, jwt.MapClaims{}),
			fields: []string{"sub", "name", "iat", "email"},
			texts:  []string{"sub is missing", "name is missing", "iat is missing", "email is missing", "Tribe needs sub"},
		},
		{
			name:   "only sub",
			token:  hsJWT(t, jwt.MapClaims{"sub": "u-42"}),
			fields: []string{"name", "iat", "email"},
			texts:  []string{"name is missing; iat is missing; email is missing"},
		},
		{
			name:   "mistyped claims",
			token:  hsJWT(t, jwt.MapClaims{"sub": 42, "name": "", "email": []string{"a@b.c"}, "iat": "1700000000"}),
			fields: []string{"sub", "name", "iat", "email"},
			texts:  []string{"sub is a number, want a string", "name is an empty string", "iat is a string, want a number", "email is an array, want a string"},
		},
		{
			name:   "email without @ and negative iat",
			token:  hsJWT(t, jwt.MapClaims{"sub": "u", "name": "n", "email": "ada", "iat": -5}),
			fields: []string{"iat", "email"},
			texts:  []string{"iat is not a positive number", "email is not an email address"},
		},
		{
			name:    "expired and missing claims",
			token:   hsJWT(t, jwt.MapClaims{"sub": "u", "iat": now - 120, "exp": now - 60}),
			fields:  []string{"name", "email"},
			texts:   []string{"name is missing", "email is missing", "it expired at"},
			expired: true,
		},
		{
			name:    "expired only",
			token:   hsJWT(t, jwt.MapClaims{"sub": "u", "name": "n", "email": "a@b.c", "iat": now - 120, "exp": now - 60}),
			texts:   []string{"it expired at", "get a fresh one"},
			expired: true,
		},
		{
			name:   "iat in the future",
			token:  hsJWT(t, jwt.MapClaims{"sub": "u", "name": "n", "email": "a@b.c", "iat": now + 3600}),
			fields: []string{"iat"},
			texts:  []string{"iat is in the future"},
		},
		{
			name:   "exp not a number",
			token:  hsJWT(t, jwt.MapClaims{"sub": "u", "name": "n", "email": "a@b.c", "iat": now, "exp": "soon"}),
			fields: []string{"exp"},
			texts:  []string{"exp is a string, want a number"},
		},
		{
			name:   "alg none, unsigned",
			token:  rawJWT(`{"alg":"none","typ":"JWT"}`, `{"sub":"u","name":"n","email":"a@b.c","iat":1700000000}`, ""),
			fields: []string{"alg"},
			texts:  []string{"alg is none", "Tribe accepts only signed ones"},
		},
		{
			name:   "no alg and no claims",
			token:  rawJWT(`{"typ":"JWT"}`, `{}`, "c2ln"),
			fields: []string{"alg", "sub", "name", "iat", "email"},
			texts:  []string{"alg is missing from the header", "sub is missing"},
		},
		{
			name:   "unknown alg",
			token:  rawJWT(`{"alg":"XX512"}`, `{"sub":"u","name":"n","email":"a@b.c","iat":1700000000}`, "c2ln"),
			fields: []string{"alg"},
			texts:  []string{`alg "XX512" is not a JWS algorithm`},
		},
		{
			name:   "empty signature",
			token:  rawJWT(`{"alg":"HS256"}`, `{"sub":"u","name":"n","email":"a@b.c","iat":1700000000}`, ""),
			fields: []string{"signature"},
			texts:  []string{"signature is empty"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Check(tc.token)
			require.Error(t, err)
			assert.Nil(t, c)
			var je *Error
			require.ErrorAs(t, err, &je)
			if tc.fields == nil {
				assert.Empty(t, je.Problems)
			} else {
				assert.Equal(t, tc.fields, je.Fields())
			}
			for _, s := range tc.texts {
				assert.Contains(t, err.Error(), s)
			}
			assert.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Equal(t, tc.expired, !je.Expired.IsZero())
			if tc.expired {
				assert.ErrorIs(t, err, tribe.ErrInvalidToken)
			} else {
				assert.NotErrorIs(t, err, tribe.ErrInvalidToken)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "passthrough: "), err.Error())
			assert.NotContains(t, err.Error(), tc.token)
			assert.NotContains(t, err.Error(), strings.Split(tc.token, ".")[1], "no part of the token in the text")
		})
	}
}

func TestCheckPassthroughJWTRefusesWhatIsNotAJWT(t *testing.T) {
	for _, tc := range []struct{ name, token, want string }{
		{"empty", "", "the JWT is empty"},
		{"blank", "  \n", "the JWT is empty"},
		{"two parts", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0", "not a well-formed JWT"},
		{"four parts", "a.b.c.d", "not a well-formed JWT"},
		{"bad base64", "!!!.???.sig", "not a well-formed JWT"},
		{"header not JSON", rawJWT("not json", "{}", "c2ln"), "not a well-formed JWT"},
		{"claims not an object", rawJWT(`{"alg":"HS256"}`, `[1,2]`, "c2ln"), "not a well-formed JWT"},
		{"opaque token", "tribe-opaque-access-token-value", "not a well-formed JWT"},
		{"with Bearer prefix", "Bearer " + rawJWT(`{"alg":"HS256"}`, `{}`, "c2ln"), "give the token alone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(tc.token)
			require.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			if strings.TrimSpace(tc.token) != "" {
				assert.NotContains(t, err.Error(), tc.token)
			}
		})
	}
}

func TestCheckPassthroughJWTKeepsClaimValuesOutOfErrors(t *testing.T) {
	tok := hsJWT(t, jwt.MapClaims{"sub": "SUB-VALUE-77", "name": 12345, "email": "secret-person@example.com", "exp": time.Now().Add(-time.Hour).Unix()})
	_, err := Check(tok)
	require.Error(t, err)
	for _, v := range []string{"SUB-VALUE-77", "12345", "secret-person"} {
		assert.NotContains(t, err.Error(), v)
	}
}

func TestPassthroughTokenSource(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	exp := now.Add(time.Minute)
	tok := hsJWT(t, jwt.MapClaims{"sub": "u-42", "name": "Ada", "email": "ada@example.com", "iat": now.Unix(), "exp": exp.Unix()})

	ts, err := TokenSource(" " + tok + "\n")
	require.NoError(t, err)
	got, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, tok, got.AccessToken)
	assert.Equal(t, "Bearer", got.Type())
	assert.True(t, exp.Equal(got.Expiry))

	// Once expired, the source says so instead of handing it out.
	ps := ts.(*passthroughSource)
	ps.now = func() time.Time { return exp }
	_, err = ts.Token()
	require.ErrorIs(t, err, tribe.ErrInvalidToken)
	assert.Contains(t, err.Error(), "expired")
	assert.NotContains(t, err.Error(), tok)

	_, err = TokenSource(hsJWT(t, jwt.MapClaims{"sub": "u-42"}))
	require.ErrorIs(t, err, tribe.ErrInvalidInput)
}

// A passthrough token is sent as it is, as the Bearer token of a Client.
func TestPassthroughTokenWorksWithNewClient(t *testing.T) {
	now := time.Now()
	tok := hsJWT(t, jwt.MapClaims{"sub": "u-42", "name": "Ada", "email": "ada@example.com", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+tok {
			t.Errorf("Authorization %q, want the passthrough JWT", got)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"authMember": map[string]any{
			"id": "m1", "name": "Ada", "email": "ada@example.com", "externalId": "u-42", "username": "ada",
			"networkId": "n1", "roleId": "r1", "status": "VERIFIED", "locale": "en-US", "teammate": false,
			"createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
		}}})
	}))
	defer srv.Close()

	ts, err := TokenSource(tok)
	require.NoError(t, err)
	c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: srv.URL + "/graphql"})
	require.NoError(t, err)
	m, err := c.AuthMember(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "u-42", m.ExternalID)
}

// TestErrorKeepsWhatWasRead: a JWT with problems still has its readable
// claims in the error's Claims, for a caller to show, and never in its
// text.
func TestErrorKeepsWhatWasRead(t *testing.T) {
	tok := rawJWT(`{"alg":"HS256","kid":"k1"}`, `{"sub":"u-42","name":"Ada","iat":1700000000,"exp":"soon"}`, "c2ln")
	_, err := Check(tok)
	var je *Error
	require.ErrorAs(t, err, &je)
	assert.Equal(t, Claims{Subject: "u-42", Name: "Ada", IssuedAt: time.Unix(1700000000, 0), Algorithm: "HS256", KeyID: "k1"}, je.Claims)
	assert.Equal(t, []string{"email", "exp"}, je.Fields())
	assert.NotContains(t, err.Error(), "u-42")
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), "Ada")
}
