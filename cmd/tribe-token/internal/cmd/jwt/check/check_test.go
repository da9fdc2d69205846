package check

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdCheck(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdCheck, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{Output: cmdutil.OutTable}},
		{Name: "stdin, json", Args: []string{"--token-file", "-", "-o", "json"}, Want: Options{Token: cmdutil.TokenFlag{File: "-"}, Output: "json"}},
		{Name: "token output", Args: []string{"-o", "token"}, WantErr: `unknown --output "token"`},
		{Name: "token as an argument", Args: []string{"a.b.c"}, WantErr: "takes no arguments"},
	})
}

// TestCheckJSONShowsWhatWasRead: a JWT Tribe cannot take still shows, with
// -o json, the claims that were read, beside the problems.
func TestCheckJSONShowsWhatWasRead(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	iat := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	jwt := enc([]byte(`{"alg":"HS256","typ":"JWT","kid":"k1"}`)) + "." +
		enc([]byte(fmt.Sprintf(`{"sub":"u-42","name":"Ada L","iat":%d}`, iat.Unix()))) + ".c2ln"
	r := cmdtest.Exec(t.Context(), map[string]string{"TRIBE_TOKEN": jwt}, nil, NewCmdCheck, "-o", "json")
	require.Equal(t, cmdutil.ExitUsage, r.Code, r.Stderr)
	var res Result
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &res), r.Stdout)
	assert.False(t, res.OK)
	assert.Equal(t, "HS256", res.Algorithm)
	assert.Equal(t, "k1", res.KeyID)
	assert.Equal(t, "u-42", res.Subject)
	assert.Equal(t, "Ada L", res.Name)
	assert.Equal(t, iat.Format(time.RFC3339), res.IssuedAt)
	assert.Empty(t, res.Email, "the claim that is missing")
	assert.Equal(t, []Problem{{Field: "email", Problem: "is missing"}}, res.Problems)
	assert.Contains(t, res.Error, "email is missing")
	assert.NotContains(t, r.Stdout, jwt, "never the token")
	assert.NotContains(t, r.Stdout, strings.Split(jwt, ".")[1])

	t.Run("a token that does not parse has no claims", func(t *testing.T) {
		r := cmdtest.Exec(t.Context(), map[string]string{"TRIBE_TOKEN": "not-a-jwt"}, nil, NewCmdCheck, "-o", "json")
		require.Equal(t, cmdutil.ExitUsage, r.Code, r.Stderr)
		var res Result
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &res), r.Stdout)
		assert.Empty(t, res.Subject)
		assert.Equal(t, "token", res.Problems[0].Field)
	})
}

func TestJWTCheckJSONOnFailure(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		fields []string
	}{
		{"claims missing", cmdtest.UnsignedJWT(`{"sub":"u-1"}`), []string{"name", "iat", "email"}},
		{"expired", cmdtest.UnsignedJWT(`{"sub":"u-1","name":"Ada","email":"ada@example.com","iat":1000,"exp":2000}`), []string{"exp"}},
		{"not a JWT", "not-a-jwt", []string{"token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdCheck, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tc.token}, Args: []string{"-o", "json"}})
			assert.Equal(t, cmdutil.ExitUsage, r.Code, r.Stderr)
			assert.True(t, strings.HasPrefix(r.Stderr, "tribe-token: "), r.Stderr)
			var out Result
			require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out), r.Stdout)
			assert.False(t, out.OK)
			var got []string
			for _, p := range out.Problems {
				got = append(got, p.Field)
				assert.NotEmpty(t, p.Problem)
			}
			assert.Equal(t, tc.fields, got)
			assert.NotEmpty(t, out.Error)
			assert.NotContains(t, r.Stdout, tc.token, "never the token (the claims read are shown)")
		})
	}
}

func TestJWTCheckRefuses(t *testing.T) {
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(cmdtest.HS256Secret))
		require.NoError(t, err)
		return s
	}
	now := time.Now().Unix()
	tests := []struct {
		name  string
		token string
		want  []string
	}{
		{"missing claims", sign(jwt.MapClaims{"sub": "u-1", "iat": now}), []string{"name", "email"}},
		{"expired", sign(jwt.MapClaims{"sub": "u-1", "name": "A", "email": "a@example.com", "iat": now - 600, "exp": now - 300}), []string{"exp"}},
		{"not a jwt", "not-a-jwt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Run(t, NewCmdCheck, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tt.token}})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.want...)
			assert.NotContains(t, r.Stderr, tt.token)
		})
	}
}
