package cmdutil

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/grant"
	"github.com/tribekit/tribekit/tribe/passthrough"
)

// libraryField matches a library setting named in a message.
var libraryField = regexp.MustCompile(`\b(App|Config|Signer|User|JWTUser|LoopbackLogin|Options|ClientConfig|Identity|Client|FileStore)\.[A-Z]\w*|AllowInsecureHTTP`)

// TestTranslateFields feeds the safety net the libraries' own invalid-input
// errors, each naming a field (checked, so the case means something): the
// translated message names the flag or environment variable instead.
func TestTranslateFields(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	const remote = "http://192.0.2.1" // TEST-NET-1: refused before any request
	secret32 := []byte(strings.Repeat("k", 32))
	user := passthrough.User{ID: "u", Name: "n", Email: "a@example.com"}
	mint := func(a *tribe.App) error { _, err := a.Mint(ctx, tribe.Bot("n")); return err }
	sign := func(s *passthrough.Signer, u passthrough.User) error {
		ts, err := s.TokenSource(u)
		if err != nil {
			return err
		}
		_, err = ts.Token()
		return err
	}
	crmCC := func(c *crm.Config) error { _, err := c.ClientCredentialsTokenSource(ctx); return err }
	crmApp := func() *crm.Config {
		return &crm.Config{ClientID: "c", ClientSecret: "s", Scopes: []string{crm.ScopeRead}}
	}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"App.ClientID", mint(&tribe.App{}), []string{"TRIBE_CLIENT_ID (or --client-id)"}},
		{"App.ClientSecret", mint(&tribe.App{ClientID: "id"}), []string{"TRIBE_CLIENT_SECRET (or --client-secret-file)"}},
		{"App.ClientID/ClientSecret", mint(&tribe.App{ClientID: "a", ClientSecret: "b", Endpoint: "https://x:y@127.0.0.1:1/graphql"}), []string{"TRIBE_CLIENT_ID/TRIBE_CLIENT_SECRET"}},
		{"App AllowInsecureHTTP", mint(&tribe.App{ClientID: "a", ClientSecret: "b", Endpoint: remote + "/graphql"}), []string{"pass --insecure-http"}},
		{"ClientConfig AllowInsecureHTTP", func() error {
			_, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}), tribe.ClientConfig{Endpoint: remote + "/graphql"})
			return err
		}(), []string{"--insecure-http"}},
		{"grant Config.ClientID", func() error {
			_, err := (&grant.Config{CommunityURL: "https://c.example"}).PasswordToken(ctx, "u", "p")
			return err
		}(), []string{"TRIBE_CLIENT_ID (or --client-id)"}},
		{"grant Config.CommunityURL", func() error {
			_, err := (&grant.Config{ClientID: "id", ClientSecret: "s", CommunityURL: "ftp://x"}).PasswordToken(ctx, "u", "p")
			return err
		}(), []string{"--community (or TRIBE_COMMUNITY_URL)"}},
		{"grant Config.TokenURL userinfo", func() error {
			_, err := (&grant.Config{ClientID: "id", ClientSecret: "s", TokenURL: "https://u:p@c.example/t"}).PasswordToken(ctx, "u", "p")
			return err
		}(), []string{"--token-url", "TRIBE_CLIENT_ID (or --client-id)"}},
		{"grant Config.AllowInsecureHTTP", func() error {
			_, err := (&grant.Config{ClientID: "id", ClientSecret: "s", CommunityURL: remote}).PasswordToken(ctx, "u", "p")
			return err
		}(), []string{"pass --insecure-http"}},
		{"grant User.Email", func() error {
			_, err := (&grant.Config{ClientID: "id", ClientSecret: "s", CommunityURL: "https://c.example"}).UserToken(ctx, grant.User{Email: "nobody"})
			return err
		}(), []string{"--email", "--user-id", "--external-id"}},
		{"grant two users", func() error {
			_, err := (&grant.Config{ClientID: "id", ClientSecret: "s", CommunityURL: "https://c.example"}).UserToken(ctx, grant.User{Email: "a@example.com", UserID: "u"})
			return err
		}(), []string{"--email", "--user-id", "--external-id"}},
		{"Signer.Secret", sign(&passthrough.Signer{Secret: []byte("short")}, user), []string{"the HS256 secret from --hs256-secret-file is 5 bytes"}},
		{"Signer.Lifetime", sign(&passthrough.Signer{Secret: secret32, Lifetime: time.Second}, user), []string{"--ttl 1s"}},
		{"Signer no key", sign(&passthrough.Signer{}, user), []string{"--hs256-secret-file FILE or --private-key-file PEM"}},
		{"passthrough User", sign(&passthrough.Signer{Secret: secret32}, passthrough.User{ID: "u"}), []string{"--sub", "--name and --email"}},
		{"passthrough User.Email", sign(&passthrough.Signer{Secret: secret32}, passthrough.User{ID: "u", Name: "n", Email: "nope"}), []string{`--email "nope"`}},
		{"crm Config.ClientID", crmCC(&crm.Config{}), []string{"TRIBE_CRM_CLIENT_ID (or --client-id)"}},
		{"crm Config.ClientSecret", crmCC(&crm.Config{ClientID: "c"}), []string{"TRIBE_CRM_CLIENT_SECRET (or --client-secret-file)"}},
		{"crm Config.Endpoint.TokenURL", func() error {
			c := crmApp()
			c.Endpoint.TokenURL = "ftp://x"
			return crmCC(c)
		}(), []string{"--token-url (or --base-url, TRIBE_CRM_BASE_URL)"}},
		{"crm Config.AllowInsecureHTTP", func() error {
			c := crmApp()
			c.Endpoint.TokenURL = remote + "/oauth2/token"
			return crmCC(c)
		}(), []string{"pass --insecure-http"}},
		{"crm Config.Scopes", func() error {
			c := crmApp()
			c.Scopes = []string{"a b"}
			return crmCC(c)
		}(), []string{"--scope"}},
		{"crm LoopbackLogin.Port", func() error {
			l := &crm.LoopbackLogin{Config: crmApp(), Store: &crm.MemoryStore{}, Open: func(string) error { return nil }, Port: 70000}
			_, err := l.Login(ctx)
			return err
		}(), []string{"--port 70000"}},
		{"crm Config.RedirectURL", func() error {
			c := crmApp()
			c.RedirectURL = "https://127.0.0.1/cb"
			l := &crm.LoopbackLogin{Config: c, Store: &crm.MemoryStore{}, Open: func(string) error { return nil }}
			_, err := l.Login(ctx)
			return err
		}(), []string{"--redirect-url"}},
		{"crm Client.BaseURL", func() error {
			c := &crm.Client{BaseURL: "ftp://x", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})}
			_, err := c.GetCurrentEmployee(ctx)
			return err
		}(), []string{"--api-url (or --base-url, TRIBE_CRM_BASE_URL)"}},
		{"crm FileStore.Path", func() error { _, err := (crm.FileStore{}).Load(ctx); return err }(), []string{"--store"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, tt.err)
			require.True(t, errors.Is(tt.err, tribe.ErrInvalidInput) || errors.Is(tt.err, crm.ErrInvalidInput), "%v", tt.err)
			require.Regexp(t, libraryField, tt.err.Error(), "the library names a field")
			got := translateFields(tt.err)
			assert.NotRegexp(t, libraryField, got)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			f := &Factory{}
			line := f.ErrorLine(nil, tt.err, f.exitCode(tt.err))
			assert.NotRegexp(t, libraryField, line, "the error line is translated")
			assert.Equal(t, ExitUsage, f.exitCode(tt.err))
		})
	}

	t.Run("other errors are left as they are", func(t *testing.T) {
		err := errors.New("server said: App.ClientID is wrong")
		assert.Equal(t, err.Error(), translateFields(err))
	})
}
