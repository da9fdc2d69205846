package crm

import (
	"context"
	"fmt"
	"time"

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
// are a [*TokenError], a redirect a [*RedirectError]. The token source is safe for concurrent use.
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
	tctx, timeout := c.tokenContext(ctx)
	return &errorSource{grant: "client_credentials", src: cc.TokenSource(tctx), ctx: ctx, timeout: timeout, secret: c.ClientSecret}, nil
}

// errorSource turns golang.org/x/oauth2's errors into a [*TokenError] (or a
// [*RedirectError]) with the client secret removed.
type errorSource struct {
	grant   string
	src     oauth2.TokenSource
	ctx     context.Context // the caller's, for explainTimeout
	timeout time.Duration   // the HTTP client's overall timeout
	secret  string
}

// Token returns the wrapped source's token or a [*TokenError].
func (s *errorSource) Token() (*oauth2.Token, error) {
	start := time.Now()
	tok, err := s.src.Token()
	if err != nil {
		return nil, tokenError(s.grant, explainTimeout(s.ctx, err, start, s.timeout), s.secret)
	}
	return tok, nil
}

// String describes the token source without its secret or token.
func (s *errorSource) String() string {
	return fmt.Sprintf("crm.ClientCredentialsTokenSource{Grant: %q}", s.grant)
}

// GoString is String, so %#v shows no secret either.
func (s *errorSource) GoString() string { return s.String() }
