package crm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// refresh sends grant_type=refresh_token with the refresh token and the
// redirect_uri the CRM requires (see
// https://developer.tribecrm.nl/docs/api/concepts/authentication, "Step 4").
//
// golang.org/x/oauth2's own refresh (oauth2.Config.TokenSource) sends no
// redirect_uri and offers no way to add one. Its clientcredentials package,
// though, posts any EndpointParams to the token endpoint and lets them
// override grant_type ("to allow interoperability with non-compliant
// implementations"), so the request below goes through x/oauth2's token
// machinery: client authentication, the RFC 6749 error body as a
// *oauth2.RetrieveError, expires_in, and the HTTP client from the context.
// No scope is sent, so the grant keeps its scopes (RFC 6749 section 6).
func (c *Config) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	cc := &clientcredentials.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		TokenURL:     c.tokenURL(),
		AuthStyle:    c.authStyle(),
		EndpointParams: url.Values{
			"grant_type":    {"refresh_token"},
			"refresh_token": {refreshToken},
			"redirect_uri":  {c.RedirectURL},
		},
	}
	tctx, timeout := c.tokenContext(ctx)
	start := time.Now()
	tok, err := cc.Token(tctx)
	if err != nil {
		err = explainTimeout(ctx, err, start, timeout)
		return nil, tokenError("refresh_token", err, c.ClientSecret, refreshToken)
	}
	if tok.RefreshToken == "" {
		// The CRM rotates refresh tokens; should it ever not send one,
		// the old one is all there is.
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

// TokenSource returns a token source for a user's grant (authorization code
// or quick setup) whose newest token lives in store.
//
// When the token it holds has expired, it loads the token from store (so it
// picks up a refresh done by another process), and if that has expired too,
// refreshes it. If store is a [Locker] (a [FileStore] is), it holds the lock
// from that load until the new token is saved, waiting at most a minute (and
// no longer than ctx) for another process to release it; so processes sharing
// the store refresh one at a time, and only one spends each refresh token. A
// refresh is: grant_type=refresh_token with the refresh token and
// redirect_uri=c.RedirectURL, as the CRM requires (see
// https://developer.tribecrm.nl/docs/api/concepts/authentication, "Step 4",
// and RFC 6749 section 6). The CRM answers with a new refresh token that
// replaces the old one, so the new token is saved to store before it is
// returned. A refresh that fails saves nothing, so the stored token stays as
// it was. If the save fails, the token source returns the error and keeps the
// new token in memory, retrying the save on the next call before handing it
// out.
//
// It needs ClientID, ClientSecret, RedirectURL and a store; it sends nothing
// until the first call to Token. ctx carries the requests, as with
// golang.org/x/oauth2. Token errors are each a [*TokenError] (an expired or
// revoked refresh token matches [ErrInvalidGrant]; the user must authorize
// again). The token source is safe for concurrent use and refreshes once at a
// time.
func (c *Config) TokenSource(ctx context.Context, store TokenStore) (oauth2.TokenSource, error) {
	if err := c.check(needSecret | needTokenURL | needRedirect); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errNilStore()
	}
	return &refreshSource{ctx: ctx, conf: c.clone(), store: store}, nil
}

// refreshSource is the token source of [Config.TokenSource].
type refreshSource struct {
	ctx   context.Context
	conf  *Config
	store TokenStore

	mu      sync.Mutex    // held for a whole Token call: one refresh at a time
	tok     *oauth2.Token // newest token known; nil before the first load
	unsaved bool          // tok is newer than the store
}

// maxLockWait bounds how long a token source waits for a [Locker] held by
// another process, which holds it for one refresh at most.
const maxLockWait = time.Minute

// Token returns a valid token, refreshing and saving it if needed.
func (s *refreshSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.unsaved && s.tok.Valid() {
		return copyToken(s.tok), nil
	}
	if l, ok := s.store.(Locker); ok {
		// Load, refresh and save under the store's lock, so that of the
		// processes sharing the store only one spends the refresh token;
		// the others wait, then load what it saved.
		lctx, cancel := context.WithTimeout(s.ctx, maxLockWait)
		unlock, err := l.Lock(lctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("crm: locking the token store: %w", err)
		}
		// An unlock that fails leaves the lock to be released when its
		// file closes or the process exits; the token is good either way.
		defer func() { _ = unlock() }()
	}
	if s.unsaved {
		if err := s.store.Save(s.ctx, s.tok); err != nil {
			return nil, fmt.Errorf("crm: saving refreshed token (kept in memory, will retry): %w", err)
		}
		s.unsaved = false
	}
	if s.tok.Valid() {
		return copyToken(s.tok), nil
	}
	stored, err := s.store.Load(s.ctx)
	if err != nil {
		return nil, fmt.Errorf("crm: loading token: %w", err)
	}
	if stored == nil {
		return nil, ErrNoToken
	}
	if stored.Valid() {
		s.tok = stored
		return copyToken(stored), nil
	}
	if stored.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	tok, err := s.conf.refresh(s.ctx, stored.RefreshToken)
	if errors.Is(err, ErrInvalidGrant) {
		// Another process sharing the store may have used the refresh
		// token first; if so, its newer token is in the store now.
		if again, lerr := s.store.Load(s.ctx); lerr == nil && again.Valid() && again.RefreshToken != stored.RefreshToken {
			s.tok = again
			return copyToken(again), nil
		}
	}
	if err != nil {
		return nil, err // nothing saved: the stored token is intact
	}
	s.tok = tok
	if err := s.store.Save(s.ctx, tok); err != nil {
		s.unsaved = true
		return nil, fmt.Errorf("crm: saving refreshed token (kept in memory, will retry): %w", err)
	}
	return copyToken(tok), nil
}

// String describes the token source without its token.
func (s *refreshSource) String() string {
	return fmt.Sprintf("crm.TokenSource{Config: %v, Store: %T}", s.conf, s.store)
}

// GoString is String, so %#v shows no token either.
func (s *refreshSource) GoString() string { return s.String() }

func copyToken(t *oauth2.Token) *oauth2.Token {
	cp := *t
	return &cp
}

// QuickSetup starts from a refresh token copied from the CRM (Configuration >
// Applications, the application's menu, "Refresh token"); see
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Quick
// Setup with Refresh Token"). It exchanges the refresh token right away, which
// spends it, and saves the new token to store; afterwards use
// [Config.TokenSource] with the same store.
//
// It needs ClientID, ClientSecret and RedirectURL (the application's
// registered redirect URL, sent as redirect_uri). If the exchange fails,
// nothing is saved. If saving fails, QuickSetup returns the new token together
// with the error: the copied refresh token is spent and the new one must not be
// lost.
func (c *Config) QuickSetup(ctx context.Context, refreshToken string, store TokenStore) (*oauth2.Token, error) {
	if err := c.check(needSecret | needTokenURL | needRedirect); err != nil {
		return nil, err
	}
	if refreshToken == "" {
		return nil, invalidf("refresh token is empty; copy one from the CRM (Configuration > Applications, the application's menu, \"Refresh token\")")
	}
	if store == nil {
		return nil, errNilStore()
	}
	tok, err := c.refresh(ctx, refreshToken)
	if err != nil {
		return nil, err
	}
	if err := store.Save(ctx, tok); err != nil {
		return tok, fmt.Errorf("crm: saving token from quick setup: %w", err)
	}
	return tok, nil
}
