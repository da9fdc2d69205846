package tribetest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOAuthGrants(t *testing.T) {
	s := setup(t, WithTokenLifetime(2*time.Hour))
	tests := []struct {
		name   string
		form   url.Values
		mod    func(*http.Request)
		status int
		err    string
		member string
	}{
		{"password by email", creds("grant_type", "password", "username", "alice@example.com", "password", DefaultPassword), nil, 200, "", AdminMemberID},
		{"password by username", creds("grant_type", "password", "username", "Carol", "password", DefaultPassword), nil, 200, "", PlainMemberID},
		{"password, credentials in Basic header", url.Values{"grant_type": {"password"}, "username": {"bob"}, "password": {DefaultPassword}},
			func(r *http.Request) { r.SetBasicAuth(DefaultClientID, DefaultClientSecret) }, 200, "", ModeratorMemberID},
		{"wrong password", creds("grant_type", "password", "username", "alice", "password", "nope"), nil, 400, "invalid_grant", ""},
		{"unknown user", creds("grant_type", "password", "username", "zed", "password", DefaultPassword), nil, 400, "invalid_grant", ""},
		{"blocked member", creds("grant_type", "password", "username", "dave", "password", DefaultPassword), nil, 400, "invalid_grant", ""},
		{"member of a network the app is not on", creds("grant_type", "password", "username", "erin", "password", DefaultPassword), nil, 400, "invalid_grant", ""},
		{"no password", creds("grant_type", "password", "username", "alice"), nil, 400, "invalid_request", ""},
		{"by email", creds("grant_type", GrantClientCredentials, "email", "BOB@example.com"), nil, 200, "", ModeratorMemberID},
		{"by user_id", creds("grant_type", GrantClientCredentials, "user_id", PlainMemberID), nil, 200, "", PlainMemberID},
		{"by external_id", creds("grant_type", GrantClientCredentials, "external_id", "ext-alice"), nil, 200, "", AdminMemberID},
		{"no identifier", creds("grant_type", GrantClientCredentials), nil, 400, "invalid_request", ""},
		{"empty identifier", creds("grant_type", GrantClientCredentials, "email", ""), nil, 400, "invalid_request", ""},
		{"two identifiers", creds("grant_type", GrantClientCredentials, "email", "bob@example.com", "user_id", ModeratorMemberID), nil, 400, "invalid_request", ""},
		{"unknown identifier", creds("grant_type", GrantClientCredentials, "external_id", "zzz"), nil, 400, "invalid_grant", ""},
		{"unknown refresh token", creds("grant_type", GrantRefreshToken, "refresh_token", "rt_nope"), nil, 400, "invalid_grant", ""},
		{"no refresh token", creds("grant_type", GrantRefreshToken), nil, 400, "invalid_request", ""},
		{"unsupported grant", creds("grant_type", "client_credentials"), nil, 400, "unsupported_grant_type", ""},
		{"no grant", creds(), nil, 400, "invalid_request", ""},
		{"wrong secret", url.Values{"grant_type": {"password"}, "client_id": {DefaultClientID}, "client_secret": {"x"}, "username": {"alice"}, "password": {DefaultPassword}}, nil, 401, "invalid_client", ""},
		{"unknown client", url.Values{"grant_type": {"password"}, "client_id": {"x"}, "client_secret": {"x"}}, nil, 401, "invalid_client", ""},
		{"no client", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {DefaultPassword}}, nil, 401, "invalid_client", ""},
		{"wrong secret in Basic header", url.Values{"grant_type": {"password"}},
			func(r *http.Request) { r.SetBasicAuth(DefaultClientID, "x") }, 401, "invalid_client", ""},
		{"credentials in header and body", creds("grant_type", "password"),
			func(r *http.Request) { r.SetBasicAuth(DefaultClientID, DefaultClientSecret) }, 400, "invalid_request", ""},
		{"wrong content type", creds("grant_type", "password"),
			func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 400, "invalid_request", ""},
		{"GET", creds("grant_type", "password"),
			func(r *http.Request) { r.Method = http.MethodGet }, 400, "invalid_request", ""},
		{"repeated parameter", creds("grant_type", "password"),
			func(r *http.Request) {
				r.Body = http.NoBody
				body := "grant_type=password&grant_type=password&client_id=" + DefaultClientID + "&client_secret=" + DefaultClientSecret
				r.Body, r.ContentLength = nopCloser{strings.NewReader(body)}, int64(len(body))
			}, 400, "invalid_request", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mods []func(*http.Request)
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			status, body, header := form(t, s, tc.form, mods...)
			require.Equal(t, tc.status, status, "%v", body)
			assert.Equal(t, "no-store", header.Get("Cache-Control"))
			if tc.err != "" {
				assert.Equal(t, tc.err, body["error"])
				assert.NotEmpty(t, body["error_description"])
				assert.NotContains(t, body, "access_token")
				if status == http.StatusUnauthorized {
					assert.Contains(t, header.Get("WWW-Authenticate"), "Basic")
				}
				return
			}
			assert.Equal(t, "bearer", body["token_type"])
			assert.InDelta(t, 7200, body["expires_in"], 0)
			assert.NotEmpty(t, body["refresh_token"])
			access := body["access_token"].(string)
			assert.Equal(t, tc.member, claimsOf(t, access)["id"])
			r := gql(t, s, s.URL, bearer(access), `{ authMember { id } }`, nil)
			assert.Equal(t, tc.member, path(r.Data, "authMember", "id"), "the access token works as a Bearer")
		})
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestOAuthRefreshRotates(t *testing.T) {
	s := setup(t)
	fx := DefaultFixtures()
	fx.Apps = append(fx.Apps, App{ClientID: "second", ClientSecret: "second-secret", InstalledOn: []string{DefaultNetworkID}})
	s2 := setup(t, WithFixtures(fx))

	for _, srv := range []*Server{s, s2} {
		status, body, _ := form(t, srv, creds("grant_type", "password", "username", "carol", "password", DefaultPassword))
		require.Equal(t, 200, status)
		first := body["refresh_token"].(string)

		status, body, _ = form(t, srv, creds("grant_type", GrantRefreshToken, "refresh_token", first))
		require.Equal(t, 200, status, "%v", body)
		second := body["refresh_token"].(string)
		assert.NotEqual(t, first, second)
		assert.Equal(t, PlainMemberID, claimsOf(t, body["access_token"].(string))["id"])

		status, body, _ = form(t, srv, creds("grant_type", GrantRefreshToken, "refresh_token", first))
		assert.Equal(t, 400, status)
		assert.Equal(t, "invalid_grant", body["error"], "a used refresh token is invalid")

		require.NoError(t, srv.Revoke(second))
		status, _, _ = form(t, srv, creds("grant_type", GrantRefreshToken, "refresh_token", second))
		assert.Equal(t, 400, status, "a revoked refresh token is invalid")
	}

	// Another app cannot use the refresh token, and does not burn it.
	_, body, _ := form(t, s2, creds("grant_type", "password", "username", "carol", "password", DefaultPassword))
	rt := body["refresh_token"].(string)
	other := url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}, "client_id": {"second"}, "client_secret": {"second-secret"}}
	status, body, _ := form(t, s2, other)
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", body["error"])
	status, _, _ = form(t, s2, creds("grant_type", GrantRefreshToken, "refresh_token", rt))
	assert.Equal(t, 200, status)

	// RevokeAll drops refresh tokens too.
	_, body, _ = form(t, s2, creds("grant_type", "password", "username", "carol", "password", DefaultPassword))
	s2.RevokeAll()
	status, _, _ = form(t, s2, creds("grant_type", GrantRefreshToken, "refresh_token", body["refresh_token"].(string)))
	assert.Equal(t, 400, status)
}

func TestOAuthCommunityByHost(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.Install(DefaultClientID, OtherNetworkID))
	host := func(h string) func(*http.Request) { return func(r *http.Request) { r.Host = h } }

	status, body, _ := form(t, s, creds("grant_type", "password", "username", "erin", "password", DefaultPassword), host("other.example.com"))
	require.Equal(t, 200, status, "%v", body)
	assert.Equal(t, OtherNetworkID, claimsOf(t, body["access_token"].(string))["networkId"])

	status, body, _ = form(t, s, creds("grant_type", "password", "username", "alice", "password", DefaultPassword))
	require.Equal(t, 200, status, "%v", body)
	assert.Equal(t, DefaultNetworkID, claimsOf(t, body["access_token"].(string))["networkId"], "the app's first community")

	require.NoError(t, s.Uninstall(DefaultClientID, OtherNetworkID))
	status, body, _ = form(t, s, creds("grant_type", "password", "username", "erin", "password", DefaultPassword), host("other.example.com:443"))
	assert.Equal(t, 400, status)
	assert.Equal(t, "unauthorized_client", body["error"])
}
