package tribe

import (
	"context"

	"golang.org/x/oauth2"
)

// TokenSource returns a token source that mints tokens for id, reusing each
// until shortly before its Expiry (a token that is not a JWT has no Expiry
// and is reused for the source's lifetime). ctx is used for every mint the
// source makes, for as long as it is used; the source is safe for concurrent
// use.
//
// The app's settings and id are checked now: bad input is refused with
// [ErrInvalidInput] before any request.
func (a *App) TokenSource(ctx context.Context, id Identity) (oauth2.TokenSource, error) {
	src, err := a.mintSource(ctx, id)
	if err != nil {
		return nil, err
	}
	return oauth2.ReuseTokenSource(nil, src), nil
}

// BotTokenSource is [App.TokenSource] for the app's bot account.
func (a *App) BotTokenSource(ctx context.Context, networkID string) (oauth2.TokenSource, error) {
	return a.TokenSource(ctx, Bot(networkID))
}

// MemberTokenSource is [App.TokenSource] for a member.
func (a *App) MemberTokenSource(ctx context.Context, networkID, memberID string) (oauth2.TokenSource, error) {
	if memberID == "" {
		return nil, invalidf("the member id is empty; give the member's id, or use BotTokenSource for the bot account")
	}
	return a.TokenSource(ctx, Impersonate(networkID, memberID))
}

// mintSource is a token source that mints a new token on every call.
type mintSource struct {
	ctx context.Context
	cfg *appConfig
	id  Identity
}

func (a *App) mintSource(ctx context.Context, id Identity) (*mintSource, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	nid, err := id.normalize()
	if err != nil {
		return nil, err
	}
	return &mintSource{ctx: ctx, cfg: cfg, id: nid}, nil
}

// Token mints a token.
func (s *mintSource) Token() (*oauth2.Token, error) { return s.cfg.mint(s.ctx, s.id) }
