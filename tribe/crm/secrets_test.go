package crm_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestNoSecretsInOutput drives the error paths and formats every error and
// value that holds a secret with each verb, asserting that no client secret,
// access or refresh token, or authorization code appears.
func TestNoSecretsInOutput(t *testing.T) {
	srv, conf := setup(t, crmtest.WithAccessTokenLifetime(time.Second))
	ctx := context.Background()
	secrets := []string{crmtest.DefaultClientSecret}
	var values []any // errors and values to format

	// Authorization code: a real code, token, and every callback error.
	req, err := conf.NewAuthRequest()
	require.NoError(t, err)
	q := consent(t, srv, req.URL)
	secrets = append(secrets, q.Get("code"))
	cb, err := req.ParseCallback(q)
	require.NoError(t, err)
	values = append(values, cb, *cb)
	values = append(values, req, *req)
	secrets = append(secrets, req.CodeVerifier)
	tok, err := req.Exchange(ctx, conf, cb)
	require.NoError(t, err)
	secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	_, err = req.Exchange(ctx, conf, cb) // spent code: invalid_grant
	require.Error(t, err)
	values = append(values, err)
	for _, c := range []crmtest.Consent{{Deny: true}, {TamperState: true}, {DropState: true}, {DropCode: true}, {GrantScopes: []string{"read"}}} {
		srv.SetConsent(c)
		r, err := conf.NewAuthRequest()
		require.NoError(t, err)
		q := consent(t, srv, r.URL)
		if code := q.Get("code"); code != "" {
			secrets = append(secrets, code)
		}
		cb, err := r.ParseCallback(q)
		require.Error(t, err)
		values = append(values, err, cb)
	}
	srv.SetConsent(crmtest.Consent{})

	// Token source: a refresh that fails, one that works, a save that fails.
	store := &recordingStore{}
	require.NoError(t, store.Save(ctx, tok))
	ts, err := conf.TokenSource(ctx, store)
	require.NoError(t, err)
	srv.FailNextRefresh(400, "invalid_grant")
	_, err = ts.Token()
	require.Error(t, err)
	values = append(values, err, ts, &store.MemoryStore)
	refreshed, err := ts.Token()
	require.NoError(t, err)
	secrets = append(secrets, refreshed.AccessToken, refreshed.RefreshToken)
	store.failNextSaves(1)
	_, err = ts.Token()
	require.Error(t, err)
	values = append(values, err)

	// Quick setup with a spent token, and with a wrong secret.
	_, err = conf.QuickSetup(ctx, tok.RefreshToken, store)
	require.ErrorIs(t, err, crm.ErrInvalidGrant)
	values = append(values, err)
	wrong := *conf
	wrong.ClientSecret = "wrong-secret-value"
	secrets = append(secrets, wrong.ClientSecret)
	_, err = wrong.QuickSetup(ctx, "rt_secret_copied_value", store)
	require.Error(t, err)
	secrets = append(secrets, "rt_secret_copied_value")
	values = append(values, err, wrong, &wrong)

	// Client credentials with a bad secret; API with a bad token.
	cc, err := wrong.ClientCredentialsTokenSource(ctx)
	require.NoError(t, err)
	_, err = cc.Token()
	require.Error(t, err)
	values = append(values, err, cc)
	badTok := &oauth2.Token{AccessToken: "at_secret_unknown_value"}
	secrets = append(secrets, badTok.AccessToken)
	_, err = (&crm.Client{BaseURL: srv.URL, TokenSource: oauth2.StaticTokenSource(badTok), HTTPClient: srv.Client()}).GetCurrentEmployee(ctx)
	require.ErrorIs(t, err, crm.ErrUnauthorized)
	values = append(values, err)

	// Invalid input whose bad value could carry a secret.
	bad := *conf
	bad.Endpoint.TokenURL = "https://user:" + crmtest.DefaultClientSecret + "@auth.example.com/oauth2/token"
	_, err = bad.ClientCredentialsTokenSource(ctx)
	require.ErrorIs(t, err, crm.ErrInvalidInput)
	values = append(values, err)

	// Loopback login: its result and its settings.
	ms0 := &crm.MemoryStore{}
	require.NoError(t, ms0.Save(ctx, tok))
	lconf := *conf
	lconf.RedirectURL = ""
	b := newBrowser(srv)
	res, err := (&crm.LoopbackLogin{Config: &lconf, Store: &crm.MemoryStore{}, Open: b.Open}).Login(ctx)
	require.NoError(t, err)
	secrets = append(secrets, res.Token.AccessToken, res.Token.RefreshToken)
	values = append(values, res, *res, &crm.LoopbackLogin{Config: &lconf, Store: ms0})
	_, _, page := b.result()

	// Stores.
	fs := crm.FileStore{Path: filepath.Join(t.TempDir(), "t.json")}
	require.NoError(t, fs.Save(ctx, tok))
	ms := &crm.MemoryStore{}
	require.NoError(t, ms.Save(ctx, tok))
	values = append(values, fs, ms, conf, *conf, srv, crmtest.DefaultApp())

	for _, s := range secrets {
		require.GreaterOrEqual(t, len(s), 8, "a real secret to look for")
	}
	for i, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out := fmt.Sprintf(verb, v)
			if e, ok := v.(error); ok && e != nil {
				out += "\n" + e.Error()
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("value %d (%T) formatted with %s shows a secret: %s", i, v, verb, out)
				}
			}
		}
	}
	for _, s := range secrets {
		assert.NotContains(t, page, s, "the browser page shows no secret")
	}
	// The consent URL carries no secret either.
	u, err := url.Parse(req.URL)
	require.NoError(t, err)
	for _, s := range secrets {
		assert.NotContains(t, u.RawQuery, s)
	}
}
