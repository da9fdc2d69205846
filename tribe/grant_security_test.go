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
)

// TestGrantsNeverFollowRedirects: a token endpoint that redirects gets an
// error naming the status and the target's scheme and host, and the target
// receives nothing: the form carries the client secret, a password or a
// refresh token.
func TestGrantsNeverFollowRedirects(t *testing.T) {
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer thief.Close()
	thiefURL, err := url.Parse(thief.URL)
	require.NoError(t, err)
	// Another name for the same loopback server, so the host differs.
	target := "http://localhost:" + thiefURL.Port() + "/steal?client_secret=leak-me-please"

	grants := map[string]func(ctx context.Context, tokenURL string) error{
		"password": func(ctx context.Context, u string) error {
			_, err := (&PasswordGrant{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1", Username: "u", Password: "password-1"}).Token(ctx)
			return err
		},
		"exchange": func(ctx context.Context, u string) error {
			_, err := (&ExchangeGrant{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1", Email: "a@example.com"}).Token(ctx)
			return err
		},
		"refresh": func(ctx context.Context, u string) error {
			_, err := (&RefreshGrant{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1", RefreshToken: "refresh-token-1"}).Token(ctx)
			return err
		},
	}
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for name, grant := range grants {
			t.Run(fmt.Sprintf("%s %d", name, status), func(t *testing.T) {
				stolen.Store(0)
				redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target, status)
				}))
				defer redirector.Close()
				err := grant(context.Background(), redirector.URL+"/api/v1/oauth/token")
				require.Error(t, err)
				rd, ok := errors.AsType[*RedirectError](err)
				require.True(t, ok, "want a *RedirectError, got %T: %v", err, err)
				assert.Equal(t, status, rd.StatusCode)
				assert.Equal(t, "http", rd.Scheme)
				assert.Equal(t, "localhost:"+thiefURL.Port(), rd.Host)
				assert.Contains(t, err.Error(), fmt.Sprintf("HTTP %d", status))
				assert.Contains(t, err.Error(), "http://localhost:"+thiefURL.Port())
				assert.NotContains(t, err.Error(), "leak-me-please")
				assert.NotContains(t, err.Error(), "/steal")
				assert.Zero(t, stolen.Load(), "the redirect target received a request")
			})
		}
	}
	t.Run("3xx without Location", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTemporaryRedirect)
		}))
		defer srv.Close()
		err := grants["password"](context.Background(), srv.URL)
		rd, ok := errors.AsType[*RedirectError](err)
		require.True(t, ok, "want a *RedirectError, got %T: %v", err, err)
		assert.Equal(t, http.StatusTemporaryRedirect, rd.StatusCode)
		assert.Contains(t, err.Error(), "elsewhere")
	})
}

// TestGrantDefaultHTTPClientHasATimeout: with no HTTPClient of its own, a
// grant gives up on a server that drips bytes for ever, even with a
// context that never ends.
func TestGrantDefaultHTTPClientHasATimeout(t *testing.T) {
	old := defaultHTTPTimeout
	defaultHTTPTimeout = 300 * time.Millisecond
	t.Cleanup(func() { defaultHTTPTimeout = old })
	srv := slowDrip(t)
	done := make(chan error, 1)
	go func() {
		_, err := (&ExchangeGrant{TokenURL: srv.URL, ClientID: "id", ClientSecret: "secret-1", Email: "a@example.com", Retry: RetryPolicy{MaxAttempts: 1}}).Token(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the grant is still waiting on a slow-drip server")
	}
}

// TestGrantNamesTheToolkit: a grant sends User-Agent tribekit/<version>.
func TestGrantNamesTheToolkit(t *testing.T) {
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents = append(agents, r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"a","token_type":"bearer"}`))
	}))
	defer srv.Close()
	_, err := (&ExchangeGrant{TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret-1", Email: "a@example.com"}).Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"tribekit/devel"}, agents)
}
