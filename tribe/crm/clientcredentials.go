package crm

import (
	"context"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// ClientCredentialsTokenSource returns a token source for server-to-server
// integrations: it asks the token endpoint for a token with grant_type
// client_credentials, the client ID and secret, and c.Scopes, and asks again
// when the token expires (24 hours). See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Client
// Credentials Flow") and RFC 6749 section 4.4.
//
// It needs ClientID and ClientSecret; RedirectURL is not used. ctx carries
// the requests, as with golang.org/x/oauth2. Errors from the token endpoint
// are [*TokenError]s. The token source is safe for concurrent use.
func (c *Config) ClientCredentialsTokenSource(ctx context.Context) (oauth2.TokenSource, error) {
	if err := c.check(needSecret | needTokenURL); err != nil {
		return nil, err
	}
	cc := &clientcredentials.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		TokenURL:     c.tokenURL(),
		Scopes:       c.oauth2Config().Scopes,
		AuthStyle:    c.authStyle(),
	}
	// cc.TokenSource caches the token until it expires.
	return errorSource{grant: "client_credentials", src: cc.TokenSource(c.context(ctx))}, nil
}

// errorSource turns golang.org/x/oauth2's errors into [*TokenError]s.
type errorSource struct {
	grant string
	src   oauth2.TokenSource
}

// Token returns the wrapped source's token or a [*TokenError].
func (s errorSource) Token() (*oauth2.Token, error) {
	tok, err := s.src.Token()
	if err != nil {
		return nil, tokenError(s.grant, err)
	}
	return tok, nil
}
