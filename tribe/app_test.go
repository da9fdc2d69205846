package tribe

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "sup3r-s3cret-value"

// TestBadInputRefusedBeforeAnyRequest covers every input the issue names:
// each is refused with ErrInvalidInput, a message saying what to do, no
// secret in it, and no request sent.
func TestBadInputRefusedBeforeAnyRequest(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	ok := App{ClientID: "client-1", ClientSecret: testSecret, Endpoint: srv.URL + "/graphql"}
	with := func(f func(*App)) App { a := ok; f(&a); return a }

	tests := []struct {
		name string
		app  App
		id   Identity
		want string
	}{
		{"empty client id", with(func(a *App) { a.ClientID = "" }), Bot("n1"), "client id is empty"},
		{"blank client id", with(func(a *App) { a.ClientID = "  " }), Bot("n1"), "client id is empty"},
		{"empty secret", with(func(a *App) { a.ClientSecret = "" }), Bot("n1"), "client secret is empty"},
		{"colon in client id", with(func(a *App) { a.ClientID = "a:b" }), Bot("n1"), "contains a colon"},
		{"newline in secret", with(func(a *App) { a.ClientSecret = testSecret + "\n" }), Bot("n1"), "control character"},
		{"empty network id", ok, Bot(""), "network id is empty"},
		{"padded network id", ok, Bot(" n1"), "spaces or control characters"},
		{"padded member id", ok, Impersonate("n1", "m1\n"), "spaces or control characters"},
		{"unknown context", ok, Identity{NetworkID: "n1", Context: "GROUP"}, "unknown permission context"},
		{"space context without entity", ok, Identity{NetworkID: "n1", Context: ContextSpace}, "needs an entity id"},
		{"relative endpoint", with(func(a *App) { a.Endpoint = "/graphql" }), Bot("n1"), "not an absolute http(s) URL"},
		{"non-http endpoint", with(func(a *App) { a.Endpoint = "ws://127.0.0.1/graphql" }), Bot("n1"), "not an absolute http(s) URL"},
		{"plain http to remote host", with(func(a *App) { a.Endpoint = "http://app.tribe.so/graphql" }), Bot("n1"), "plain http"},
		{"credentials twice, differing", with(func(a *App) {
			a.Endpoint = "http://other:" + testSecret + "x@" + srv.Listener.Addr().String() + "/graphql"
		}), Bot("n1"), "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.app.Mint(context.Background(), tt.id)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), testSecret)

			_, err = tt.app.TokenSource(context.Background(), tt.id)
			assert.ErrorIs(t, err, ErrInvalidInput, "TokenSource checks up front too")
		})
	}
	_, err := (*App)(nil).Mint(context.Background(), Bot("n1"))
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = NewClient(nil, ClientConfig{Endpoint: srv.URL})
	assert.ErrorIs(t, err, ErrInvalidInput)

	assert.Zero(t, requests.Load(), "no request may be sent for bad input")
}

// TestPlainHTTPToANameAResolverAnswersIsRefused checks that plain http to
// "localhost." (which Go's resolver sends to DNS, not the hosts file) or to
// a name under .localhost is refused before any request: the client's
// transport dials nothing and records what reaches it.
func TestPlainHTTPToANameAResolverAnswersIsRefused(t *testing.T) {
	for _, endpoint := range []string{
		"http://localhost.:1234/graphql",
		"http://LOCALHOST.:1234/graphql",
		"http://app.localhost:1234/graphql",
	} {
		t.Run(endpoint, func(t *testing.T) {
			var sent atomic.Int32
			hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				sent.Add(1)
				return nil, fmt.Errorf("no request may be sent")
			})}
			a := App{ClientID: "client-1", ClientSecret: testSecret, Endpoint: endpoint, HTTPClient: hc}
			_, err := a.Mint(context.Background(), Bot("n1"))
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), "plain http to a host that is not loopback")
			assert.NotContains(t, fmt.Sprintf("%v %+v", err, err), testSecret)
			assert.Zero(t, sent.Load(), "nothing is sent, so nothing is resolved")
		})
	}
}

func TestAppStringHidesSecret(t *testing.T) {
	a := App{ClientID: "client-1", ClientSecret: testSecret, Endpoint: "https://client-1:" + testSecret + "@app.tribe.so/graphql"}
	//lint:ignore S1025 the %s verb itself is what is tested
	for _, s := range []string{a.String(), fmt.Sprintf("%v", a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a), fmt.Sprintf("%v", &a), fmt.Sprintf("%s", &a)} {
		assert.NotContains(t, s, testSecret)
		assert.Contains(t, s, "client-1")
	}
	assert.Contains(t, App{}.String(), DefaultEndpoint)
	assert.Contains(t, App{}.String(), "ClientSecret: unset")
}

func TestIdentity(t *testing.T) {
	assert.Equal(t, "bot@n1", Bot("n1").String())
	assert.Equal(t, "member m1@n1", Impersonate("n1", "m1").String())
	assert.Equal(t, "member m1@n1 (SPACE s1)", Identity{NetworkID: "n1", MemberID: "m1", Context: ContextSpace, EntityID: "s1"}.String())
	assert.True(t, Bot("n1").IsBot())
	assert.False(t, Impersonate("n1", "m1").IsBot())

	n, err := Identity{NetworkID: "n1", Context: "network"}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, Identity{NetworkID: "n1", Context: ContextNetwork, EntityID: "n1"}, n)

	for _, s := range []string{"member", " Post ", "SPACE", "NETWORK"} {
		_, err := ParsePermissionContext(s)
		assert.NoError(t, err, s)
	}
}
