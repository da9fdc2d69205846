package crm_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// allScopes is what most tests ask for.
func allScopes() []string { return []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline} }

// setup starts a mock CRM, closed when the test ends, and a Config for its
// default app.
func setup(t *testing.T, opts ...crmtest.Option) (*crmtest.Server, *crm.Config) {
	t.Helper()
	srv := crmtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, &crm.Config{
		ClientID:     crmtest.DefaultClientID,
		ClientSecret: crmtest.DefaultClientSecret,
		Endpoint:     srv.Endpoint(),
		RedirectURL:  crmtest.DefaultRedirectURL,
		Scopes:       allScopes(),
		HTTPClient:   srv.Client(),
	}
}

// consent plays the browser on the consent URL and returns the query of the
// redirect the mock answers with, without following it.
func consent(t *testing.T, srv *crmtest.Server, consentURL string) url.Values {
	t.Helper()
	c := &http.Client{
		Transport:     srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(consentURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode, "consent endpoint should redirect")
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return loc.Query()
}

// seedStore saves an expired token holding a fresh quick-setup refresh token
// for the default app, so the next Token call refreshes.
func seedStore(t *testing.T, srv *crmtest.Server, store crm.TokenStore) string {
	t.Helper()
	rt, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	require.NoError(t, store.Save(context.Background(), &oauth2.Token{
		AccessToken:  "expired-access-token",
		TokenType:    "bearer",
		RefreshToken: rt,
		Expiry:       time.Now().Add(-time.Hour),
	}))
	return rt
}

// seededSource is conf's token source over store, seeded by seedStore: its
// first Token refreshes.
func seededSource(t *testing.T, srv *crmtest.Server, conf *crm.Config, store crm.TokenStore) oauth2.TokenSource {
	t.Helper()
	seedStore(t, srv, store)
	ts, err := conf.TokenSource(context.Background(), store)
	require.NoError(t, err)
	return ts
}

// requireStored checks that store holds tok's refresh token, and returns
// the token it holds.
func requireStored(t *testing.T, store crm.TokenStore, tok *oauth2.Token, msgAndArgs ...any) *oauth2.Token {
	t.Helper()
	stored, err := store.Load(context.Background())
	require.NoError(t, err)
	require.Equal(t, tok.RefreshToken, stored.RefreshToken, msgAndArgs...)
	return stored
}

// recordingStore is a MemoryStore that remembers every refresh token saved
// and can be told to fail saves.
type recordingStore struct {
	crm.MemoryStore

	mu        sync.Mutex
	refreshes []string
	failSaves int
}

var errDiskFull = errors.New("disk full")

func (s *recordingStore) Save(ctx context.Context, tok *oauth2.Token) error {
	s.mu.Lock()
	if s.failSaves > 0 {
		s.failSaves--
		s.mu.Unlock()
		return errDiskFull
	}
	s.refreshes = append(s.refreshes, tok.RefreshToken)
	s.mu.Unlock()
	return s.MemoryStore.Save(ctx, tok)
}

func (s *recordingStore) saved() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refreshes...)
}

func (s *recordingStore) failNextSaves(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failSaves = n
}
