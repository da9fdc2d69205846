package crm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestUserAgent sends every kind of CRM request (the three grants, quick
// setup and an API call) against the mock and checks the User-Agent each
// carried: tribekit/<version> by default, Config.UserAgent and
// Client.UserAgent when set, with the caller's HTTP client or without one.
func TestUserAgent(t *testing.T) {
	require.True(t, strings.HasPrefix(httpx.DefaultUserAgent(), "tribekit/"), httpx.DefaultUserAgent())
	ctx := context.Background()
	type request struct {
		name  string
		token bool // a token request, else an API call
		run   func(*crmtest.Server, *crm.Config, string) error
	}
	requests := []request{
		{"client_credentials", true, func(_ *crmtest.Server, c *crm.Config, _ string) error {
			ts, err := c.ClientCredentialsTokenSource(ctx)
			if err != nil {
				return err
			}
			_, err = ts.Token()
			return err
		}},
		{"authorization_code", true, func(srv *crmtest.Server, c *crm.Config, _ string) error {
			req, err := c.NewAuthRequest()
			if err != nil {
				return err
			}
			cb, err := req.ParseCallback(consent(t, srv, req.URL))
			if err != nil {
				return err
			}
			_, err = req.Exchange(ctx, c, cb)
			return err
		}},
		{"refresh_token", true, func(srv *crmtest.Server, c *crm.Config, _ string) error {
			store := &crm.MemoryStore{}
			seedStore(t, srv, store)
			ts, err := c.TokenSource(ctx, store)
			if err != nil {
				return err
			}
			_, err = ts.Token()
			return err
		}},
		{"quick setup", true, func(srv *crmtest.Server, c *crm.Config, _ string) error {
			rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
			if err != nil {
				return err
			}
			_, err = c.QuickSetup(ctx, rt, &crm.MemoryStore{})
			return err
		}},
		{"GetCurrentEmployee", false, func(srv *crmtest.Server, c *crm.Config, ua string) error {
			ts, err := c.ClientCredentialsTokenSource(ctx)
			if err != nil {
				return err
			}
			cl := &crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: c.HTTPClient, UserAgent: ua}
			_, err = cl.GetCurrentEmployee(ctx)
			return err
		}},
	}
	settings := []struct {
		name      string
		ua        string
		want      string
		ownClient bool
	}{
		{"default, own client", "", httpx.DefaultUserAgent(), true},
		{"default, no client", "", httpx.DefaultUserAgent(), false},
		{"set, own client", "crm-sync/2.1 (+https://example.com)", "crm-sync/2.1 (+https://example.com)", true},
		{"set, no client", "crm-sync/2.1", "crm-sync/2.1", false},
	}
	for _, s := range settings {
		for _, r := range requests {
			t.Run(s.name+"/"+r.name, func(t *testing.T) {
				srv, conf := setup(t)
				conf.UserAgent = s.ua
				own := conf.HTTPClient
				ownTransport := own.Transport
				if !s.ownClient {
					conf.HTTPClient = nil
				}
				require.NoError(t, r.run(srv, conf, s.ua))
				got := srv.LastUserAgents()
				if r.token {
					assert.Equal(t, s.want, got.Token)
					assert.Empty(t, got.API)
				} else {
					assert.Equal(t, s.want, got.Token, "the token request the call made")
					assert.Equal(t, s.want, got.API)
				}
				assert.Same(t, ownTransport, own.Transport, "the caller's client is not changed")
				assert.Nil(t, own.CheckRedirect, "the caller's client is not changed")
				if !s.ownClient {
					http.DefaultTransport.(*http.Transport).CloseIdleConnections()
				}
			})
		}
	}
}

// TestClientUserAgentIsItsOwn checks that a Client's User-Agent is set by
// Client.UserAgent alone: the Config behind its token source does not lend
// it one.
func TestClientUserAgentIsItsOwn(t *testing.T) {
	tests := []struct {
		name               string
		config, client     string
		wantToken, wantAPI string
	}{
		{"both set", "sync-job/1", "api-caller/1", "sync-job/1", "api-caller/1"},
		{"only the Config's", "sync-job/1", "", "sync-job/1", httpx.DefaultUserAgent()},
		{"only the Client's", "", "api-caller/1", httpx.DefaultUserAgent(), "api-caller/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t)
			conf.UserAgent = tt.config
			ts, err := conf.ClientCredentialsTokenSource(context.Background())
			require.NoError(t, err)
			c := &crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: srv.Client(), UserAgent: tt.client}
			_, err = c.GetCurrentEmployee(context.Background())
			require.NoError(t, err)
			assert.Equal(t, crmtest.UserAgents{Token: tt.wantToken, API: tt.wantAPI}, srv.LastUserAgents())
		})
	}
}
