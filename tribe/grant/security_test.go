package grant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
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
			_, err := (&Config{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1"}).PasswordToken(ctx, "u", "password-1")
			return err
		},
		"user": func(ctx context.Context, u string) error {
			_, err := (&Config{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1"}).UserToken(ctx, User{Email: "a@example.com"})
			return err
		},
		"refresh": func(ctx context.Context, u string) error {
			_, err := (&Config{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1"}).Refresh(ctx, "refresh-token-1")
			return err
		},
		"user token source": func(ctx context.Context, u string) error {
			ts, err := (&Config{TokenURL: u, ClientID: "id", ClientSecret: "client-secret-1"}).UserTokenSource(ctx, User{Email: "a@example.com"})
			if err != nil {
				return err
			}
			_, err = ts.Token()
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
				assert.True(t, strings.HasPrefix(err.Error(), "grant: "), err.Error())
				assert.NotContains(t, err.Error(), "grant: grant: ", "one package prefix")
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
	srv := testenv.SlowDrip(t)
	c := &Config{TokenURL: srv.URL, ClientID: "id", ClientSecret: "secret-1", Retry: tribe.RetryPolicy{MaxAttempts: 1}}
	f, err := c.newFlow("grant")
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, f.hc.Timeout)
	f, err = c.newFlowWith("grant", 300*time.Millisecond) // for DefaultTimeout
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		res, err := f.hc.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader("grant_type=x"))
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the grant is still waiting on a slow-drip server")
	}
}

// TestGrantNamesTheToolkit: every grant sends User-Agent tribekit/<version>,
// or Config.UserAgent when it is set.
func TestGrantNamesTheToolkit(t *testing.T) {
	var (
		mu     sync.Mutex
		agents []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"a","token_type":"bearer","refresh_token":"r"}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name, ua, want string
	}{
		{"default", "", "tribekit/devel"},
		{"Config.UserAgent", "my-app/2.1", "my-app/2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			agents = nil
			mu.Unlock()
			c := &Config{TokenURL: srv.URL + "/token", ClientID: "id", ClientSecret: "secret-1", UserAgent: tc.ua}
			_, err := c.UserToken(ctx, User{Email: "a@example.com"})
			require.NoError(t, err)
			_, err = c.PasswordToken(ctx, "u", "password-1")
			require.NoError(t, err)
			_, err = c.Refresh(ctx, "refresh-1")
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{tc.want, tc.want, tc.want}, agents)
		})
	}
}
