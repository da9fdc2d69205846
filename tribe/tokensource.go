package tribe

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// InvalidatingTokenSource is a token source that can wait for a token
// within a caller's context, and drop a token the API refused so that the
// next one is new. A [Client] whose token source is one uses both: each
// call's context bounds its wait for a token, and when the API refuses the
// token a call sent (code 108 or HTTP 401) the client invalidates it and
// sends the call once more with a fresh one. [App.TokenSource] returns one,
// and so does the cache of package tribe/cache.
type InvalidatingTokenSource interface {
	oauth2.TokenSource
	// TokenContext is Token, waiting at most until ctx is done.
	TokenContext(ctx context.Context) (*oauth2.Token, error)
	// Invalidate drops tok, if it is the token the source holds, so that
	// the next call gets another.
	Invalidate(ctx context.Context, tok *oauth2.Token)
}

// reuseDelta is how long before its Expiry a held token is replaced, as
// golang.org/x/oauth2's ReuseTokenSource does, so that it does not expire
// in flight.
const reuseDelta = 10 * time.Second

// TokenSource returns a token source that mints tokens for id, reusing each
// until shortly before its Expiry (see [App.Mint] for how Expiry is read).
// ctx is used for every mint the source makes, for as long as it is used;
// the source is safe for concurrent use. It is an [InvalidatingTokenSource],
// so a [Client] that uses it mints anew when the API refuses a token.
//
// The app's settings and id are checked now: bad input is refused with
// [ErrInvalidInput] before any request.
func (a *App) TokenSource(ctx context.Context, id Identity) (oauth2.TokenSource, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	nid, err := id.Normalize()
	if err != nil {
		return nil, err
	}
	return &mintSource{ctx: ctx, cfg: cfg, id: nid}, nil
}

// mintSource holds one minted token and mints the next when it is due.
type mintSource struct {
	ctx context.Context
	cfg *appConfig
	id  Identity

	mu  sync.Mutex
	tok *oauth2.Token
}

// Token returns the held token or mints one, within the source's context.
func (s *mintSource) Token() (*oauth2.Token, error) { return s.TokenContext(s.ctx) }

// TokenContext returns the held token or mints one, within ctx.
func (s *mintSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && (s.tok.Expiry.IsZero() || time.Until(s.tok.Expiry) > reuseDelta) {
		return s.tok, nil
	}
	tok, err := s.cfg.mint(ctx, s.id)
	if err != nil {
		return nil, err
	}
	s.tok = tok
	return tok, nil
}

// Invalidate drops the held token if it is tok (any, if tok is nil).
func (s *mintSource) Invalidate(_ context.Context, tok *oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && (tok == nil || s.tok.AccessToken == tok.AccessToken) {
		s.tok = nil
	}
}
