package crm_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

const orgID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"

func TestNewState(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s := crm.NewState()
		assert.GreaterOrEqual(t, len(s), crm.MinStateLength)
		assert.Len(t, s, 26)
		assert.False(t, seen[s], "state repeated")
		seen[s] = true
	}
}

func TestAuthCodeURL(t *testing.T) {
	tests := []struct {
		name    string
		opts    []crm.AuthCodeOption
		wantOrg string
	}{
		{name: "plain"},
		{name: "organization", opts: []crm.AuthCodeOption{crm.WithOrganizationID(orgID)}, wantOrg: orgID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t)
			req, err := conf.NewAuthRequest(tt.opts...)
			require.NoError(t, err)

			require.True(t, strings.HasPrefix(req.URL, srv.AuthURL()+"?"), req.URL)
			u, err := url.Parse(req.URL)
			require.NoError(t, err)
			q := u.Query()
			assert.Equal(t, crmtest.DefaultClientID, q.Get("client_id"))
			assert.Equal(t, crmtest.DefaultRedirectURL, q.Get("redirect_uri"))
			assert.Equal(t, "code", q.Get("response_type"))
			assert.Equal(t, "read write offline", q.Get("scope"))
			assert.Equal(t, req.State, q.Get("state"))
			assert.GreaterOrEqual(t, len(req.State), 8)
			assert.Equal(t, tt.wantOrg, q.Get("organization_id"))
			assert.Equal(t, tt.wantOrg != "", q.Has("organization_id"))
			assert.Equal(t, allScopes(), req.Scopes)
			assert.Zero(t, srv.Counts().Authorize, "building a URL sends nothing")
		})
	}
}

func TestAuthCodeURLDefaultsToProduction(t *testing.T) {
	conf := &crm.Config{ClientID: "id", RedirectURL: "https://app.example.com/cb", Scopes: []string{"read"}}
	u, err := conf.AuthCodeURL("state-1234")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(u, "https://auth.tribecrm.nl/oauth2/auth?"), u)
	assert.Equal(t, crm.DefaultTokenURL, crm.Endpoint().TokenURL)
}

// TestAuthorizationCodeFlow goes consent -> redirect -> state check ->
// exchange -> API call against the mock.
func TestAuthorizationCodeFlow(t *testing.T) {
	srv, conf := setup(t)
	ctx := context.Background()

	req, err := conf.NewAuthRequest(crm.WithOrganizationID(orgID))
	require.NoError(t, err)
	cb, err := req.ParseCallback(consent(t, srv, req.URL))
	require.NoError(t, err)
	assert.Equal(t, allScopes(), cb.Scopes)
	assert.Equal(t, crmtest.Authorization{
		ClientID: crmtest.DefaultClientID, RedirectURL: crmtest.DefaultRedirectURL, ResponseType: "code",
		Scopes: allScopes(), State: req.State, OrganizationID: orgID,
		CodeChallenge: s256(req.CodeVerifier), CodeChallengeMethod: "S256",
	}, srv.LastAuthorization())

	tok, err := req.Exchange(ctx, conf, cb)
	require.NoError(t, err)
	assert.True(t, tok.Valid())
	assert.NotEmpty(t, tok.RefreshToken, "offline scope brings a refresh token")
	assert.True(t, srv.RefreshTokenActive(tok.RefreshToken))
	assert.Equal(t, int64(86400), tok.ExpiresIn)

	// The code is single-use.
	_, err = req.Exchange(ctx, conf, cb)
	require.ErrorIs(t, err, crm.ErrInvalidGrant)
	var te *crm.TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "authorization_code", te.Grant)
	assert.Equal(t, 400, te.StatusCode)
	assert.Equal(t, 2, srv.Counts().AuthorizationCode)
}

func TestExchangeCodeChecks(t *testing.T) {
	tests := []struct {
		name string
		prep func(*crmtest.Server, *crm.Config)
	}{
		{"code bound to its redirect_uri", func(_ *crmtest.Server, c *crm.Config) { c.RedirectURL = "http://127.0.0.1:9/callback" }},
		{"code expired", func(s *crmtest.Server, _ *crm.Config) { s.Advance(crmtest.CodeLifetime + time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t)
			req, err := conf.NewAuthRequest()
			require.NoError(t, err)
			cb, err := req.ParseCallback(consent(t, srv, req.URL))
			require.NoError(t, err)

			tt.prep(srv, conf)
			_, err = req.Exchange(context.Background(), conf, cb)
			require.ErrorIs(t, err, crm.ErrInvalidGrant)
		})
	}
}

// TestParseCallbackAgainstMock makes the mock answer in each way the CRM
// can, and checks what ParseCallback reports.
func TestParseCallbackAgainstMock(t *testing.T) {
	tests := []struct {
		name        string
		consent     crmtest.Consent
		wantErr     error
		wantScopes  []string
		wantMissing []string
	}{
		{name: "state matches", wantScopes: allScopes()},
		{name: "state tampered", consent: crmtest.Consent{TamperState: true}, wantErr: crm.ErrStateMismatch},
		{name: "state missing", consent: crmtest.Consent{DropState: true}, wantErr: crm.ErrStateMissing},
		{name: "access denied", consent: crmtest.Consent{Deny: true, DenyDescription: "The user said no"}, wantErr: crm.ErrAccessDenied},
		{name: "code missing", consent: crmtest.Consent{DropCode: true}, wantErr: crm.ErrCodeMissing},
		{
			name: "narrower scopes", consent: crmtest.Consent{GrantScopes: []string{"read"}},
			wantErr: crm.ErrScopeNarrowed, wantScopes: []string{"read"}, wantMissing: []string{"write", "offline"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t, crmtest.WithConsent(tt.consent))
			req, err := conf.NewAuthRequest()
			require.NoError(t, err)

			cb, err := req.ParseCallback(consent(t, srv, req.URL))
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.NotEmpty(t, cb.Code)
				assert.Equal(t, tt.wantScopes, cb.Scopes)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: "), err.Error())
			switch tt.wantErr {
			case crm.ErrAccessDenied:
				var ae *crm.AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "access_denied", ae.Code)
				assert.Equal(t, "The user said no", ae.Description)
				assert.Equal(t, "crm: authorization failed: access_denied: The user said no", err.Error())
				assert.Nil(t, cb)
			case crm.ErrScopeNarrowed:
				var se *crm.ScopeError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, allScopes(), se.Requested)
				assert.Equal(t, tt.wantScopes, se.Granted)
				assert.Equal(t, tt.wantMissing, se.Missing)
				require.NotNil(t, cb, "the code comes back with a ScopeError")
				tok, err := conf.Exchange(context.Background(), cb.Code, crm.WithCodeVerifier(req.CodeVerifier))
				require.NoError(t, err, "a caller content with less can go on")
				assert.Empty(t, tok.RefreshToken, "no offline scope, no refresh token")
			default:
				assert.Nil(t, cb)
			}
		})
	}
}

// TestParseCallbackQueries covers redirects the mock does not produce.
func TestParseCallbackQueries(t *testing.T) {
	req := &crm.AuthRequest{State: "state-12345", Scopes: []string{"read", "write"}}
	tests := []struct {
		name       string
		query      string
		wantErr    error
		wantScopes []string
	}{
		{"no scope parameter grants what was asked", "code=c&state=state-12345", nil, []string{"read", "write"}},
		{"wider scope is fine", "code=c&state=state-12345&scope=read+write+offline", nil, []string{"read", "write", "offline"}},
		{"state prefix is a mismatch", "code=c&state=state-1234", crm.ErrStateMismatch, nil},
		{"state longer is a mismatch", "code=c&state=state-123456", crm.ErrStateMismatch, nil},
		{"empty state is missing", "code=c&state=", crm.ErrStateMissing, nil},
		{"forged error redirect is a mismatch", "error=access_denied&state=other-state", crm.ErrStateMismatch, nil},
		{"other error code", "error=server_error&state=state-12345", nil, nil},
		{"empty scope grants nothing", "code=c&state=state-12345&scope=", crm.ErrScopeNarrowed, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			cb, err := req.ParseCallback(q)
			switch {
			case tt.name == "other error code":
				var ae *crm.AuthError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, "server_error", ae.Code)
				assert.NotErrorIs(t, err, crm.ErrAccessDenied)
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			default:
				require.NoError(t, err)
				assert.Equal(t, "c", cb.Code)
				assert.Equal(t, tt.wantScopes, cb.Scopes)
			}
		})
	}

	_, err := (&crm.AuthRequest{State: "short"}).ParseCallback(url.Values{"state": {"short"}, "code": {"c"}})
	require.ErrorIs(t, err, crm.ErrInvalidInput, "a short expected state is refused")
	_, err = (*crm.AuthRequest)(nil).ParseCallback(url.Values{})
	require.ErrorIs(t, err, crm.ErrInvalidInput)
}
