package tribe

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// Mint sends limitedToken for id with the app's credentials as HTTP Basic
// auth and returns the token (https://developers.bettermode.com/docs/guide/graphql/authentication/app). Its Expiry is the
// JWT's exp claim, bounded: [UnknownTokenLifetime] from now when the token
// has no usable exp (it is not a JWT, or its exp is not a number, not
// positive or past the year 9999), and [MinTokenLifetime] from now when
// exp has already passed or nearly. [GatewayURL] reports
// the gatewayUrl the server returned.
//
// Bad settings or identity are refused with [ErrInvalidInput] before any
// request. The server's refusals come back as [ErrUnauthorized] (wrong
// client credentials), [ErrForbidden] (app not installed on the community),
// [ErrNotFound] (unknown member), or a [*GraphQLError] / [*HTTPError].
func (a *App) Mint(ctx context.Context, id Identity) (*oauth2.Token, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return cfg.mint(ctx, id)
}

func (c *appConfig) mint(ctx context.Context, id Identity) (*oauth2.Token, error) {
	id, err := id.Normalize()
	if err != nil {
		return nil, err
	}
	gc := &gqlClient{endpoint: c.ep.URL, hc: c.hc, secrets: []string{c.secret}, basicAuth: true, rate: c.rate, userAgent: c.ua}
	resp, err := limitedToken(ctx, gc, string(id.Context), id.EntityID, id.MemberID, id.NetworkID)
	if err != nil {
		return nil, wrapf(err, "minting a token for %s", id)
	}
	t := resp.GetLimitedToken()
	if t == nil || t.AccessToken == "" {
		return nil, fmt.Errorf("tribe: minting a token for %s: the server returned an empty accessToken", id)
	}
	return newToken(t.AccessToken, t.GatewayUrl, time.Now()), nil
}
