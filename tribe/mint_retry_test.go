package tribe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// appSetup starts a tribetest server and an App for its default app,
// whose retries do not sleep but record their waits.
func appSetup(t *testing.T, opts ...tribetest.Option) (*tribetest.Server, *App, *[]time.Duration) {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	waits := &[]time.Duration{}
	app := &App{
		ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret,
		Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client(),
		Retry: RetryPolicy{sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			*waits = append(*waits, d)
			mu.Unlock()
			return ctx.Err()
		}},
	}
	return srv, app, waits
}

func TestMintRetries(t *testing.T) {
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv, app, waits := appSetup(t)
			require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: status, RetryAfter: 7 * time.Second, Times: 2}))
			tok, err := app.Mint(context.Background(), Bot(tribetest.DefaultNetworkID))
			require.NoError(t, err)
			assert.NotEmpty(t, tok.AccessToken)
			assert.Equal(t, 3, srv.Count("limitedToken"))
			assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, *waits, "Retry-After is honoured")
		})
	}
	t.Run("network error (dropped connection)", func(t *testing.T) {
		srv, app, waits := appSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Drop: true}))
		_, err := app.Mint(context.Background(), Bot(tribetest.DefaultNetworkID))
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Count("limitedToken"))
		assert.Len(t, *waits, 1)
	})
	t.Run("bounded attempts", func(t *testing.T) {
		srv, app, waits := appSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: 503, Times: 10}))
		_, err := app.Mint(context.Background(), Bot(tribetest.DefaultNetworkID))
		var h *HTTPError
		require.ErrorAs(t, err, &h)
		assert.Equal(t, 503, h.StatusCode)
		assert.Equal(t, 4, srv.Count("limitedToken"))
		assert.Len(t, *waits, 3)
	})
	t.Run("within the caller's context", func(t *testing.T) {
		// A wait that would pass the deadline is not begun: the caller
		// gets the server's answer, not a deadline error.
		srv, app, waits := appSetup(t)
		require.NoError(t, srv.Fail("limitedToken", tribetest.Fault{Status: 503, RetryAfter: 20 * time.Second, Times: 10}))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := app.Mint(ctx, Bot(tribetest.DefaultNetworkID))
		var h *HTTPError
		require.ErrorAs(t, err, &h)
		assert.Equal(t, 503, h.StatusCode)
		assert.Equal(t, 20*time.Second, h.RetryAfter)
		assert.Equal(t, 1, srv.Count("limitedToken"))
		assert.Empty(t, *waits)

		// A context cancelled during a wait ends it at once.
		srv.Reset()
		app.Retry.sleep = nil // real waits: 200ms and up
		ctx2, cancel2 := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel2)
		_, err = app.Mint(ctx2, Bot(tribetest.DefaultNetworkID))
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, srv.Count("limitedToken"))
	})
}

func TestMintNotRetried(t *testing.T) {
	validation := `{"data":null,"errors":[{"message":"Parameter validation failed","code":"100","extensions":{"code":"100"}}]}`
	tests := []struct {
		name  string
		fault *tribetest.Fault
		id    Identity
		app   func(*App)
		is    error
	}{
		{"400", &tribetest.Fault{Status: 400}, Bot(tribetest.DefaultNetworkID), nil, nil},
		{"401", nil, Bot(tribetest.DefaultNetworkID), func(a *App) { a.ClientSecret = "wrong" }, ErrUnauthorized},
		{"403", &tribetest.Fault{Status: 403}, Bot(tribetest.DefaultNetworkID), nil, ErrForbidden},
		{"Forbidden (102)", nil, Bot(tribetest.OtherNetworkID), nil, ErrForbidden},
		{"validation error", &tribetest.Fault{Body: validation}, Bot(tribetest.DefaultNetworkID), nil, nil},
		{"500", &tribetest.Fault{Status: 500}, Bot(tribetest.DefaultNetworkID), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, app, waits := appSetup(t)
			if tt.fault != nil {
				require.NoError(t, srv.Fail("limitedToken", *tt.fault))
			}
			if tt.app != nil {
				tt.app(app)
			}
			_, err := app.Mint(context.Background(), tt.id)
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Equal(t, 1, srv.Count("limitedToken"))
			assert.Empty(t, *waits)
		})
	}
}

// TestResponseDataIsTopLevel: only a top-level, non-null "data" counts as
// an answer; the word elsewhere in the body, even as a key at another
// depth, does not.
func TestResponseDataIsTopLevel(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"data":{"authMember":{"id":"m1"}}}`:                    true,
		`{"data" : {"authMember":{"id":"m1"}}, "extensions":{}}`: true,
		`{"extensions":{"data":{}}}`:                             false,
		`{"extensions":{"note":"data"}}`:                         false,
		`{"x":{"data":{"authMember":{"id":"m1"}}}}`:              false,
		`{"data":null}`: false,
		`{}`:            false,
	} {
		c := &gqlClient{endpoint: "http://127.0.0.1/graphql", hc: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}}
		resp, err := authMember(context.Background(), c)
		if ok {
			require.NoError(t, err, body)
			assert.Equal(t, "m1", resp.AuthMember.Id, body)
			continue
		}
		var he *HTTPError
		require.ErrorAs(t, err, &he, body)
		assert.Contains(t, he.Reason, "neither data nor errors", body)
	}
}

func TestAppRefusesPaddedCredentialsAndHidesPastedSecret(t *testing.T) {
	for _, a := range []App{
		{ClientID: " id", ClientSecret: "s"},
		{ClientID: "id", ClientSecret: "s "},
	} {
		_, err := a.config()
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
	a := App{ClientID: "myid:" + testSecret, ClientSecret: testSecret}
	_, err := a.config()
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, a.String(), testSecret)
}
