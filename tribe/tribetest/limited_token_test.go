package tribetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func claimsOf(t *testing.T, tok string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser().ParseUnverified(tok, claims)
	require.NoError(t, err)
	return claims
}

// noCode stands for an error without a Tribe code in gqlResult.codes.
const noCode = ""

func TestLimitedToken(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s := setup(t, WithClock(func() time.Time { return now }))
	bot, ok := s.Bot(DefaultClientID, DefaultNetworkID)
	require.True(t, ok)

	tests := []struct {
		name     string
		auth     string
		vars     map[string]any
		status   int
		codes    []string
		member   string
		roleType string
		// requestError: refused before execution (variables).
		requestError bool
	}{
		{"bot", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 200, nil, bot.ID, "admin", false},
		{"impersonate member", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": PlainMemberID}, 200, nil, PlainMemberID, "member", false},
		{"impersonate moderator", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": ModeratorMemberID}, 200, nil, ModeratorMemberID, "moderator", false},
		{"member context", defaultBasic(), map[string]any{"context": "MEMBER", "entityId": PlainMemberID, "networkId": DefaultNetworkID}, 200, nil, bot.ID, "admin", false},
		{"not installed", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": OtherNetworkID, "networkId": OtherNetworkID}, 200, []string{"102"}, "", "", false},
		{"unknown network", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": "nope", "networkId": "nope"}, 200, []string{"102"}, "", "", false},
		{"unknown member", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": "nobody"}, 200, []string{"110"}, "", "", false},
		{"member of another network", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": OtherMemberID}, 200, []string{"110"}, "", "", false},
		{"entity is not the network", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": "x", "networkId": DefaultNetworkID}, 200, []string{"106"}, "", "", false},
		{"unknown entity member", defaultBasic(), map[string]any{"context": "MEMBER", "entityId": "x", "networkId": DefaultNetworkID}, 200, []string{"110"}, "", "", false},
		{"wrong secret", basic(DefaultClientID, "wrong"), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 401, []string{noCode}, "", "", false},
		{"unknown client", basic("nobody", DefaultClientSecret), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 401, []string{noCode}, "", "", false},
		{"malformed basic", "Basic !!!", map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 401, []string{noCode}, "", "", false},
		{"no credentials", "", map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 401, []string{noCode}, "", "", false},
		{"bearer instead of basic", bearer("x"), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 401, []string{noCode}, "", "", false},
		{"bad enum", defaultBasic(), map[string]any{"context": "GALAXY", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}, 200, []string{"106"}, "", "", true},
		{"missing variable", defaultBasic(), map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID}, 200, []string{"112"}, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.GraphQLURL(), tc.auth, limitedTokenQuery, tc.vars)
			require.Equal(t, tc.status, r.Status, r.Raw)
			assert.Equal(t, tc.codes, r.codes(), r.Raw)
			for _, e := range r.Errors {
				if e.Code != noCode {
					assert.Equal(t, e.Code, e.Extensions["code"], "code also in extensions")
				}
			}
			if tc.status == http.StatusUnauthorized {
				assert.Contains(t, r.Header.Get("WWW-Authenticate"), "Basic")
				require.Len(t, r.Errors, 1, r.Raw)
				assert.True(t, strings.HasPrefix(r.Errors[0].Message, "Unauthorized: "), r.Errors[0].Message)
				assert.NotContains(t, r.Raw, "108", "not code 108: the credentials are wrong, not a token")
				return
			}
			if tc.codes != nil && tc.requestError {
				assert.NotContains(t, r.Raw, `"data"`, "no execution, no data")
				assert.NotEmpty(t, r.Errors[0].Locations, "the variable's location")
				return
			}
			if tc.codes != nil {
				assert.Contains(t, r.Raw, `"data":null`)
				assert.Equal(t, []any{"limitedToken"}, r.Errors[0].Path)
				assert.NotEmpty(t, r.Errors[0].Locations)
				return
			}
			tok := path(r.Data, "limitedToken", "accessToken").(string)
			c := claimsOf(t, tok)
			assert.Equal(t, tc.member, c["id"])
			assert.Equal(t, DefaultNetworkID, c["networkId"])
			assert.Equal(t, "acme.example.com", c["networkDomain"])
			assert.Equal(t, tc.roleType, c["roleType"])
			assert.Equal(t, "role-"+tc.roleType, c["roleId"])
			assert.Equal(t, strings.ToUpper(tc.roleType[:1])+tc.roleType[1:], c["role"])
			assert.Equal(t, DefaultAppID, c["appId"])
			assert.NotEmpty(t, c["jti"])
			assert.InDelta(t, float64(now.Unix()), c["iat"], 0)
			assert.InDelta(t, float64(now.Add(time.Hour).Unix()), c["exp"], 0)
			assert.Equal(t, s.GatewayURL(DefaultNetworkID), path(r.Data, "limitedToken", "gatewayUrl"))
		})
	}
}

// TestBadBasicCredentialsAreNot108: code 108 means "this access token is
// invalid", and a client that mints a new token on 108 would loop on a
// wrong client secret. Bad Basic credentials are HTTP 401 without code 108,
// neither at the top level nor in extensions; a bad Bearer token is still
// 108.
func TestBadBasicCredentialsAreNot108(t *testing.T) {
	s := setup(t)
	query := `{ limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken } }`
	tests := []struct {
		name, auth, query, message string
	}{
		{"wrong secret", basic(DefaultClientID, "wrong-secret"), query, "Unauthorized: the client id or secret is wrong"},
		{"unknown client", basic("nobody", DefaultClientSecret), query, "Unauthorized: the client id or secret is wrong"},
		{"wrong secret on a Bearer field", basic(DefaultClientID, "wrong-secret"), `{ authMember { id } }`, "Unauthorized: the client id or secret is wrong"},
		{"malformed", "Basic !!!", query, msgBasicMalformed},
		{"none", "", query, msgBasicMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.GraphQLURL(), tc.auth, tc.query, nil)
			require.Equal(t, http.StatusUnauthorized, r.Status, r.Raw)
			require.Len(t, r.Errors, 1, r.Raw)
			assert.Equal(t, tc.message, r.Errors[0].Message)
			assert.Empty(t, r.Errors[0].Code, "no top-level code")
			assert.NotContains(t, r.Errors[0].Extensions, "code", "no code in extensions")
			assert.NotContains(t, r.Raw, `"108"`)
			assert.NotContains(t, r.Raw, "wrong-secret")
		})
	}
	t.Run("bad Bearer token is still 108", func(t *testing.T) {
		r := gql(t, s, s.GraphQLURL(), bearer("not-a-token"), `{ authMember { id } }`, nil)
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
		require.Len(t, r.Errors, 1, r.Raw)
		assert.Equal(t, "108", r.Errors[0].Code)
		assert.Equal(t, "108", r.Errors[0].Extensions["code"])
	})
}

func TestLimitedTokenForbiddenMessage(t *testing.T) {
	s := setup(t)
	r := gql(t, s, s.URL, defaultBasic(), `{ limitedToken(context: NETWORK, entityId: "net-other", networkId: "net-other") { accessToken } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "Forbidden", r.Errors[0].Message)
	assert.Equal(t, []map[string]int{{"line": 1, "column": 3}}, r.Errors[0].Locations)
	assert.Contains(t, r.Raw, `"data":null`)
}

func TestLimitedTokenCredentialsInURL(t *testing.T) {
	s := setup(t)
	u := strings.Replace(s.GraphQLURL(), "http://", "http://"+DefaultClientID+":"+DefaultClientSecret+"@", 1)
	r := gql(t, s, u, "", `{ limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken } }`, nil)
	assert.Empty(t, r.Errors, r.Raw)
	assert.NotEmpty(t, path(r.Data, "limitedToken", "accessToken"))
}

func TestWithoutGatewayURL(t *testing.T) {
	s := setup(t, WithoutGatewayURL())
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), limitedTokenQuery,
		map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID})
	require.Empty(t, r.Errors, r.Raw)
	lt := r.Data["limitedToken"].(map[string]any)
	assert.Contains(t, lt, "gatewayUrl")
	assert.Nil(t, lt["gatewayUrl"])
}

func TestWithPublicURL(t *testing.T) {
	s := setup(t, WithPublicURL("https://tribe.example.com/"))
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), limitedTokenQuery,
		map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID})
	assert.Equal(t, "https://tribe.example.com/gateway/net-acme", path(r.Data, "limitedToken", "gatewayUrl"))
}

func TestGateway(t *testing.T) {
	s := setup(t)
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), limitedTokenQuery,
		map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": PlainMemberID})
	gw := path(r.Data, "limitedToken", "gatewayUrl").(string)
	tok := path(r.Data, "limitedToken", "accessToken").(string)
	other, err := s.MintToken(OtherNetworkID, OtherMemberID)
	require.NoError(t, err)

	r = gql(t, s, gw, bearer(tok), `{ authMember { id } }`, nil)
	assert.Equal(t, PlainMemberID, path(r.Data, "authMember", "id"), r.Raw)
	r = gql(t, s, gw, bearer(other), `{ authMember { id } }`, nil)
	assert.Equal(t, []string{"108"}, r.codes(), "token of another network")
	r = gql(t, s, s.URL+"/gateway", bearer(other), `{ authMember { id } }`, nil)
	assert.Equal(t, OtherMemberID, path(r.Data, "authMember", "id"), "the plain gateway takes any network")
	r = gql(t, s, s.URL+"/gateway/nope", bearer(tok), `{ authMember { id } }`, nil)
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Equal(t, []string{"110"}, r.codes())
}

func TestInstallUninstall(t *testing.T) {
	s := setup(t)
	q := `{ limitedToken(context: NETWORK, entityId: "net-other", networkId: "net-other") { accessToken } }`
	assert.Equal(t, []string{"102"}, gql(t, s, s.URL, defaultBasic(), q, nil).codes())
	require.NoError(t, s.Install(DefaultClientID, OtherNetworkID))
	r := gql(t, s, s.URL, defaultBasic(), q, nil)
	require.Empty(t, r.Errors, r.Raw)
	bot, ok := s.Bot(DefaultClientID, OtherNetworkID)
	require.True(t, ok)
	assert.Equal(t, bot.ID, claimsOf(t, path(r.Data, "limitedToken", "accessToken").(string))["id"])
	assert.Equal(t, "role-admin", bot.RoleID)
	assert.True(t, bot.Bot)

	require.NoError(t, s.Uninstall(DefaultClientID, OtherNetworkID))
	assert.Equal(t, []string{"102"}, gql(t, s, s.URL, defaultBasic(), q, nil).codes())
	assert.Error(t, s.Install("nobody", OtherNetworkID))
	assert.Error(t, s.Install(DefaultClientID, "nope"))
	assert.Error(t, s.Uninstall("nobody", OtherNetworkID))
}

// TestGatewayURLIgnoresHost: gatewayUrl is built on the server's own URL,
// never on the Host header a client sent.
func TestGatewayURLIgnoresHost(t *testing.T) {
	s := setup(t)
	body, err := json.Marshal(map[string]any{"query": limitedTokenQuery,
		"variables": map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}})
	require.NoError(t, err)
	for _, host := range []string{"attacker.example:80", "attacker.example", "[::1]:1"} {
		req, err := http.NewRequest(http.MethodPost, s.GraphQLURL(), bytes.NewReader(body))
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", defaultBasic())
		r := do(t, s, req)
		require.Empty(t, r.Errors, r.Raw)
		assert.Equal(t, s.GatewayURL(DefaultNetworkID), path(r.Data, "limitedToken", "gatewayUrl"), host)
	}
}
