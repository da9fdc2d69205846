package crm_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// browser plays the user's browser: Open follows the consent URL through the
// mock's redirect to the loopback server, and keeps the page it got.
type browser struct {
	client *http.Client

	mu     sync.Mutex
	url    string
	status int
	page   string
}

func newBrowser(srv *crmtest.Server) *browser {
	return &browser{client: &http.Client{Transport: srv.Client().Transport, Timeout: 10 * time.Second}}
}

func (b *browser) Open(u string) error {
	resp, err := b.client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.url, b.status, b.page = u, resp.StatusCode, string(body)
	return err
}

func (b *browser) result() (string, int, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.url, b.status, b.page
}

func loopbackConfig(conf *crm.Config) *crm.Config {
	conf.RedirectURL = ""
	return conf
}

// loopbackSetup is setup with a config for a loopback login (no redirect
// URL, so the login picks its own port) and a browser to open its
// consent URL.
func loopbackSetup(t *testing.T, opts ...crmtest.Option) (*crmtest.Server, *crm.Config, *browser) {
	t.Helper()
	srv, conf := setup(t, opts...)
	return srv, loopbackConfig(conf), newBrowser(srv)
}

// assertLoginRefused checks what a refused login leaves: no result, nothing
// saved, no code exchanged, and a 400 page from the loopback server with
// heading and wantPage on it.
func assertLoginRefused(t *testing.T, srv *crmtest.Server, store *crm.MemoryStore, b *browser, res *crm.LoginResult, heading, wantPage string) {
	t.Helper()
	assert.Nil(t, res)
	assert.Zero(t, store.Saves(), "nothing saved")
	assert.Zero(t, srv.Counts().AuthorizationCode, "no code exchanged")
	_, status, page := b.result()
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, page, heading)
	assert.Contains(t, page, wantPage)
}

func TestLoopbackLogin(t *testing.T) {
	srv, conf, b := loopbackSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := crm.FileStore{Path: filepath.Join(t.TempDir(), "token.json")}

	res, err := (&crm.LoopbackLogin{Config: conf, Store: store, Open: b.Open, OrganizationID: orgID}).Login(ctx)
	require.NoError(t, err)

	// The consent URL named the loopback redirect, and the browser got the page.
	consentURL, status, page := b.result()
	assert.True(t, strings.HasPrefix(consentURL, srv.AuthURL()+"?"), consentURL)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Logged in to Tribe CRM")
	last := srv.LastAuthorization()
	assert.Equal(t, res.RedirectURL, last.RedirectURL)
	assert.Equal(t, orgID, last.OrganizationID)
	u, err := url.Parse(res.RedirectURL)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", u.Hostname())
	assert.NotEqual(t, "0", u.Port())
	assert.Equal(t, "/callback", u.Path)

	// The token was exchanged and saved.
	assert.Equal(t, allScopes(), res.Scopes)
	require.True(t, res.Token.Valid())
	stored, err := store.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, res.Token.RefreshToken, stored.RefreshToken)
	assert.True(t, srv.RefreshTokenActive(stored.RefreshToken))
	c := srv.Counts()
	assert.Equal(t, 1, c.Authorize)
	assert.Equal(t, 1, c.AuthorizationCode)

	// Later refreshes send the loopback redirect_uri the grant is bound to.
	stored.Expiry = time.Now().Add(-time.Hour)
	require.NoError(t, store.Save(ctx, stored))
	conf.RedirectURL = res.RedirectURL
	ts, err := conf.TokenSource(ctx, store)
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.NotEqual(t, res.Token.RefreshToken, tok.RefreshToken)
	assert.Equal(t, 1, srv.Counts().RefreshToken)

	// The loopback server is gone.
	_, err = net.DialTimeout("tcp", u.Host, time.Second)
	assert.Error(t, err, "the listener is closed after login")
}

func TestLoopbackLoginFixedRedirect(t *testing.T) {
	srv, conf := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	conf.RedirectURL = "http://127.0.0.1:" + strconv.Itoa(port) + "/callback"

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := (&crm.LoopbackLogin{Config: conf, Store: &crm.MemoryStore{}, Open: newBrowser(srv).Open}).Login(ctx)
	require.NoError(t, err)
	assert.Equal(t, conf.RedirectURL, res.RedirectURL)
	assert.Equal(t, conf.RedirectURL, srv.LastAuthorization().RedirectURL)
}

func TestLoopbackLoginFailures(t *testing.T) {
	tests := []struct {
		name        string
		consent     crmtest.Consent
		allowNarrow bool
		wantErr     error
		wantPage    string
	}{
		{name: "denied", consent: crmtest.Consent{Deny: true, DenyDescription: "Nope <b>no</b>"}, wantErr: crm.ErrAccessDenied, wantPage: "Nope &lt;b&gt;no&lt;/b&gt;"},
		{name: "code missing", consent: crmtest.Consent{DropCode: true}, wantErr: crm.ErrCodeMissing, wantPage: "code missing"},
		{name: "narrower scopes", consent: crmtest.Consent{GrantScopes: []string{"read", "offline"}}, wantErr: crm.ErrScopeNarrowed, wantPage: "narrower"},
		{name: "narrower scopes allowed", consent: crmtest.Consent{GrantScopes: []string{"read", "offline"}}, allowNarrow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf, b := loopbackSetup(t, crmtest.WithConsent(tt.consent))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			store := &crm.MemoryStore{}

			res, err := (&crm.LoopbackLogin{Config: conf, Store: store, Open: b.Open, AllowNarrowerScopes: tt.allowNarrow}).Login(ctx)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, []string{"read", "offline"}, res.Scopes)
				assert.Equal(t, 1, store.Saves())
				_, status, _ := b.result()
				assert.Equal(t, http.StatusOK, status)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assertLoginRefused(t, srv, store, b, res, "Login failed", tt.wantPage)
		})
	}
}

// TestLoopbackLoginIgnoresStrayRequests checks that only the redirect with
// this login's state ends it: requests to the callback without the state or
// with another one are answered 400, other paths 404, and the login goes on
// to succeed when the browser comes back.
func TestLoopbackLoginIgnoresStrayRequests(t *testing.T) {
	srv, conf, b := loopbackSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store := &crm.MemoryStore{}
	plain := &http.Client{Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		resp, err := plain.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	open := func(consentURL string) error {
		cu, err := url.Parse(consentURL)
		require.NoError(t, err)
		redirect, err := url.Parse(cu.Query().Get("redirect_uri"))
		require.NoError(t, err)
		state := cu.Query().Get("state")
		require.NotEmpty(t, state)
		callback := func(q url.Values) string {
			u := *redirect
			u.RawQuery = q.Encode()
			return u.String()
		}
		for _, q := range []url.Values{
			{"state": {"wrong-state-value"}, "code": {"x"}},
			{"code": {"x"}},
			{"state": {state + "x"}, "error": {"access_denied"}},
			{"error": {"access_denied"}},
		} {
			status, page := get(callback(q))
			assert.Equal(t, http.StatusBadRequest, status, q)
			assert.Contains(t, page, "Not the login in progress")
			assert.NotContains(t, page, state)
		}
		base := "http://" + redirect.Host
		for _, p := range []string{"/favicon.ico", "/other?state=" + url.QueryEscape(state) + "&code=x"} {
			status, _ := get(base + p)
			assert.Equal(t, http.StatusNotFound, status, p)
		}
		return b.Open(consentURL)
	}

	res, err := (&crm.LoopbackLogin{Config: conf, Store: store, Open: open}).Login(ctx)
	require.NoError(t, err, "the stray requests did not end the login")
	assert.True(t, res.Token.Valid())
	assert.Equal(t, 1, store.Saves())
	_, status, page := b.result()
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Logged in to Tribe CRM")
	assert.Equal(t, 1, srv.Counts().AuthorizationCode)
}

// TestLoopbackLoginWaitsPastABadState checks that a redirect with a missing
// or tampered state is refused with a page and does not end the login, which
// ends only with its context.
func TestLoopbackLoginWaitsPastABadState(t *testing.T) {
	tests := []struct {
		name     string
		consent  crmtest.Consent
		wantPage string
	}{
		{"state tampered", crmtest.Consent{TamperState: true}, "does not match"},
		{"state missing", crmtest.Consent{DropState: true}, "state missing"},
		{"denied with a tampered state", crmtest.Consent{Deny: true, TamperState: true}, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, conf, b := loopbackSetup(t, crmtest.WithConsent(tt.consent))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			store := &crm.MemoryStore{}
			open := func(u string) error {
				err := b.Open(u)
				// The login goes on waiting; end it here.
				cancel()
				return err
			}
			res, err := (&crm.LoopbackLogin{Config: conf, Store: store, Open: open}).Login(ctx)
			require.ErrorIs(t, err, context.Canceled)
			assertLoginRefused(t, srv, store, b, res, "Not the login in progress", tt.wantPage)
		})
	}
}

func TestLoopbackLoginContext(t *testing.T) {
	srv, conf, b := loopbackSetup(t)

	t.Run("browser never comes back", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		var opened string
		_, err := (&crm.LoopbackLogin{Config: conf, Store: &crm.MemoryStore{}, Open: func(u string) error { opened = u; return nil }}).Login(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "crm: waiting for the browser")
		assert.NotEmpty(t, opened)
	})
	t.Run("open fails", func(t *testing.T) {
		errNoBrowser := errors.New("no browser")
		_, err := (&crm.LoopbackLogin{Config: conf, Store: &crm.MemoryStore{}, Open: func(string) error { return errNoBrowser }}).Login(context.Background())
		require.ErrorIs(t, err, errNoBrowser)
		assert.Zero(t, srv.Counts().Authorize)
	})
	t.Run("save fails", func(t *testing.T) {
		store := &recordingStore{}
		store.failNextSaves(1)
		res, err := (&crm.LoopbackLogin{Config: conf, Store: store, Open: b.Open}).Login(context.Background())
		require.ErrorIs(t, err, errDiskFull)
		require.NotNil(t, res, "the spent code's token comes back")
		assert.True(t, srv.RefreshTokenActive(res.Token.RefreshToken))
	})
}

func TestLoopbackLoginRefusesBadInput(t *testing.T) {
	srv, conf := setup(t)
	open := func(string) error { t.Error("Open called"); return nil }
	with := func(f func(*crm.Config)) *crm.Config {
		c := *loopbackConfig(&crm.Config{ClientID: conf.ClientID, ClientSecret: conf.ClientSecret, Endpoint: conf.Endpoint, Scopes: allScopes()})
		f(&c)
		return &c
	}
	tests := []struct {
		name string
		l    *crm.LoopbackLogin
	}{
		{"nil login", nil},
		{"nil config", &crm.LoopbackLogin{Store: &crm.MemoryStore{}, Open: open}},
		{"nil store", &crm.LoopbackLogin{Config: conf, Open: open}},
		{"nil open", &crm.LoopbackLogin{Config: conf, Store: &crm.MemoryStore{}}},
		{"no secret", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.ClientSecret = "" }), Store: &crm.MemoryStore{}, Open: open}},
		{"no scopes", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.Scopes = nil }), Store: &crm.MemoryStore{}, Open: open}},
		{"https redirect", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.RedirectURL = "https://127.0.0.1:8080/cb" }), Store: &crm.MemoryStore{}, Open: open}},
		{"remote redirect", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.RedirectURL = "http://example.com/cb" }), Store: &crm.MemoryStore{}, Open: open}},
		{"wildcard in path", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.RedirectURL = "http://127.0.0.1:0/{x}" }), Store: &crm.MemoryStore{}, Open: open}},
		{"escaped path", &crm.LoopbackLogin{Config: with(func(c *crm.Config) { c.RedirectURL = "http://127.0.0.1:0/a%2Fb" }), Store: &crm.MemoryStore{}, Open: open}},
		{"port out of range", &crm.LoopbackLogin{Config: with(func(*crm.Config) {}), Port: 70000, Store: &crm.MemoryStore{}, Open: open}},
		{"bad organization", &crm.LoopbackLogin{Config: with(func(*crm.Config) {}), OrganizationID: "acme", Store: &crm.MemoryStore{}, Open: open}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.l.Login(context.Background())
			require.ErrorIs(t, err, crm.ErrInvalidInput)
		})
	}
	assert.Zero(t, srv.Counts().Authorize)
}
