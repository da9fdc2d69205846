package tribe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/internal/testenv"
	"golang.org/x/oauth2"
)

// TestDefaultHTTPClientHasATimeout: with no HTTPClient of their own, an
// App, a grant and a Client give up on a server that drips bytes for ever,
// even with a context that never ends.
func TestDefaultHTTPClientHasATimeout(t *testing.T) {
	const short = 300 * time.Millisecond // for DefaultHTTPTimeout
	srv := testenv.SlowDrip(t)
	once := RetryPolicy{MaxAttempts: 1}

	calls := map[string]func() error{
		"mint": func() error {
			cfg, err := (&App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL, Retry: once}).configWith(short)
			if err != nil {
				return err
			}
			_, err = cfg.mint(context.Background(), Bot("net"))
			return err
		},
		"client": func() error {
			c, err := newClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL}, short)
			if err != nil {
				return err
			}
			_, err = c.AuthMember(context.Background())
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- call() }()
			select {
			case err := <-done:
				require.Error(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("the call is still waiting on a slow-drip server")
			}
		})
	}
	assert.Equal(t, 30*time.Second, DefaultHTTPTimeout)
	cfg, err := (&App{ClientID: "id", ClientSecret: "secret-1"}).config()
	require.NoError(t, err)
	assert.Equal(t, DefaultHTTPTimeout, cfg.hc.Timeout)
	c, err := NewClient(staticTokenSource("tok"), ClientConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultHTTPTimeout, c.gql.hc.Timeout)
	mine := &http.Client{}
	cfg, err = (&App{ClientID: "id", ClientSecret: "secret-1", HTTPClient: mine}).config()
	require.NoError(t, err)
	assert.Zero(t, cfg.hc.Timeout, "a caller's own client keeps its settings")
}

// TestWrongClientCredentialsAreNotAnInvalidToken: code 108 means "this
// access token is invalid"; a mint sends no access token, so whatever the
// server answers a wrong secret with matches ErrUnauthorized only.
func TestWrongClientCredentialsAreNotAnInvalidToken(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
	}{
		"401 with 108":              {401, `{"errors":[{"message":"Unauthorized","code":"108"}]}`},
		"401 with 108 in ext":       {401, `{"errors":[{"message":"Unauthorized","extensions":{"code":108}}]}`},
		"200 with 108":              {200, `{"data":null,"errors":[{"message":"invalid token","code":"108"}]}`},
		"401 plain":                 {401, `Unauthorized`},
		"401 with no code, as JSON": {401, `{"errors":[{"message":"Unauthorized"}]}`},
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(a.status)
				_, _ = w.Write([]byte(a.body))
			}))
			defer srv.Close()
			_, err := (&App{ClientID: "id", ClientSecret: "wrong-secret", Endpoint: srv.URL}).Mint(context.Background(), Bot("net"))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.NotErrorIs(t, err, ErrInvalidToken)
		})
	}
	// A 108 on a call made with an access token is still an invalid token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":null,"errors":[{"message":"invalid token","code":"108"}]}`))
	}))
	defer srv.Close()
	c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL})
	require.NoError(t, err)
	_, err = c.AuthMember(context.Background())
	assert.ErrorIs(t, err, ErrInvalidToken)
	assert.NotErrorIs(t, err, ErrUnauthorized)
}

// staticTokenSource hands out one token with no expiry.
type staticTokenSource string

func (s staticTokenSource) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: string(s)}, nil
}

// gatewayServer answers limitedToken with a token and the given gatewayUrl.
func gatewayServer(t *testing.T, tls bool, gateway func() string) *httptest.Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exp := time.Now().Add(time.Hour).Unix()
		tok := fakeJWT(fmt.Sprintf(`{"id":"m1","iat":%d,"exp":%d}`, exp-3600, exp))
		fmt.Fprintf(w, `{"data":{"limitedToken":{"accessToken":%q,"gatewayUrl":%q}}}`, tok, gateway())
	})
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestGatewayURLIsTrustedWithCare: a member's token goes to the gatewayUrl
// the server returned only if it is https, or plain http on loopback from
// an endpoint that is plain http on loopback; App.CheckGateway can refuse
// more.
func TestGatewayURLIsTrustedWithCare(t *testing.T) {
	var hits atomic.Int32
	recorder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"data":{}}`)
	}))
	defer recorder.Close()
	recURL, _ := url.Parse(recorder.URL)
	errAllow := errors.New("not on the allow-list")
	allowList := func(_, gw *url.URL) error {
		if gw.Hostname() != "gw.bettermode.example" {
			return errAllow
		}
		return nil
	}

	cases := []struct {
		name     string
		tls      bool
		gateway  string
		insecure bool
		check    func(endpoint, gateway *url.URL) error
		ok       bool
		wantErr  error
	}{
		{name: "https", gateway: "https://gw.bettermode.example/graphql", ok: true},
		{name: "http loopback from http loopback", gateway: recorder.URL + "/graphql", ok: true},
		{name: "http localhost from http loopback", gateway: "http://localhost:" + recURL.Port() + "/graphql", ok: true},
		{name: "http elsewhere", gateway: "http://gw.bettermode.example/graphql"},
		{name: "http private address", gateway: "http://10.1.2.3/graphql"},
		{name: "http elsewhere with AllowInsecureHTTP", gateway: "http://gw.bettermode.example/graphql", insecure: true},
		{name: "http on the endpoint's host with AllowInsecureHTTP", gateway: recorder.URL + "/x", insecure: true, ok: true},
		{name: "http loopback from https", tls: true, gateway: recorder.URL + "/graphql"},
		{name: "http loopback from https with AllowInsecureHTTP", tls: true, gateway: recorder.URL + "/graphql", insecure: true},
		{name: "credentials in it", gateway: "https://user:pass@gw.bettermode.example/graphql"},
		{name: "not http", gateway: "ftp://gw.bettermode.example/graphql"},
		{name: "not a URL", gateway: "::not a url"},
		{name: "allow-list passes", gateway: "https://gw.bettermode.example/graphql", check: allowList, ok: true},
		{name: "allow-list refuses", gateway: "https://evil.example/graphql", check: allowList, wantErr: errAllow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hits.Store(0)
			srv := gatewayServer(t, c.tls, func() string { return c.gateway })
			app := &App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL + "/graphql", HTTPClient: srv.Client(), AllowInsecureHTTP: c.insecure, CheckGateway: c.check}
			ts, err := app.TokenSource(context.Background(), Impersonate("net", "m1"))
			require.NoError(t, err)
			for name, client := range map[string]func() (*Client, error){
				"App.Client": func() (*Client, error) { return app.Client(context.Background(), ts) },
			} {
				cl, err := client()
				if c.ok {
					require.NoError(t, err, name)
					want, _ := url.Parse(c.gateway)
					assert.Equal(t, want.String(), cl.Endpoint(), name)
					continue
				}
				require.ErrorIs(t, err, ErrUntrustedGateway, name)
				if c.wantErr != nil {
					assert.ErrorIs(t, err, c.wantErr, name)
				}
				assert.NotContains(t, err.Error(), "pass", name)
				assert.Nil(t, cl, name)
			}
			assert.Zero(t, hits.Load(), "nothing is sent while choosing the gateway")
		})
	}

	t.Run("CheckGateway sees both URLs", func(t *testing.T) {
		srv := gatewayServer(t, false, func() string { return "https://gw.bettermode.example/graphql" })
		var gotEP, gotGW string
		app := &App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL + "/graphql", CheckGateway: func(ep, gw *url.URL) error {
			gotEP, gotGW = ep.String(), gw.String()
			return nil
		}}
		ts, err := app.TokenSource(context.Background(), Bot("net"))
		require.NoError(t, err)
		_, err = app.Client(context.Background(), ts)
		require.NoError(t, err)
		assert.Equal(t, srv.URL+"/graphql", gotEP)
		assert.Equal(t, "https://gw.bettermode.example/graphql", gotGW)
	})
}

func TestBoundedExpiry(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	assert.Equal(t, now.Add(UnknownTokenLifetime), boundedExpiry(time.Time{}, now))
	assert.Equal(t, now.Add(MinTokenLifetime), boundedExpiry(now.Add(-time.Hour), now))
	assert.Equal(t, now.Add(MinTokenLifetime), boundedExpiry(now.Add(time.Second), now))
	assert.Equal(t, now.Add(time.Hour), boundedExpiry(now.Add(time.Hour), now))
}
