package crm_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestInvalidInputShape walks every invalid-input path of the package and
// checks the one shape: "crm: <what is wrong>; <how to fix it>", naming the
// field or argument, matching ErrInvalidInput, with no secret given to the
// call in it and none of the old "invalid input:" wording.
func TestInvalidInputShape(t *testing.T) {
	srv, good := setup(t)
	ctx := context.Background()
	const (
		secret   = "client-s3cr3t-value"
		refresh  = "rt-s3cr3t-refresh-token"
		code     = "code-s3cr3t-value"
		urlPass  = "p4ssw0rd-s3cr3t"
		verifier = "verifier-s3cr3t-with-a-slash/0123456789012345"
	)
	secrets := []string{secret, refresh, code, urlPass, verifier}
	good.ClientSecret = secret
	with := func(f func(*crm.Config)) *crm.Config {
		c := *good
		c.Scopes = allScopes()
		f(&c)
		return &c
	}
	tokenURL := func(u string) *crm.Config { return with(func(c *crm.Config) { c.Endpoint.TokenURL = u }) }
	authURL := func(u string) *crm.Config { return with(func(c *crm.Config) { c.Endpoint.AuthURL = u }) }
	redirect := func(u string) *crm.Config { return with(func(c *crm.Config) { c.RedirectURL = u }) }
	store := &crm.MemoryStore{}

	clientCreds := func(c *crm.Config) func() error {
		return func() error { _, err := c.ClientCredentialsTokenSource(ctx); return err }
	}
	exchange := func(c *crm.Config, opts ...crm.AuthCodeOption) func() error {
		return func() error { _, err := c.Exchange(ctx, code, opts...); return err }
	}
	consentURL := func(c *crm.Config, state string, opts ...crm.AuthCodeOption) func() error {
		return func() error { _, err := c.AuthCodeURL(state, opts...); return err }
	}
	quick := func(c *crm.Config, rt string, s crm.TokenStore) func() error {
		return func() error { _, err := c.QuickSetup(ctx, rt, s); return err }
	}
	api := func(c *crm.Client) func() error {
		return func() error { _, err := c.GetCurrentEmployee(ctx); return err }
	}
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-s3cr3t-access"})
	secrets = append(secrets, "at-s3cr3t-access")
	login := func(l *crm.LoopbackLogin) func() error {
		return func() error { _, err := l.Login(ctx); return err }
	}
	open := func(string) error { t.Error("Open called"); return nil }
	loopbackConf := func(u string) *crm.Config { return with(func(c *crm.Config) { c.RedirectURL = u }) }
	var nilConf *crm.Config
	var nilReq *crm.AuthRequest
	var nilMem *crm.MemoryStore
	path := filepath.Join(t.TempDir(), "token.json")

	tests := []struct {
		name string
		call func() error
		want string // what is wrong names the field or argument
		fix  string // how to fix it holds this, if not empty
	}{
		// Config, as each method checks it.
		{"nil Config", clientCreds(nilConf), "*Config is nil", ""},
		{"empty ClientID", clientCreds(with(func(c *crm.Config) { c.ClientID = " " })), "Config.ClientID is empty", ""},
		{"empty ClientSecret", exchange(with(func(c *crm.Config) { c.ClientSecret = "" })), "Config.ClientSecret is empty", ""},
		{"unparsable AuthURL", consentURL(authURL("http://[::1"), "state-12345678"), "Config.Endpoint.AuthURL is not a valid URL", ""},
		{"javascript AuthURL", consentURL(authURL("javascript:alert(1)"), "state-12345678"), "Config.Endpoint.AuthURL", ""},
		{"hostless AuthURL", consentURL(authURL("https:///auth"), "state-12345678"), "has no host", ""},
		{"plain http AuthURL", consentURL(authURL("http://auth.example.com/auth"), "state-12345678"), "Config.Endpoint.AuthURL", "Config.AllowInsecureHTTP"},
		{"ftp TokenURL", clientCreds(tokenURL("ftp://auth.example.com/token")), "Config.Endpoint.TokenURL", ""},
		{"relative TokenURL", clientCreds(tokenURL("/oauth2/token")), "Config.Endpoint.TokenURL", ""},
		{"id:secret@host TokenURL", clientCreds(tokenURL("client:" + urlPass + "@auth.example.com/token")), "Config.Endpoint.TokenURL", ""},
		{"TokenURL with user information", clientCreds(tokenURL("https://user:" + urlPass + "@auth.example.com/token")), "user information", ""},
		{"plain http TokenURL with user information", clientCreds(tokenURL("http://user:" + urlPass + "@auth.example.com/token")), "Config.Endpoint.TokenURL", "Config.AllowInsecureHTTP"},
		{"empty RedirectURL", exchange(redirect("")), "Config.RedirectURL is empty", ""},
		{"mailto RedirectURL", exchange(redirect("mailto:a@example.com")), "Config.RedirectURL", ""},
		{"RedirectURL with user information", exchange(redirect("https://user:" + urlPass + "@app.example.com/cb")), "Config.RedirectURL holds user information", ""},
		{"scope with a space", clientCreds(with(func(c *crm.Config) { c.Scopes = []string{"read write"} })), "Config.Scopes", ""},

		// Authorization code flow.
		{"no scopes for consent", consentURL(with(func(c *crm.Config) { c.Scopes = nil }), "state-12345678"), "Config.Scopes is empty", ""},
		{"short state", consentURL(good, "1234567"), "state has 7 characters", ""},
		{"organization not a UUID", consentURL(good, "state-12345678", crm.WithOrganizationID("acme")), "organization ID", ""},
		{"short verifier", consentURL(good, "state-12345678", crm.WithCodeVerifier(verifier[:42])), "PKCE code verifier", ""},
		{"long verifier", exchange(good, crm.WithCodeVerifier(strings.Repeat(verifier, 3))), "PKCE code verifier", ""},
		{"verifier with a slash", exchange(good, crm.WithCodeVerifier(verifier)), "PKCE code verifier", ""},
		{"empty code", func() error { _, err := good.Exchange(ctx, ""); return err }, "authorization code is empty", ""},
		{"nil AuthRequest (exchange)", func() error { _, err := nilReq.Exchange(ctx, good, &crm.Callback{Code: code}); return err }, "*AuthRequest is nil", ""},
		{"nil Callback", func() error {
			_, err := (&crm.AuthRequest{State: "state-12345678"}).Exchange(ctx, good, nil)
			return err
		}, "*Callback is nil", ""},
		{"nil AuthRequest (callback)", func() error { _, err := nilReq.ParseCallback(url.Values{"code": {code}}); return err }, "*AuthRequest is nil", ""},
		{"short AuthRequest.State", func() error {
			_, err := (&crm.AuthRequest{State: "short"}).ParseCallback(url.Values{"state": {"short"}, "code": {code}})
			return err
		}, "AuthRequest.State", ""},

		// Refresh and quick setup.
		{"nil store (token source)", func() error { _, err := good.TokenSource(ctx, nil); return err }, "TokenStore is nil", ""},
		{"nil store (quick setup)", quick(good, refresh, nil), "TokenStore is nil", ""},
		{"empty refresh token", quick(good, "", store), "refresh token is empty", ""},

		// API client.
		{"nil Client", api(nil), "*Client is nil", ""},
		{"nil TokenSource", api(&crm.Client{BaseURL: srv.URL}), "Client.TokenSource is nil", ""},
		{"ftp BaseURL", api(&crm.Client{BaseURL: "ftp://api.example.com", TokenSource: ts}), "Client.BaseURL", ""},
		{"plain http BaseURL", api(&crm.Client{BaseURL: "http://api.example.com", TokenSource: ts}), "Client.BaseURL", "Client.AllowInsecureHTTP"},
		{"BaseURL with user information", api(&crm.Client{BaseURL: "https://u:" + urlPass + "@api.example.com", TokenSource: ts}), "Client.BaseURL holds user information", ""},

		// Stores.
		{"nil MemoryStore (load)", func() error { _, err := nilMem.Load(ctx); return err }, "*MemoryStore is nil", ""},
		{"nil MemoryStore (save)", func() error { return nilMem.Save(ctx, &oauth2.Token{RefreshToken: refresh}) }, "*MemoryStore is nil", ""},
		{"nil token (memory)", func() error { return store.Save(ctx, nil) }, "token to save is nil", ""},
		{"empty FileStore.Path (load)", func() error { _, err := crm.FileStore{}.Load(ctx); return err }, "FileStore.Path is empty", ""},
		{"empty FileStore.Path (save)", func() error { return crm.FileStore{}.Save(ctx, &oauth2.Token{RefreshToken: refresh}) }, "FileStore.Path is empty", ""},
		{"empty FileStore.Path (lock)", func() error { _, err := crm.FileStore{}.Lock(ctx); return err }, "FileStore.Path is empty", ""},
		{"nil token (file)", func() error { return crm.FileStore{Path: path}.Save(ctx, nil) }, "token to save is nil", ""},

		// Loopback login.
		{"nil LoopbackLogin", login(nil), "*LoopbackLogin is nil", ""},
		{"nil LoopbackLogin.Store", login(&crm.LoopbackLogin{Config: loopbackConf(""), Open: open}), "LoopbackLogin.Store is nil", ""},
		{"nil LoopbackLogin.Open", login(&crm.LoopbackLogin{Config: loopbackConf(""), Store: store}), "LoopbackLogin.Open is nil", ""},
		{"port out of range", login(&crm.LoopbackLogin{Config: loopbackConf(""), Port: 70000, Store: store, Open: open}), "LoopbackLogin.Port 70000", ""},
		{"bad loopback RedirectURL", login(&crm.LoopbackLogin{Config: loopbackConf("ftp://127.0.0.1/cb"), Store: store, Open: open}), "Config.RedirectURL", ""},
		{"https loopback RedirectURL", login(&crm.LoopbackLogin{Config: loopbackConf("https://127.0.0.1:8080/cb"), Store: store, Open: open}), "Config.RedirectURL has scheme", ""},
		{"remote loopback RedirectURL", login(&crm.LoopbackLogin{Config: loopbackConf("http://example.com/cb"), Store: store, Open: open}), "not a loopback address", ""},
		{"query in loopback RedirectURL", login(&crm.LoopbackLogin{Config: loopbackConf("http://127.0.0.1:0/cb?x=1"), Store: store, Open: open}), "query or fragment", ""},
		{"fragment in loopback RedirectURL", login(&crm.LoopbackLogin{Config: loopbackConf("http://127.0.0.1:0/cb#x"), Store: store, Open: open}), "query or fragment", ""},
		{"escaped loopback path", login(&crm.LoopbackLogin{Config: loopbackConf("http://127.0.0.1:0/a%2Fb"), Store: store, Open: open}), "Config.RedirectURL path", ""},
		{"bad organization (login)", login(&crm.LoopbackLogin{Config: loopbackConf(""), OrganizationID: "acme", Store: store, Open: open}), "organization ID", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			require.ErrorIs(t, err, crm.ErrInvalidInput)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "crm: "), "prefix: %s", msg)
			assert.False(t, strings.HasPrefix(msg, "crm: crm:"), "one prefix: %s", msg)
			what, fix, ok := strings.Cut(strings.TrimPrefix(msg, "crm: "), "; ")
			require.True(t, ok, "what is wrong; how to fix it: %s", msg)
			assert.NotEmpty(t, what, msg)
			assert.NotEmpty(t, fix, msg)
			assert.Contains(t, what, tt.want, "names what is wrong")
			assert.Contains(t, fix, tt.fix, "says how to fix it")
			assert.NotContains(t, msg, "invalid input", "the old wording")
			assert.False(t, redact.Contains(msg, secrets...), "no secret: %s", msg)
			for _, other := range []error{crm.ErrNoToken, crm.ErrInvalidGrant, crm.ErrStateMissing, crm.ErrStateMismatch} {
				assert.False(t, errors.Is(err, other), "matches only ErrInvalidInput, not %v", other)
			}
		})
	}
	assert.Equal(t, crmtest.Counts{}, srv.Counts(), "no request was sent")
}
