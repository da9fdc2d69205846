package crm_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// sink is a server that records whether anything reached it.
func sink(t *testing.T) (*httptest.Server, *atomic.Int32, *atomic.Value) {
	t.Helper()
	var hits atomic.Int32
	var auth atomic.Value
	auth.Store("")
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"stolen","token_type":"bearer","expires_in":3600,"ID":"x"}`))
	}))
	t.Cleanup(s.Close)
	return s, &hits, &auth
}

// TestTokenRequestsFollowNoRedirect answers every grant's token request
// with a 307 or 308 to another server, which must receive nothing.
func TestTokenRequestsFollowNoRedirect(t *testing.T) {
	grants := []struct {
		name string
		run  func(context.Context, *crmtest.Server, *crm.Config) error
	}{
		{"client_credentials", func(ctx context.Context, _ *crmtest.Server, c *crm.Config) error {
			ts, err := c.ClientCredentialsTokenSource(ctx)
			if err != nil {
				return err
			}
			_, err = ts.Token()
			return err
		}},
		{"authorization_code", func(ctx context.Context, _ *crmtest.Server, c *crm.Config) error {
			_, err := c.Exchange(ctx, "code-secret-value", crm.WithCodeVerifier(crm.NewCodeVerifier()))
			return err
		}},
		{"refresh_token", func(ctx context.Context, srv *crmtest.Server, c *crm.Config) error {
			store := &crm.MemoryStore{}
			seedStore(t, srv, store)
			ts, err := c.TokenSource(ctx, store)
			if err != nil {
				return err
			}
			_, err = ts.Token()
			return err
		}},
	}
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		for _, g := range grants {
			t.Run(http.StatusText(status)+"/"+g.name, func(t *testing.T) {
				srv, conf := setup(t)
				target, hits, _ := sink(t)
				redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, strings.Replace(target.URL, "http://", "http://user:pass@", 1)+"/steal?x=1", status)
				}))
				t.Cleanup(redirector.Close)
				conf.Endpoint.TokenURL = redirector.URL + "/oauth2/token"
				conf.HTTPClient = nil // the default client, and its copy, follow no redirect either
				for _, hc := range []*http.Client{nil, {}} {
					conf.HTTPClient = hc
					err := g.run(context.Background(), srv, conf)
					var re *crm.RedirectError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, status, re.StatusCode)
					assert.Equal(t, "http", re.Scheme)
					assert.Equal(t, strings.TrimPrefix(target.URL, "http://"), re.Host)
					assert.Contains(t, re.Op, g.name)
					assert.NotContains(t, err.Error(), "steal")
					assert.NotContains(t, err.Error(), "pass")
					assert.Zero(t, hits.Load(), "nothing reached the redirect's target")
				}
				if conf.HTTPClient != nil {
					assert.Nil(t, conf.HTTPClient.CheckRedirect, "the caller's client is not changed")
				}
			})
		}
	}
}

// TestAPITokenPinnedToHost makes the API redirect to another server, which
// must see no Authorization header.
func TestAPITokenPinnedToHost(t *testing.T) {
	srv, _ := setup(t)
	target, hits, auth := sink(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at_secret_value_1234" {
			t.Errorf("the API itself gets the token, got %q", r.Header.Get("Authorization"))
		}
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(api.Close)
	c := &crm.Client{BaseURL: api.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at_secret_value_1234"})}
	emp, err := c.GetCurrentEmployee(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "x", emp.ID)
	assert.Equal(t, int32(1), hits.Load(), "the redirect was followed")
	assert.Empty(t, auth.Load(), "but without the token")
	_ = srv
}

// TestPlainHTTPOnlyToLoopback checks that plain http to a host that is not
// loopback is refused before anything is sent, unless AllowInsecureHTTP.
func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	var sent atomic.Int32
	count := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		sent.Add(1)
		return nil, errors.New("not sent in this test")
	})}
	ctx := context.Background()
	conf := func(change func(*crm.Config)) *crm.Config {
		c := &crm.Config{ClientID: "id", ClientSecret: "secret-value", RedirectURL: "https://app.example.com/cb", Scopes: []string{"read"}, HTTPClient: count}
		change(c)
		return c
	}
	calls := []struct {
		name  string
		field string
		run   func(allow bool) error
	}{
		{"token URL", "Config.Endpoint.TokenURL", func(allow bool) error {
			c := conf(func(c *crm.Config) {
				c.Endpoint.TokenURL = "http://auth.example.com/token"
				c.AllowInsecureHTTP = allow
			})
			_, err := c.Exchange(ctx, "code-1234")
			return err
		}},
		{"auth URL", "Config.Endpoint.AuthURL", func(allow bool) error {
			c := conf(func(c *crm.Config) { c.Endpoint.AuthURL = "http://auth.example.com/auth"; c.AllowInsecureHTTP = allow })
			_, err := c.NewAuthRequest()
			return err
		}},
		{"API base URL", "Client.BaseURL", func(allow bool) error {
			c := &crm.Client{BaseURL: "http://api.example.com", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-1234"}), HTTPClient: count, AllowInsecureHTTP: allow}
			_, err := c.GetCurrentEmployee(ctx)
			return err
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			sent.Store(0)
			err := tt.run(false)
			require.ErrorIs(t, err, crm.ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.field)
			assert.Contains(t, err.Error(), "use https")
			assert.Contains(t, err.Error(), "AllowInsecureHTTP")
			assert.Zero(t, sent.Load(), "nothing sent")

			err = tt.run(true)
			assert.NotErrorIs(t, err, crm.ErrInvalidInput, "the opt-out allows it")
		})
	}
	for _, host := range []string{"127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LOCALHOST"} {
		t.Run("loopback "+host, func(t *testing.T) {
			c := conf(func(c *crm.Config) { c.Endpoint.TokenURL = "http://" + host + ":1/token" })
			_, err := c.Exchange(ctx, "code-1234")
			assert.NotErrorIs(t, err, crm.ErrInvalidInput)
		})
	}
	for _, host := range []string{"127.0.0.1.example.com", "localhost.example.com", "10.0.0.1", "[::2]"} {
		t.Run("not loopback "+host, func(t *testing.T) {
			c := conf(func(c *crm.Config) { c.Endpoint.TokenURL = "http://" + host + "/token" })
			_, err := c.Exchange(ctx, "code-1234")
			assert.ErrorIs(t, err, crm.ErrInvalidInput)
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// drip answers 200 and then a byte every 20 ms until the client goes.
func drip(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"access_token":"`))
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := w.Write([]byte("a")); err != nil {
				return
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestDefaultTimeout checks that without an HTTP client of their own a
// Config and a Client give up on a server that drips its answer.
func TestDefaultTimeout(t *testing.T) {
	assert.Equal(t, 30*time.Second, crm.DefaultTimeout)
	s := drip(t)
	grants := []struct {
		name string
		run  func(context.Context, *crm.Config) error
	}{
		{"client_credentials", func(ctx context.Context, c *crm.Config) error {
			ts, err := c.ClientCredentialsTokenSource(ctx)
			if err != nil {
				return err
			}
			_, err = ts.Token()
			return err
		}},
		{"authorization_code", func(ctx context.Context, c *crm.Config) error {
			_, err := c.Exchange(ctx, "code-1234")
			return err
		}},
		{"refresh_token", func(ctx context.Context, c *crm.Config) error {
			_, err := c.QuickSetup(ctx, "rt-1234", &crm.MemoryStore{})
			return err
		}},
	}
	for _, g := range grants {
		t.Run("token request/"+g.name, func(t *testing.T) {
			c := &crm.Config{ClientID: "id", ClientSecret: "secret-value", RedirectURL: "https://app.example.com/cb", Endpoint: oauth2.Endpoint{TokenURL: s.URL + "/token"}}
			crm.SetDefaultTimeout(c, 150*time.Millisecond)
			start := time.Now()
			err := g.run(context.Background(), c)
			require.Error(t, err)
			assert.Less(t, time.Since(start), 2*time.Second)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: token request ("+g.name+")"), err.Error())
			// x/oauth2 reports a body read error with %v, and net/http
			// marks its text as a timeout only at times when the
			// transport is wrapped (the User-Agent): crm says it itself.
			assert.Contains(t, err.Error(), "Timeout of 150ms")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var ne interface{ Timeout() bool }
			require.ErrorAs(t, err, &ne)
			assert.True(t, ne.Timeout())
		})
	}
	t.Run("API call", func(t *testing.T) {
		c := &crm.Client{BaseURL: s.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-1234"})}
		crm.SetClientDefaultTimeout(c, 150*time.Millisecond)
		start := time.Now()
		_, err := c.GetCurrentEmployee(context.Background())
		require.Error(t, err)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}
