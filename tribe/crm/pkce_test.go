package crm_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func s256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestPKCEByDefault checks that NewAuthRequest sends an S256 challenge of a
// fresh verifier, that the exchange needs that verifier, and that the
// verifier is shown nowhere.
func TestPKCEByDefault(t *testing.T) {
	srv, conf := setup(t, crmtest.WithRequirePKCE())
	ctx := context.Background()
	req, err := conf.NewAuthRequest()
	require.NoError(t, err)
	require.Len(t, req.CodeVerifier, 43)
	assert.Regexp(t, `^[A-Za-z0-9._~-]{43}$`, req.CodeVerifier)
	u, err := url.Parse(req.URL)
	require.NoError(t, err)
	assert.Equal(t, s256(req.CodeVerifier), u.Query().Get("code_challenge"))
	assert.Equal(t, "S256", u.Query().Get("code_challenge_method"))
	assert.NotContains(t, req.URL, req.CodeVerifier)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, req), req.CodeVerifier)
		assert.NotContains(t, fmt.Sprintf(verb, *req), req.CodeVerifier)
	}

	again, err := conf.NewAuthRequest()
	require.NoError(t, err)
	assert.NotEqual(t, req.CodeVerifier, again.CodeVerifier, "a fresh verifier per request")

	cb, err := req.ParseCallback(consent(t, srv, req.URL))
	require.NoError(t, err)
	_, err = conf.Exchange(ctx, cb.Code, crm.WithCodeVerifier(again.CodeVerifier))
	require.ErrorIs(t, err, crm.ErrInvalidGrant, "another request's verifier does not match")
	assert.NotContains(t, err.Error(), again.CodeVerifier)

	req, err = conf.NewAuthRequest()
	require.NoError(t, err)
	cb, err = req.ParseCallback(consent(t, srv, req.URL))
	require.NoError(t, err)
	_, err = conf.Exchange(ctx, cb.Code)
	require.ErrorIs(t, err, crm.ErrInvalidGrant, "without the verifier the code is useless")

	req, err = conf.NewAuthRequest()
	require.NoError(t, err)
	cb, err = req.ParseCallback(consent(t, srv, req.URL))
	require.NoError(t, err)
	tok, err := req.Exchange(ctx, conf, cb)
	require.NoError(t, err)
	assert.True(t, tok.Valid())
}

func TestDisablePKCE(t *testing.T) {
	t.Run("server without PKCE", func(t *testing.T) {
		srv, conf := setup(t)
		conf.DisablePKCE = true
		req, err := conf.NewAuthRequest()
		require.NoError(t, err)
		assert.Empty(t, req.CodeVerifier)
		assert.NotContains(t, req.URL, "code_challenge")
		cb, err := req.ParseCallback(consent(t, srv, req.URL))
		require.NoError(t, err)
		tok, err := req.Exchange(context.Background(), conf, cb)
		require.NoError(t, err)
		assert.True(t, tok.Valid())
		assert.Empty(t, srv.LastAuthorization().CodeChallenge)
	})
	t.Run("server requiring PKCE refuses", func(t *testing.T) {
		srv, conf := setup(t, crmtest.WithRequirePKCE())
		conf.DisablePKCE = true
		req, err := conf.NewAuthRequest()
		require.NoError(t, err)
		_, err = req.ParseCallback(consent(t, srv, req.URL))
		var ae *crm.AuthError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "invalid_request", ae.Code)
	})
}

func TestCodeVerifierChecks(t *testing.T) {
	_, conf := setup(t)
	tests := []struct {
		name     string
		verifier string
		want     string
	}{
		{"too short", strings.Repeat("a", 42), "43 to 128"},
		{"too long", strings.Repeat("a", 129), "43 to 128"},
		{"bad character", strings.Repeat("a", 42) + "/", "outside A-Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conf.AuthCodeURL("state-12345678", crm.WithCodeVerifier(tt.verifier))
			require.ErrorIs(t, err, crm.ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), tt.verifier)
			_, err = conf.Exchange(context.Background(), "code-1234", crm.WithCodeVerifier(tt.verifier))
			require.ErrorIs(t, err, crm.ErrInvalidInput)
		})
	}
	for _, n := range []int{43, 128} {
		_, err := conf.AuthCodeURL("state-12345678", crm.WithCodeVerifier(strings.Repeat("a-._~", 26)[:n]))
		require.NoError(t, err, "%d characters", n)
	}
}

// TestLoopbackLoginUsesPKCE logs in against a server that requires PKCE.
func TestLoopbackLoginUsesPKCE(t *testing.T) {
	srv, conf := setup(t, crmtest.WithRequirePKCE())
	conf.RedirectURL = ""
	b := newBrowser(srv)
	res, err := (&crm.LoopbackLogin{Config: conf, Store: &crm.MemoryStore{}, Open: b.Open}).Login(context.Background())
	require.NoError(t, err)
	assert.True(t, res.Token.Valid())
	assert.NotEmpty(t, srv.LastAuthorization().CodeChallenge)
}
