package tribe

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestBasicAuthTransportRFC7617(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
	}))
	defer srv.Close()

	// Characters that URL-escaping (as in x/oauth2's AuthStyleInHeader)
	// would change; RFC 7617 sends them as they are.
	id, secret := "id with space%2F", "p@ss:w/rd+=é"
	tr := newBasicAuthTransport(id, secret, "http", srv.Listener.Addr().String(), http.DefaultTransport)
	req, err := http.NewRequest(http.MethodPost, srv.URL, nil)
	require.NoError(t, err)
	res, err := tr.RoundTrip(req)
	require.NoError(t, err)
	res.Body.Close()

	require.Len(t, got, 1)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)), got[0])
	assert.Empty(t, req.Header.Get("Authorization"), "the caller's request must not be modified")
	u, p, ok := (&http.Request{Header: http.Header{"Authorization": {got[0]}}}).BasicAuth()
	require.True(t, ok)
	assert.Equal(t, id, u)
	assert.Equal(t, secret, p)
}

func TestTransportsPinCredentialsToTheirHost(t *testing.T) {
	var otherAuth []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherAuth = append(otherAuth, r.Header.Get("Authorization"))
	}))
	defer other.Close()
	var home string
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		home = r.Header.Get("Authorization")
		http.Redirect(w, r, other.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	host := redirector.Listener.Addr().String()

	for name, rt := range map[string]http.RoundTripper{
		"basic":  newBasicAuthTransport("id", "secret", "http", host, http.DefaultTransport),
		"bearer": &bearerTransport{source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}), scheme: "http", host: host, base: http.DefaultTransport},
	} {
		t.Run(name, func(t *testing.T) {
			otherAuth, home = nil, ""
			res, err := (&http.Client{Transport: rt}).Get(redirector.URL)
			require.NoError(t, err)
			res.Body.Close()
			assert.NotEmpty(t, home, "the endpoint's host gets the credentials")
			require.Len(t, otherAuth, 1)
			assert.Empty(t, otherAuth[0], "a redirect to another host must not carry them")
		})
	}
}

func TestWithTransportKeepsCallerClient(t *testing.T) {
	base := &http.Client{Timeout: 7}
	c := withTransport(base, time.Minute, "", func(rt http.RoundTripper) http.RoundTripper {
		return newBasicAuthTransport("a", "b", "https", "h", rt)
	})
	assert.Nil(t, base.Transport, "the caller's client is not changed")
	assert.Equal(t, base.Timeout, c.Timeout)
	assert.IsType(t, &basicAuthTransport{}, c.Transport)
}

// TestRequestsNameTheToolkit: a mint and a call send User-Agent
// tribekit/<version>, or the one the caller set.
func TestRequestsNameTheToolkit(t *testing.T) {
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents = append(agents, r.Header.Get("User-Agent"))
		if r.URL.Path == "/token" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"a","token_type":"bearer"}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"limitedToken":{"accessToken":"tok"},"authMember":{"id":"m1"}}}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, ua := range []string{"", "myapp/2.0"} {
		agents = nil
		app := &App{ClientID: "id", ClientSecret: "secret-1", Endpoint: srv.URL, UserAgent: ua}
		_, err := app.Mint(ctx, Bot("net"))
		require.NoError(t, err)
		c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, UserAgent: ua})
		require.NoError(t, err)
		_, err = c.AuthMember(ctx)
		require.NoError(t, err)
		want := ua
		if want == "" {
			want = "tribekit/devel"
		}
		assert.Equal(t, []string{want, want}, agents)
	}
}

func TestTransportsNeverSendCredentialsOverPlainHTTPAfterHTTPS(t *testing.T) {
	var seen []string
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.Scheme+" "+r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	})
	for name, rt := range map[string]http.RoundTripper{
		"basic":  newBasicAuthTransport("id", "secret", "https", "app.tribe.so", base),
		"bearer": &bearerTransport{source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}), scheme: "https", host: "app.tribe.so", base: base},
	} {
		t.Run(name, func(t *testing.T) {
			seen = nil
			for _, u := range []string{"https://app.tribe.so/graphql", "http://app.tribe.so/graphql"} {
				req, err := http.NewRequest(http.MethodPost, u, nil)
				require.NoError(t, err)
				_, err = rt.RoundTrip(req)
				require.NoError(t, err)
			}
			require.Len(t, seen, 2)
			assert.NotEqual(t, "https ", seen[0], "https gets the credentials")
			assert.Equal(t, "http ", seen[1], "a downgrade to http does not")
		})
	}
}

func TestBasicAuthHeader(t *testing.T) {
	for _, c := range [][2]string{{"", ""}, {"a", ""}, {"", "b"}, {"ab", "c"}, {"abc", "de"}, {"id", "p@ss:w/rd+=é"}, {"x", string(make([]byte, 300))}} {
		assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(c[0]+":"+c[1])), basicAuth(c[0], c[1]), "%q", c)
	}
}
