package crm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestBadInputRefusedBeforeAnyRequest runs every entry point with a broken
// Config or argument and checks it fails with ErrInvalidInput, a message
// naming the problem, and no request reaching the mock.
func TestBadInputRefusedBeforeAnyRequest(t *testing.T) {
	srv, good := setup(t)
	ctx := context.Background()
	with := func(f func(*crm.Config)) *crm.Config {
		c := *good
		c.Scopes = allScopes()
		f(&c)
		return &c
	}
	store := &crm.MemoryStore{}

	tokenSource := func(c *crm.Config) error { _, err := c.TokenSource(ctx, store); return err }
	clientCreds := func(c *crm.Config) error { _, err := c.ClientCredentialsTokenSource(ctx); return err }
	authURL := func(c *crm.Config) error { _, err := c.AuthCodeURL("state-1234"); return err }
	exchange := func(c *crm.Config) error { _, err := c.Exchange(ctx, "some-code"); return err }
	quick := func(c *crm.Config) error { _, err := c.QuickSetup(ctx, "some-refresh-token", store); return err }

	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"nil config", func() error { return clientCreds(nil) }, "*Config is nil"},
		{"empty client ID", func() error { return clientCreds(with(func(c *crm.Config) { c.ClientID = " " })) }, "ClientID is empty"},
		{"empty secret (client credentials)", func() error { return clientCreds(with(func(c *crm.Config) { c.ClientSecret = "" })) }, "ClientSecret is empty"},
		{"empty secret (refresh)", func() error { return tokenSource(with(func(c *crm.Config) { c.ClientSecret = "" })) }, "ClientSecret is empty"},
		{"empty secret (exchange)", func() error { return exchange(with(func(c *crm.Config) { c.ClientSecret = "" })) }, "ClientSecret is empty"},
		{"ftp token URL", func() error {
			return clientCreds(with(func(c *crm.Config) { c.Endpoint.TokenURL = "ftp://auth.example.com/token" }))
		}, "is not an absolute http(s) URL"},
		{"relative token URL", func() error { return quick(with(func(c *crm.Config) { c.Endpoint.TokenURL = "/oauth2/token" })) }, "is not an absolute http(s) URL"},
		{"hostless token URL", func() error { return quick(with(func(c *crm.Config) { c.Endpoint.TokenURL = "https:///token" })) }, "has no host"},
		{"javascript auth URL", func() error { return authURL(with(func(c *crm.Config) { c.Endpoint.AuthURL = "javascript:alert(1)" })) }, "is not an absolute http(s) URL"},
		{"unparsable auth URL", func() error { return authURL(with(func(c *crm.Config) { c.Endpoint.AuthURL = "http://[::1" })) }, "not a valid URL"},
		{"credentials in URL", func() error {
			return clientCreds(with(func(c *crm.Config) { c.Endpoint.TokenURL = "https://u:p@auth.example.com/t" }))
		}, "user information"},
		{"no redirect (auth URL)", func() error { return authURL(with(func(c *crm.Config) { c.RedirectURL = "" })) }, "RedirectURL is empty"},
		{"no redirect (refresh)", func() error { return tokenSource(with(func(c *crm.Config) { c.RedirectURL = "" })) }, "RedirectURL is empty"},
		{"no redirect (quick setup)", func() error { return quick(with(func(c *crm.Config) { c.RedirectURL = "" })) }, "RedirectURL is empty"},
		{"mailto redirect", func() error { return exchange(with(func(c *crm.Config) { c.RedirectURL = "mailto:a@example.com" })) }, "is not an absolute http(s) URL"},
		{"scope with space", func() error { return clientCreds(with(func(c *crm.Config) { c.Scopes = []string{"read write"} })) }, "one non-empty word"},
		{"empty scope", func() error { return authURL(with(func(c *crm.Config) { c.Scopes = []string{""} })) }, "one non-empty word"},
		{"no scopes for consent", func() error { return authURL(with(func(c *crm.Config) { c.Scopes = nil })) }, "Scopes is empty"},
		{"short state", func() error { _, err := good.AuthCodeURL("1234567"); return err }, "state has 7 characters"},
		{"empty state", func() error { _, err := good.AuthCodeURL(""); return err }, "at least 8"},
		{"organization not a UUID", func() error {
			_, err := good.NewAuthRequest(crm.WithOrganizationID("3f2504e0-4f89-11d3-9a0c-0305e82c330g"))
			return err
		}, "not a UUID"},
		{"empty code", func() error { _, err := good.Exchange(ctx, ""); return err }, "authorization code is empty"},
		{"empty refresh token", func() error { _, err := good.QuickSetup(ctx, "", store); return err }, "refresh token is empty"},
		{"nil store (quick setup)", func() error { _, err := good.QuickSetup(ctx, "rt", nil); return err }, "TokenStore is nil"},
		{"nil store (token source)", func() error { _, err := good.TokenSource(ctx, nil); return err }, "TokenStore is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tt.call() })
			require.ErrorIs(t, err, crm.ErrInvalidInput)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: "), err.Error())
			assert.NotContains(t, err.Error(), "invalid input")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Equal(t, crmtest.Counts{}, srv.Counts(), "no request was sent")
}

func TestConfigString(t *testing.T) {
	c := crm.Config{ClientID: "id-1", ClientSecret: "s3cr3t-value", RedirectURL: "https://app.example.com/cb", Scopes: []string{"read"}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{c, &c} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, "s3cr3t-value")
			assert.Contains(t, out, "ClientSecret: "+redact.Marker)
			assert.Contains(t, out, `ClientID: "id-1"`)
			assert.Contains(t, out, crm.DefaultTokenURL, "defaults are shown")
		}
	}
	assert.Contains(t, crm.Config{}.String(), "ClientSecret: <empty>")
}

func TestEndpoint(t *testing.T) {
	e := crm.Endpoint()
	assert.Equal(t, "https://auth.tribecrm.nl/oauth2/auth", e.AuthURL)
	assert.Equal(t, "https://auth.tribecrm.nl/oauth2/token", e.TokenURL)
	e.AuthURL = "changed"
	assert.Equal(t, crm.DefaultAuthURL, crm.Endpoint().AuthURL, "Endpoint returns a fresh value")
	assert.Equal(t, "https://api.tribecrm.nl", crm.DefaultAPIBaseURL)
	assert.Equal(t, []string{"read", "write", "offline"}, []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline})
}
