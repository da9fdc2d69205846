package crmtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func setup(t *testing.T, opts ...crmtest.Option) *crmtest.Server {
	t.Helper()
	srv := crmtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// authorize sends a consent request and returns the status and, for a
// redirect, the redirect's URL.
func authorize(t *testing.T, srv *crmtest.Server, q url.Values) (int, *url.URL) {
	t.Helper()
	c := &http.Client{
		Transport:     srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(srv.AuthURL() + "?" + q.Encode())
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return resp.StatusCode, nil
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return resp.StatusCode, u
}

func consentQuery(redirect string) url.Values {
	return url.Values{
		"client_id":     {crmtest.DefaultClientID},
		"redirect_uri":  {redirect},
		"response_type": {"code"},
		"scope":         {"read write offline"},
		"state":         {"state-12345678"},
	}
}

type tokenResponse struct {
	status int
	header http.Header
	body   map[string]any
}

func (r tokenResponse) str(k string) string { s, _ := r.body[k].(string); return s }

// postToken posts form to the token endpoint, with the default app's
// credentials in the form unless form sets client_id.
func postToken(t *testing.T, srv *crmtest.Server, form url.Values, basic ...string) tokenResponse {
	t.Helper()
	if !form.Has("client_id") && len(basic) == 0 {
		form.Set("client_id", crmtest.DefaultClientID)
		form.Set("client_secret", crmtest.DefaultClientSecret)
	}
	req, err := http.NewRequest(http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return tokenResponse{resp.StatusCode, resp.Header, body}
}

// code runs a consent for redirect and returns the code.
func code(t *testing.T, srv *crmtest.Server, redirect string) string {
	t.Helper()
	status, u := authorize(t, srv, consentQuery(redirect))
	require.Equal(t, http.StatusFound, status)
	c := u.Query().Get("code")
	require.NotEmpty(t, c)
	return c
}

func TestAuthorize(t *testing.T) {
	tests := []struct {
		name       string
		change     func(url.Values)
		wantStatus int
		wantError  string // error parameter of the redirect
	}{
		{"consents", func(url.Values) {}, http.StatusFound, ""},
		{"loopback on any port", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:53682/callback") }, http.StatusFound, ""},
		{"loopback other path", func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:53682/other") }, http.StatusBadRequest, ""},
		{"unknown client", func(q url.Values) { q.Set("client_id", "nobody") }, http.StatusBadRequest, ""},
		{"unregistered redirect", func(q url.Values) { q.Set("redirect_uri", "https://evil.example.com/cb") }, http.StatusBadRequest, ""},
		{"missing redirect", func(q url.Values) { q.Del("redirect_uri") }, http.StatusBadRequest, ""},
		{"token response type", func(q url.Values) { q.Set("response_type", "token") }, http.StatusFound, "unsupported_response_type"},
		{"short state", func(q url.Values) { q.Set("state", "1234567") }, http.StatusFound, "invalid_request"},
		{"no scope", func(q url.Values) { q.Del("scope") }, http.StatusFound, "invalid_scope"},
		{"unknown scope", func(q url.Values) { q.Set("scope", "read admin") }, http.StatusFound, "invalid_scope"},
		{"bad organization", func(q url.Values) { q.Set("organization_id", "acme") }, http.StatusFound, "invalid_request"},
		{"good organization", func(q url.Values) { q.Set("organization_id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301") }, http.StatusFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := setup(t)
			q := consentQuery(crmtest.DefaultRedirectURL)
			tt.change(q)
			status, u := authorize(t, srv, q)
			require.Equal(t, tt.wantStatus, status)
			assert.Equal(t, 1, srv.Counts().Authorize)
			if status != http.StatusFound {
				return
			}
			got := u.Query()
			assert.Equal(t, q.Get("redirect_uri"), u.Scheme+"://"+u.Host+u.Path)
			assert.Equal(t, q.Get("state"), got.Get("state"))
			assert.Equal(t, tt.wantError, got.Get("error"))
			if tt.wantError == "" {
				assert.NotEmpty(t, got.Get("code"))
				assert.Equal(t, "read write offline", got.Get("scope"))
			} else {
				assert.Empty(t, got.Get("code"))
				assert.NotEmpty(t, got.Get("error_description"))
			}
		})
	}
}

func TestAuthorizeConsentOptions(t *testing.T) {
	tests := []struct {
		name    string
		consent crmtest.Consent
		check   func(t *testing.T, q url.Values)
	}{
		{"deny", crmtest.Consent{Deny: true}, func(t *testing.T, q url.Values) {
			assert.Equal(t, "access_denied", q.Get("error"))
			assert.Equal(t, "state-12345678", q.Get("state"))
		}},
		{"narrower", crmtest.Consent{GrantScopes: []string{"read", "other"}}, func(t *testing.T, q url.Values) {
			assert.Equal(t, "read", q.Get("scope"))
		}},
		{"tamper", crmtest.Consent{TamperState: true}, func(t *testing.T, q url.Values) {
			assert.NotEqual(t, "state-12345678", q.Get("state"))
			assert.NotEmpty(t, q.Get("state"))
		}},
		{"drop state", crmtest.Consent{DropState: true}, func(t *testing.T, q url.Values) { assert.False(t, q.Has("state")) }},
		{"drop code", crmtest.Consent{DropCode: true}, func(t *testing.T, q url.Values) { assert.False(t, q.Has("code")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := setup(t, crmtest.WithConsent(tt.consent))
			status, u := authorize(t, srv, consentQuery(crmtest.DefaultRedirectURL))
			require.Equal(t, http.StatusFound, status)
			tt.check(t, u.Query())

			srv.SetConsent(crmtest.Consent{})
			_, u = authorize(t, srv, consentQuery(crmtest.DefaultRedirectURL))
			assert.NotEmpty(t, u.Query().Get("code"), "SetConsent restores plain consent")
		})
	}
}

func TestTokenClientCredentials(t *testing.T) {
	srv := setup(t)
	r := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}, "scope": {"read write offline"}})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "bearer", r.str("token_type"))
	assert.Equal(t, float64(86400), r.body["expires_in"])
	assert.Equal(t, "read write offline", r.str("scope"))
	assert.NotContains(t, r.body, "refresh_token")
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.True(t, srv.AccessTokenActive(r.str("access_token")))

	// With HTTP Basic instead of form credentials.
	r = postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}, crmtest.DefaultClientID, crmtest.DefaultClientSecret)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "read write", r.str("scope"))
	assert.Equal(t, 2, srv.Counts().ClientCredentials)
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		basic      []string
		wantStatus int
		wantCode   string
	}{
		{"no grant type", url.Values{}, nil, 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}}, nil, 400, "unsupported_grant_type"},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {crmtest.DefaultClientID}, "client_secret": {"x"}}, nil, 401, "invalid_client"},
		{"no credentials", url.Values{"grant_type": {"client_credentials"}, "client_id": {""}}, nil, 401, "invalid_client"},
		{"wrong basic secret", url.Values{"grant_type": {"client_credentials"}}, []string{crmtest.DefaultClientID, "x"}, 401, "invalid_client"},
		{"two auth methods", url.Values{"grant_type": {"client_credentials"}, "client_secret": {crmtest.DefaultClientSecret}}, []string{crmtest.DefaultClientID, crmtest.DefaultClientSecret}, 400, "invalid_request"},
		{"unknown scope", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, nil, 400, "invalid_scope"},
		{"code missing", url.Values{"grant_type": {"authorization_code"}}, nil, 400, "invalid_request"},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}}, nil, 400, "invalid_grant"},
		{"refresh token missing", url.Values{"grant_type": {"refresh_token"}, "redirect_uri": {crmtest.DefaultRedirectURL}}, nil, 400, "invalid_request"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "redirect_uri": {crmtest.DefaultRedirectURL}}, nil, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := setup(t)
			r := postToken(t, srv, tt.form, tt.basic...)
			assert.Equal(t, tt.wantStatus, r.status)
			assert.Equal(t, tt.wantCode, r.str("error"))
			assert.NotEmpty(t, r.str("error_description"))
			assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
			assert.Equal(t, len(tt.basic) > 0 && tt.wantStatus == 401, r.header.Get("WWW-Authenticate") != "")
			assert.Equal(t, 1, srv.Counts().TokenErrors)
		})
	}

	t.Run("json body", func(t *testing.T) {
		srv := setup(t)
		resp, err := srv.Client().Post(srv.TokenURL(), "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
	t.Run("GET", func(t *testing.T) {
		srv := setup(t)
		resp, err := srv.Client().Get(srv.TokenURL())
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	})
}

func TestTokenAuthorizationCode(t *testing.T) {
	other := crmtest.App{ClientID: "other", ClientSecret: "other-secret", RedirectURLs: []string{"https://other.example.com/cb"}}
	srv := setup(t, crmtest.WithApp(other))

	c := code(t, srv, crmtest.DefaultRedirectURL)
	exchange := func(code, redirect string) tokenResponse {
		return postToken(t, srv, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}})
	}

	r := exchange(c, crmtest.DefaultRedirectURL)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotEmpty(t, r.str("refresh_token"))
	assert.Equal(t, float64(86400), r.body["expires_in"])
	assert.True(t, srv.RefreshTokenActive(r.str("refresh_token")))

	r = exchange(c, crmtest.DefaultRedirectURL)
	assert.Equal(t, "invalid_grant", r.str("error"), "codes are single-use")

	c = code(t, srv, crmtest.DefaultRedirectURL)
	r = exchange(c, "http://127.0.0.1:1/callback")
	assert.Equal(t, "invalid_grant", r.str("error"), "codes are bound to their redirect_uri")
	assert.Equal(t, "invalid_grant", exchange(c, crmtest.DefaultRedirectURL).str("error"), "a failed exchange spends the code")

	c = code(t, srv, crmtest.DefaultRedirectURL)
	r = postToken(t, srv, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {crmtest.DefaultRedirectURL},
		"client_id": {"other"}, "client_secret": {"other-secret"}})
	assert.Equal(t, "invalid_grant", r.str("error"), "codes are bound to their client")
	assert.Equal(t, http.StatusOK, exchange(c, crmtest.DefaultRedirectURL).status, "another client's attempt does not spend the code")

	c = code(t, srv, crmtest.DefaultRedirectURL)
	srv.Advance(crmtest.CodeLifetime)
	assert.Equal(t, "invalid_grant", exchange(c, crmtest.DefaultRedirectURL).str("error"), "codes expire")

	// No offline scope, no refresh token.
	srv.SetConsent(crmtest.Consent{GrantScopes: []string{"read"}})
	c = code(t, srv, crmtest.DefaultRedirectURL)
	r = exchange(c, crmtest.DefaultRedirectURL)
	require.Equal(t, http.StatusOK, r.status)
	assert.NotContains(t, r.body, "refresh_token")
	assert.Equal(t, "read", r.str("scope"))
	assert.Equal(t, 8, srv.Counts().AuthorizationCode)
}

func TestTokenRefreshRotation(t *testing.T) {
	srv := setup(t)
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	refresh := func(rt, redirect string, extra ...string) tokenResponse {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		if redirect != "" {
			f.Set("redirect_uri", redirect)
		}
		if len(extra) == 2 {
			f.Set(extra[0], extra[1])
		}
		return postToken(t, srv, f)
	}

	r := refresh(rt, "")
	assert.Equal(t, "invalid_request", r.str("error"), "redirect_uri is required")
	r = refresh(rt, "http://127.0.0.1:1/callback")
	assert.Equal(t, "invalid_grant", r.str("error"), "redirect_uri must match")
	r = refresh(rt, crmtest.DefaultRedirectURL, "scope", "read admin")
	assert.Equal(t, "invalid_scope", r.str("error"), "no widening")
	assert.True(t, srv.RefreshTokenActive(rt), "refused refreshes do not spend the token")

	srv.FailNextRefresh(0, "")
	r = refresh(rt, crmtest.DefaultRedirectURL)
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Equal(t, "server_error", r.str("error"))
	assert.True(t, srv.RefreshTokenActive(rt), "a failed refresh does not spend the token")

	seen := map[string]bool{rt: true}
	for i := range 3 {
		r = refresh(rt, crmtest.DefaultRedirectURL)
		require.Equal(t, http.StatusOK, r.status, "refresh %d", i)
		next := r.str("refresh_token")
		assert.False(t, seen[next], "a new refresh token each time")
		assert.False(t, srv.RefreshTokenActive(rt), "the old one is dead")
		assert.Equal(t, "invalid_grant", refresh(rt, crmtest.DefaultRedirectURL).str("error"))
		assert.Equal(t, float64(86400), r.body["expires_in"])
		seen[next] = true
		rt = next
	}
	r = refresh(rt, crmtest.DefaultRedirectURL, "scope", "read")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "read", r.str("scope"), "narrowing is allowed")
}

func TestIssueRefreshTokenErrors(t *testing.T) {
	srv := setup(t)
	_, err := srv.IssueRefreshToken("nobody", crmtest.DefaultRedirectURL)
	assert.ErrorContains(t, err, "unknown client ID")
	_, err = srv.IssueRefreshToken(crmtest.DefaultClientID, "https://evil.example.com/cb")
	assert.ErrorContains(t, err, "not registered")
}

// getEmployee calls GetCurrentEmployee() with a bearer token.
func getEmployee(t *testing.T, srv *crmtest.Server, token, query string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/odata/GetCurrentEmployee()"+query, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, resp.Header, body
}

func TestGetCurrentEmployee(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := setup(t, crmtest.WithClock(func() time.Time { return start }))
	at := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}}).str("access_token")
	want := crmtest.DefaultEmployee()

	tests := []struct {
		query        string
		wantPerson   bool
		wantRelation bool
	}{
		{"", false, false},
		{"?$expand=Person", true, false},
		{"?$expand=Person,Relation", true, true},
		{"?%24expand=Relation", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			status, _, body := getEmployee(t, srv, at, tt.query)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, want.ID, body["ID"])
			assert.Equal(t, want.Name, body["_Name"])
			assert.Equal(t, "Relationship.Person.Contact.Employee", body["_Type"])
			assert.Equal(t, tt.wantPerson, body["Person"] != nil)
			assert.Equal(t, tt.wantRelation, body["Relation"] != nil)
			if p, ok := body["Person"].(map[string]any); ok {
				assert.Equal(t, want.Person.EmailAddress, p["EmailAddress"])
				assert.Equal(t, "Jan de Vries", p["_Name"])
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		status, h, body := getEmployee(t, srv, "", "?$expand=Person")
		assert.Equal(t, http.StatusUnauthorized, status)
		assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
		assert.Equal(t, map[string]any{"error": map[string]any{"code": "Unauthorized", "message": "Authorization has been denied for this request."}}, body)

		status, _, _ = getEmployee(t, srv, "made-up", "")
		assert.Equal(t, http.StatusUnauthorized, status)

		assert.Equal(t, srv.Now(), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
		srv.Advance(crmtest.AccessTokenLifetime)
		assert.False(t, srv.AccessTokenActive(at))
		status, _, _ = getEmployee(t, srv, at, "")
		assert.Equal(t, http.StatusUnauthorized, status, "expired by the server's clock")

		srv.SetTime(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
		status, _, _ = getEmployee(t, srv, at, "")
		assert.Equal(t, http.StatusOK, status, "SetTime moves the clock back")
	})

	t.Run("write-only token", func(t *testing.T) {
		wo := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}}).str("access_token")
		status, _, body := getEmployee(t, srv, wo, "")
		assert.Equal(t, http.StatusForbidden, status)
		assert.Contains(t, fmt.Sprint(body), "Forbidden")
	})

	t.Run("other OData path", func(t *testing.T) {
		resp, err := srv.Client().Get(srv.URL + "/v1/odata/Relation_Person")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Contains(t, string(b), `"code":"NotFound"`)
	})
}

func TestServerBasics(t *testing.T) {
	srv := setup(t)
	assert.False(t, strings.HasSuffix(srv.URL, "/"))
	assert.Equal(t, srv.URL+"/oauth2/auth", srv.AuthURL())
	assert.Equal(t, srv.URL+"/oauth2/token", srv.TokenURL())
	assert.Equal(t, srv.TokenURL(), srv.Endpoint().TokenURL)
	assert.WithinDuration(t, time.Now(), srv.Now(), time.Minute, "the real clock by default")

	for _, v := range []any{srv, crmtest.DefaultApp()} {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, v), crmtest.DefaultClientSecret)
		}
	}
	assert.Equal(t, crmtest.Authorization{}, srv.LastAuthorization())
	assert.Equal(t, crmtest.Counts{}, srv.Counts())

	srv.Close()
	srv.Close() // twice is fine
	_, err := http.Get(srv.TokenURL())
	assert.Error(t, err, "closed")
}

func TestAccessTokenLifetimeOption(t *testing.T) {
	srv := setup(t, crmtest.WithAccessTokenLifetime(time.Second))
	r := postToken(t, srv, url.Values{"grant_type": {"client_credentials"}})
	assert.Equal(t, float64(1), r.body["expires_in"])
}
