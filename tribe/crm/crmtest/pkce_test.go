package crmtest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestPKCE checks that a code issued with a code_challenge is exchanged
// only with the matching code_verifier (RFC 7636 section 4.6).
func TestPKCE(t *testing.T) {
	verifier := strings.Repeat("v", 43)
	other := strings.Repeat("w", 43)
	tests := []struct {
		name      string
		opts      []crmtest.Option
		challenge string // "" sends none
		method    string
		verifier  string // "" sends none
		wantAuth  string // error in the consent redirect, "" for a code
		wantToken string // error from the exchange, "" for success
	}{
		{"matching verifier", nil, s256(verifier), "S256", verifier, "", ""},
		{"wrong verifier", nil, s256(verifier), "S256", other, "", "invalid_grant"},
		{"missing verifier", nil, s256(verifier), "S256", "", "", "invalid_grant"},
		{"verifier without challenge", nil, "", "", verifier, "", "invalid_grant"},
		{"no PKCE when optional", nil, "", "", "", "", ""},
		{"plain method refused", nil, verifier, "plain", verifier, "invalid_request", ""},
		{"method missing", nil, s256(verifier), "", verifier, "invalid_request", ""},
		{"malformed challenge", nil, "short", "S256", verifier, "invalid_request", ""},
		{"required and missing", []crmtest.Option{crmtest.WithRequirePKCE()}, "", "", "", "invalid_request", ""},
		{"required and present", []crmtest.Option{crmtest.WithRequirePKCE()}, s256(verifier), "S256", verifier, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := setup(t, tt.opts...)
			q := consentQuery(crmtest.DefaultRedirectURL)
			if tt.challenge != "" {
				q.Set("code_challenge", tt.challenge)
			}
			if tt.method != "" {
				q.Set("code_challenge_method", tt.method)
			}
			status, loc := authorize(t, srv, q)
			require.Equal(t, http.StatusFound, status)
			assert.Equal(t, tt.challenge, srv.LastAuthorization().CodeChallenge)
			if tt.wantAuth != "" {
				assert.Equal(t, tt.wantAuth, loc.Query().Get("error"))
				assert.Empty(t, loc.Query().Get("code"))
				return
			}
			c := loc.Query().Get("code")
			require.NotEmpty(t, c)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {crmtest.DefaultRedirectURL}}
			if tt.verifier != "" {
				form.Set("code_verifier", tt.verifier)
			}
			r := postToken(t, srv, form)
			if tt.wantToken != "" {
				assert.Equal(t, tt.wantToken, r.str("error"))
				return
			}
			require.Equal(t, http.StatusOK, r.status, r.body)
			assert.NotEmpty(t, r.str("access_token"))
		})
	}
}

// TestRevokeOnReuse checks RFC 9700 section 4.14.2 reuse detection: with
// the option, presenting a spent refresh token revokes every token of the
// grant; without it, only the reuse is refused.
func TestRevokeOnReuse(t *testing.T) {
	for _, revoke := range []bool{true, false} {
		name := map[bool]string{true: "revokes the grant", false: "refuses only"}[revoke]
		t.Run(name, func(t *testing.T) {
			var opts []crmtest.Option
			if revoke {
				opts = append(opts, crmtest.WithRevokeOnReuse())
			}
			srv := setup(t, opts...)
			rt0, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
			require.NoError(t, err)
			unrelated, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
			require.NoError(t, err)
			refresh := func(rt string) tokenResponse {
				return postToken(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "redirect_uri": {crmtest.DefaultRedirectURL}})
			}
			r1 := refresh(rt0)
			require.Equal(t, http.StatusOK, r1.status)
			rt1, at1 := r1.str("refresh_token"), r1.str("access_token")
			assert.False(t, srv.GrantRevoked(rt0))

			reuse := refresh(rt0)
			assert.Equal(t, "invalid_grant", reuse.str("error"))
			assert.Equal(t, 1, srv.Counts().RefreshTokenReuse)
			assert.Equal(t, revoke, srv.GrantRevoked(rt0))
			assert.Equal(t, revoke, srv.GrantRevoked(rt1))
			assert.Equal(t, !revoke, srv.RefreshTokenActive(rt1), "the newest refresh token")
			assert.Equal(t, !revoke, srv.AccessTokenActive(at1), "the newest access token")
			assert.True(t, srv.RefreshTokenActive(unrelated), "another grant is untouched")
			assert.False(t, srv.GrantRevoked(unrelated))
			if revoke {
				assert.Equal(t, "invalid_grant", refresh(rt1).str("error"))
			}
		})
	}
}
