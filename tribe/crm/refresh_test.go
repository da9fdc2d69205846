package crm_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func TestQuickSetup(t *testing.T) {
	srv, conf := setup(t)
	ctx := context.Background()
	copied, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)
	store := &recordingStore{}

	tok, err := conf.QuickSetup(ctx, copied, store)
	require.NoError(t, err)
	assert.True(t, tok.Valid())
	assert.NotEqual(t, copied, tok.RefreshToken, "the CRM rotates the refresh token")
	assert.False(t, srv.RefreshTokenActive(copied), "the copied token is spent")
	assert.True(t, srv.RefreshTokenActive(tok.RefreshToken))
	assert.Equal(t, []string{tok.RefreshToken}, store.saved())

	ts, err := conf.TokenSource(ctx, store)
	require.NoError(t, err)
	emp, err := (&crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: srv.Client()}).GetCurrentEmployee(ctx)
	require.NoError(t, err)
	assert.Equal(t, crmtest.DefaultEmployee().ID, emp.ID)
	assert.Equal(t, 1, srv.Counts().RefreshToken, "the saved token is used, not refreshed again")
}

func TestQuickSetupFailures(t *testing.T) {
	t.Run("spent token saves nothing", func(t *testing.T) {
		_, conf := setup(t)
		store := &recordingStore{}
		_, err := conf.QuickSetup(context.Background(), "rt_not_issued", store)
		require.ErrorIs(t, err, crm.ErrInvalidGrant)
		assert.Empty(t, store.saved())
	})
	t.Run("save failure returns the new token", func(t *testing.T) {
		srv, conf := setup(t)
		copied, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
		require.NoError(t, err)
		store := &recordingStore{}
		store.failNextSaves(1)
		tok, err := conf.QuickSetup(context.Background(), copied, store)
		require.ErrorIs(t, err, errDiskFull)
		require.NotNil(t, tok, "the only copy of the new refresh token")
		assert.True(t, srv.RefreshTokenActive(tok.RefreshToken))
	})
	t.Run("redirect_uri must match the grant", func(t *testing.T) {
		srv, conf := setup(t)
		copied, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
		require.NoError(t, err)
		conf.RedirectURL = "http://127.0.0.1:9/callback"
		_, err = conf.QuickSetup(context.Background(), copied, &crm.MemoryStore{})
		require.ErrorIs(t, err, crm.ErrInvalidGrant)
		assert.True(t, srv.RefreshTokenActive(copied), "a refused refresh does not spend the token")
	})
}

// TestTokenSourceRotation refreshes on every call (the mock's tokens live
// one second, inside x/oauth2's expiry margin) and checks that the store gets
// every new refresh token and the old ones die.
func TestTokenSourceRotation(t *testing.T) {
	srv, conf := setup(t, crmtest.WithAccessTokenLifetime(time.Second))
	store := &recordingStore{}
	first := seedStore(t, srv, store)
	ts, err := conf.TokenSource(context.Background(), store)
	require.NoError(t, err)

	issued := []string{first}
	for i := range 4 {
		tok, err := ts.Token()
		require.NoError(t, err, "refresh %d", i)
		prev := issued[len(issued)-1]
		assert.NotEqual(t, prev, tok.RefreshToken, "refresh %d rotated", i)
		assert.False(t, srv.RefreshTokenActive(prev), "refresh %d: the old refresh token is dead", i)
		assert.True(t, srv.RefreshTokenActive(tok.RefreshToken))
		stored := requireStored(t, store, tok, "refresh %d: the store holds the newest", i)
		assert.Equal(t, tok.AccessToken, stored.AccessToken)
		issued = append(issued, tok.RefreshToken)
	}
	// seedStore's save, then one per refresh, in order.
	assert.Equal(t, issued, store.saved())
	assert.Equal(t, 4, srv.Counts().RefreshToken)
}

func TestTokenSourceFailedRefreshLeavesStoreIntact(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		code    string
		wantErr error
	}{
		{"server error", http.StatusInternalServerError, "server_error", nil},
		{"invalid grant", http.StatusBadRequest, "invalid_grant", crm.ErrInvalidGrant},
		{"unavailable", http.StatusServiceUnavailable, "temporarily_unavailable", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf := setup(t)
			ctx := context.Background()
			store := &recordingStore{}
			rt := seedStore(t, srv, store)
			before, err := store.Load(ctx)
			require.NoError(t, err)
			ts, err := conf.TokenSource(ctx, store)
			require.NoError(t, err)

			srv.FailNextRefresh(tt.status, tt.code)
			_, err = ts.Token()
			var te *crm.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.status, te.StatusCode)
			assert.Equal(t, tt.code, te.ErrorCode)
			assert.Equal(t, "refresh_token", te.Grant)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}

			after, err := store.Load(ctx)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the stored token is intact")
			assert.Equal(t, []string{rt}, store.saved(), "nothing was saved")
			assert.True(t, srv.RefreshTokenActive(rt))

			// The next try succeeds with the same stored refresh token.
			tok, err := ts.Token()
			require.NoError(t, err)
			requireStored(t, store, tok)
			assert.Equal(t, 2, srv.Counts().RefreshToken)
		})
	}
}

func TestTokenSourceSaveFailureKeepsNewestToken(t *testing.T) {
	srv, conf := setup(t)
	store := &recordingStore{}
	ts := seededSource(t, srv, conf, store)

	store.failNextSaves(2)
	_, err := ts.Token()
	require.ErrorIs(t, err, errDiskFull)
	_, err = ts.Token()
	require.ErrorIs(t, err, errDiskFull, "the save is retried, not the refresh")
	assert.Equal(t, 1, srv.Counts().RefreshToken)

	tok, err := ts.Token()
	require.NoError(t, err)
	stored := requireStored(t, store, tok, "the refreshed token reached the store")
	assert.True(t, srv.RefreshTokenActive(stored.RefreshToken))
	assert.Equal(t, 1, srv.Counts().RefreshToken)
}

// TestTokenSourceConcurrent has many goroutines ask for a token at once: one
// refresh happens, and everyone gets its token.
func TestTokenSourceConcurrent(t *testing.T) {
	srv, conf := setup(t)
	store := &recordingStore{}
	ts := seededSource(t, srv, conf, store)

	const n = 20
	toks := make([]*oauth2.Token, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { toks[i], errs[i] = ts.Token() })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, toks[0].AccessToken, toks[i].AccessToken)
	}
	assert.Equal(t, 1, srv.Counts().RefreshToken)
	assert.Len(t, store.saved(), 2, "seed and one refresh")
}

// TestTokenSourceConcurrentRotation refreshes on every call from many
// goroutines: refreshes never overlap, or the mock would see a spent token.
func TestTokenSourceConcurrentRotation(t *testing.T) {
	srv, conf := setup(t, crmtest.WithAccessTokenLifetime(time.Second))
	store := &recordingStore{}
	ts := seededSource(t, srv, conf, store)

	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := ts.Token(); err != nil {
				t.Errorf("Token: %v", err)
			}
		})
	}
	wg.Wait()
	c := srv.Counts()
	assert.Equal(t, n, c.RefreshToken)
	assert.Zero(t, c.TokenErrors)
	saved := store.saved()
	require.Len(t, saved, n+1)
	assert.True(t, srv.RefreshTokenActive(saved[n]), "the last saved refresh token is the live one")
}

// TestTokenSourcesShareStore has two token sources (think two processes) on
// one store: the second uses what the first saved instead of refreshing.
func TestTokenSourcesShareStore(t *testing.T) {
	srv, conf := setup(t)
	ctx := context.Background()
	store := &recordingStore{}
	seedStore(t, srv, store)
	a, err := conf.TokenSource(ctx, store)
	require.NoError(t, err)
	b, err := conf.TokenSource(ctx, store)
	require.NoError(t, err)

	ta, err := a.Token()
	require.NoError(t, err)
	tb, err := b.Token()
	require.NoError(t, err)
	assert.Equal(t, ta.AccessToken, tb.AccessToken)
	assert.Equal(t, 1, srv.Counts().RefreshToken)
}

// TestTokenSourceLostRace: another process spent the refresh token and saved
// the new one between our load and our refresh; we pick its token up.
func TestTokenSourceLostRace(t *testing.T) {
	srv, conf := setup(t)
	ctx := context.Background()
	shared := &crm.MemoryStore{}
	rt := seedStore(t, srv, shared)
	stale := &staleStore{TokenStore: shared}
	stale.staleOnce, _ = shared.Load(ctx)

	// The other process refreshes first.
	other, err := conf.TokenSource(ctx, shared)
	require.NoError(t, err)
	winner, err := other.Token()
	require.NoError(t, err)
	require.False(t, srv.RefreshTokenActive(rt))

	ts, err := conf.TokenSource(ctx, stale)
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, winner.AccessToken, tok.AccessToken)
	assert.Equal(t, 1, srv.Counts().TokenErrors, "our refresh with the spent token failed")
}

// staleStore returns an old token on its first Load, as a store read just
// before another process saved would.
type staleStore struct {
	crm.TokenStore
	mu        sync.Mutex
	staleOnce *oauth2.Token
}

func (s *staleStore) Load(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	old := s.staleOnce
	s.staleOnce = nil
	s.mu.Unlock()
	if old != nil {
		return old, nil
	}
	return s.TokenStore.Load(ctx)
}

func TestTokenSourceStoreProblems(t *testing.T) {
	t.Run("empty store", func(t *testing.T) {
		srv, conf := setup(t)
		ts, err := conf.TokenSource(context.Background(), &crm.MemoryStore{})
		require.NoError(t, err)
		_, err = ts.Token()
		require.ErrorIs(t, err, crm.ErrNoToken)
		assert.Zero(t, srv.Counts().RefreshToken)
	})
	t.Run("expired without refresh token", func(t *testing.T) {
		srv, conf := setup(t)
		store := &crm.MemoryStore{}
		require.NoError(t, store.Save(context.Background(), &oauth2.Token{AccessToken: "old", Expiry: time.Now().Add(-time.Minute)}))
		ts, err := conf.TokenSource(context.Background(), store)
		require.NoError(t, err)
		_, err = ts.Token()
		require.ErrorIs(t, err, crm.ErrNoRefreshToken)
		assert.Zero(t, srv.Counts().RefreshToken)
	})
	t.Run("store returning no token and no error", func(t *testing.T) {
		_, conf := setup(t)
		ts, err := conf.TokenSource(context.Background(), nilStore{})
		require.NoError(t, err)
		var tok *oauth2.Token
		require.NotPanics(t, func() { tok, err = ts.Token() })
		require.ErrorIs(t, err, crm.ErrNoToken)
		assert.Nil(t, tok)
	})
	t.Run("nil MemoryStore", func(t *testing.T) {
		_, conf := setup(t)
		var ms *crm.MemoryStore
		ts, err := conf.TokenSource(context.Background(), ms)
		require.NoError(t, err)
		require.NotPanics(t, func() { _, err = ts.Token() })
		require.ErrorIs(t, err, crm.ErrInvalidInput)
		assert.Zero(t, ms.Saves())
	})
	t.Run("valid stored token is used as is", func(t *testing.T) {
		srv, conf := setup(t)
		store := &crm.MemoryStore{}
		require.NoError(t, store.Save(context.Background(), &oauth2.Token{AccessToken: "fresh", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)}))
		ts, err := conf.TokenSource(context.Background(), store)
		require.NoError(t, err)
		tok, err := ts.Token()
		require.NoError(t, err)
		assert.Equal(t, "fresh", tok.AccessToken)
		assert.Zero(t, srv.Counts().RefreshToken)
	})
}

// nilStore is a broken TokenStore that answers Load with neither a token nor
// an error.
type nilStore struct{}

func (nilStore) Load(context.Context) (*oauth2.Token, error) { return nil, nil }
func (nilStore) Save(context.Context, *oauth2.Token) error   { return nil }
