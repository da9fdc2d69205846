package crm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// Environment of a helper process of TestFileStoreLockAcrossProcesses.
const (
	helperEnv     = "CRM_TEST_LOCK_HELPER" // "1" runs TestHelperProcess
	helperURLEnv  = "CRM_TEST_LOCK_URL"    // the token server's base URL
	helperPathEnv = "CRM_TEST_LOCK_PATH"   // the shared FileStore path
	helperNoLock  = "CRM_TEST_LOCK_OFF"    // "1" hides FileStore's Lock
)

// helperResult is what a helper process prints.
type helperResult struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Err          string `json:"err"`
}

// TestHelperProcess is not a test: TestFileStoreLockAcrossProcesses runs the
// test binary again with helperEnv set, and this is one process sharing the
// token file. It gets a token and prints it as JSON.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return // run as a test: nothing to do
	}
	base := os.Getenv(helperURLEnv)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	conf := &crm.Config{
		ClientID:     crmtest.DefaultClientID,
		ClientSecret: crmtest.DefaultClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: base + "/oauth2/auth", TokenURL: base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL:  crmtest.DefaultRedirectURL,
		Scopes:       allScopes(),
		// Its own transport, so no idle connection outlives the test.
		HTTPClient: &http.Client{Transport: tr, Timeout: 10 * time.Second},
	}
	var store crm.TokenStore = crm.FileStore{Path: os.Getenv(helperPathEnv)}
	if os.Getenv(helperNoLock) == "1" {
		store = struct{ crm.TokenStore }{store} // hides Lock: no Locker
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var res helperResult
	ts, err := conf.TokenSource(ctx, store)
	if err == nil {
		var tok *oauth2.Token
		tok, err = ts.Token()
		if tok != nil {
			res.AccessToken, res.RefreshToken = tok.AccessToken, tok.RefreshToken
		}
	}
	if err != nil {
		res.Err = err.Error()
	}
	require.NoError(t, json.NewEncoder(os.Stdout).Encode(res))
}

// refreshGate forwards token requests to the mock CRM, holding each refresh
// until a second one arrives or hold passes. Two processes that both spend
// the refresh token are thus sure to overlap; with the lock, the second
// never sends one, and the first goes on after hold.
type refreshGate struct {
	t    *testing.T
	srv  *crmtest.Server
	hold time.Duration

	mu      sync.Mutex
	arrived int
	both    chan struct{}
}

func (g *refreshGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		g.t.Errorf("gate: reading body: %v", err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if form, _ := url.ParseQuery(string(body)); form.Get("grant_type") == "refresh_token" {
		g.mu.Lock()
		g.arrived++
		if g.arrived == 2 {
			close(g.both)
		}
		g.mu.Unlock()
		select {
		case <-g.both:
		case <-time.After(g.hold):
		case <-r.Context().Done():
			return
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, g.srv.URL+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		g.t.Errorf("gate: %v", err)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := g.srv.Client().Do(req)
	if err != nil {
		g.t.Errorf("gate: forwarding: %v", err)
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// TestFileStoreLockAcrossProcesses runs two real processes that share one
// FileStore and both find its token expired, against a mock CRM that revokes
// the grant when a refresh token is reused (RFC 9700 section 4.14.2). With
// FileStore's lock only one refreshes and the other loads its token; without
// it both spend the refresh token and the grant is revoked.
func TestFileStoreLockAcrossProcesses(t *testing.T) {
	tests := []struct {
		name   string
		noLock bool
	}{
		{"with the lock nobody is logged out", false},
		{"without the lock the grant is revoked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := crmtest.NewServer(crmtest.WithRevokeOnReuse())
			t.Cleanup(srv.Close)
			gate := &refreshGate{t: t, srv: srv, hold: 700 * time.Millisecond, both: make(chan struct{})}
			front := httptest.NewServer(gate)
			t.Cleanup(front.Close)
			path := filepath.Join(t.TempDir(), "token.json")
			first := seedStore(t, srv, crm.FileStore{Path: path})

			results := make([]helperResult, 2)
			var wg sync.WaitGroup
			for i := range results {
				wg.Go(func() {
					cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
					cmd.Env = append(os.Environ(), helperEnv+"=1", helperURLEnv+"="+front.URL, helperPathEnv+"="+path)
					if tt.noLock {
						cmd.Env = append(cmd.Env, helperNoLock+"=1")
					}
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					out, err := cmd.Output()
					if err != nil {
						t.Errorf("helper %d: %v\n%s\n%s", i, err, out, stderr.String())
						return
					}
					dec := json.NewDecoder(bytes.NewReader(out))
					if err := dec.Decode(&results[i]); err != nil {
						t.Errorf("helper %d printed %q: %v", i, out, err)
					}
				})
			}
			wg.Wait()
			require.False(t, t.Failed())

			counts := srv.Counts()
			if !tt.noLock {
				for i, r := range results {
					assert.Empty(t, r.Err, "helper %d", i)
					assert.True(t, srv.AccessTokenActive(r.AccessToken), "helper %d ends with a valid access token", i)
					assert.True(t, srv.RefreshTokenActive(r.RefreshToken), "helper %d ends with a live refresh token", i)
				}
				assert.Equal(t, results[0].AccessToken, results[1].AccessToken, "the second process loaded the first one's token")
				assert.Equal(t, 1, counts.RefreshToken, "one refresh for the one due token")
				assert.Zero(t, counts.RefreshTokenReuse)
				assert.False(t, srv.GrantRevoked(first))
				stored, err := crm.FileStore{Path: path}.Load(context.Background())
				require.NoError(t, err)
				assert.True(t, srv.RefreshTokenActive(stored.RefreshToken), "the store holds the live refresh token")
				return
			}
			assert.Equal(t, 2, counts.RefreshToken, "both processes spent the refresh token")
			assert.Equal(t, 1, counts.RefreshTokenReuse)
			assert.True(t, srv.GrantRevoked(first), "reuse revoked the grant")
			for i, r := range results {
				assert.False(t, srv.AccessTokenActive(r.AccessToken), "helper %d is logged out", i)
			}
		})
	}
}

// TestFileStoreLock checks the lock within one process: a second Lock waits
// until the first is released, honours its context, and the lock file is
// private.
func TestFileStoreLock(t *testing.T) {
	dir := t.TempDir()
	fs := crm.FileStore{Path: filepath.Join(dir, "sub", "token.json")}
	var _ crm.Locker = fs
	unlock, err := fs.Lock(context.Background())
	require.NoError(t, err)
	fi, err := os.Stat(fs.Path + ".lock")
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = fs.Lock(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a held lock is waited for until ctx ends")
	assert.Less(t, time.Since(start), 2*time.Second)

	got := make(chan error, 1)
	go func() {
		u, err := fs.Lock(context.Background())
		if err == nil {
			err = u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second Lock returned while the first was held: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	require.NoError(t, unlock())
	require.NoError(t, <-got, "the waiter gets the lock once it is released")
	require.Error(t, unlock(), "unlock twice")

	// The store's token source holds the lock while it refreshes: with the
	// lock held elsewhere, Token waits and gives up with its context.
	srv, conf := setup(t)
	seedStore(t, srv, fs)
	unlock, err = fs.Lock(context.Background())
	require.NoError(t, err)
	tctx, tcancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer tcancel()
	ts, err := conf.TokenSource(tctx, fs)
	require.NoError(t, err)
	_, err = ts.Token()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Zero(t, srv.Counts().RefreshToken, "no refresh without the lock")
	require.NoError(t, unlock())
}
