package tribe_test

import (
	"context"

	"github.com/tribekit/tribekit/tribe"
	"golang.org/x/oauth2"
)

// staticSource hands out one token, expired or not, as it is (unlike
// oauth2.StaticTokenSource, whose callers may check validity).
type staticSource struct{ tok *oauth2.Token }

func (s staticSource) Token() (*oauth2.Token, error) { return s.tok, nil }

// appClient returns app's client for id, with the app's own token source.
func appClient(ctx context.Context, app *tribe.App, id tribe.Identity) (*tribe.Client, error) {
	ts, err := app.TokenSource(ctx, id)
	if err != nil {
		return nil, err
	}
	return app.Client(ctx, ts)
}
