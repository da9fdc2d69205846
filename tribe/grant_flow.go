package tribe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/tribekit/tribekit/internal/httpx"
	internalretry "github.com/tribekit/tribekit/internal/retry"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// The machinery the grants share: checked settings, the token URL, the
// HTTP client handed to x/oauth2, and the token source that refreshes.

// grantFlow is a grant's checked settings.
type grantFlow struct {
	name    string                                           // e.g. "password grant", for messages
	conf    *oauth2.Config                                   // client, token URL, AuthStyleInParams
	hc      *http.Client                                     // nil: x/oauth2's default
	secrets []string                                         // to keep out of error text
	grant   func(ctx context.Context) (*oauth2.Token, error) // nil for the refresh grant
}

// newGrantFlow checks what every grant needs: a context, a token URL and
// the client's credentials.
func newGrantFlow(ctx context.Context, name, communityURL, tokenURL, id, secret string, hc *http.Client, allowInsecure bool, retry RetryPolicy) (*grantFlow, error) {
	u, err := oauthTokenURL(communityURL, tokenURL, allowInsecure)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(id) == "":
		return nil, invalidf("the client id is empty; set ClientID to the client id Tribe provided")
	case strings.TrimSpace(secret) == "":
		return nil, invalidf("the client secret is empty; set ClientSecret to the client secret Tribe provided")
	case hasControl(id) || id != strings.TrimSpace(id):
		return nil, invalidf("the client id has spaces or control characters around or in it; give it bare")
	case hasControl(secret) || secret != strings.TrimSpace(secret):
		return nil, invalidf("the client secret has spaces or control characters around or in it (a stray newline from a file?); trim it")
	}
	return &grantFlow{
		name: name,
		conf: &oauth2.Config{
			ClientID:     id,
			ClientSecret: secret,
			// Tribe takes the credentials in the body. An explicit style
			// also stops x/oauth2 from retrying a refused request with
			// the secret sent a second way.
			Endpoint: oauth2.Endpoint{TokenURL: u, AuthStyle: oauth2.AuthStyleInParams},
		},
		hc: noRedirects(withTransport(hc, "", func(base http.RoundTripper) http.RoundTripper {
			return retry.transport(base)
		})),
		secrets: []string{secret},
	}, nil
}

// noRedirects makes hc, a client of this package's own, refuse to follow
// any redirect with a [*RedirectError]. A token request carries the client
// secret, a password or a refresh token in its body, and a 307 or 308 would
// have it posted again to whatever host Location names.
func noRedirects(hc *http.Client) *http.Client {
	return httpx.NoRedirects(hc, func(next *http.Request) error {
		e := &RedirectError{Scheme: next.URL.Scheme, Host: next.URL.Host}
		if next.Response != nil {
			e.StatusCode = next.Response.StatusCode
		}
		return e
	})
}

// oauthTokenURL returns the token URL from a community URL or an explicit
// token URL, exactly one of which must be given.
func oauthTokenURL(communityURL, tokenURL string, allowInsecure bool) (string, error) {
	switch {
	case communityURL == "" && tokenURL == "":
		return "", invalidf("no community URL; set CommunityURL to your community's address, such as https://community.example.com (or TokenURL to the token endpoint's full URL)")
	case communityURL != "" && tokenURL != "":
		return "", invalidf("both CommunityURL and TokenURL are set; set one (the token URL is the community URL plus %s)", OAuthTokenPath)
	}
	field, raw := "TokenURL", tokenURL
	if communityURL != "" {
		field, raw = "CommunityURL", communityURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "[unparsable URL]"
		if err == nil {
			shown = showBadURL(raw, u)
			if u.Scheme == "http" || u.Scheme == "https" {
				shown = fmt.Sprintf("%q", (&url.URL{Scheme: u.Scheme, Path: u.Path}).String())
			}
		}
		return "", invalidf("%s %s is not an absolute http(s) URL; give one such as https://community.example.com", field, shown)
	}
	if u.User != nil {
		u.User = nil
		return "", invalidf("%s %q carries credentials in its userinfo; remove them and set ClientID and ClientSecret instead", field, u.String())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
		return "", invalidf("%s %q has a query or fragment; give the bare URL", field, u.String())
	}
	if communityURL != "" {
		raw = strings.TrimRight(raw, "/") + OAuthTokenPath
	}
	ep, err := parseEndpoint(raw, allowInsecure)
	if err != nil {
		return "", wrapf(err, "checking %s", field)
	}
	return ep.URL, nil
}

// context returns ctx carrying the flow's HTTP client for x/oauth2.
func (f *grantFlow) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, f.hc)
}

// refresh trades refreshToken once.
func (f *grantFlow) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	// A token with no access token is expired: the source refreshes at once.
	// Spending a rotating refresh token twice would lose it: retry only
	// answers that say the server did not act on the request.
	ts := f.conf.TokenSource(f.context(internalretry.SpendsOnce(ctx)), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := ts.Token()
	return f.result(tok, err, "refresh grant", refreshToken)
}

// result finishes a grant's answer: a typed error with the flow's secrets
// and extraSecrets kept out of it, or the token with its Expiry read from
// the JWT when the server sent no expires_in.
func (f *grantFlow) result(tok *oauth2.Token, err error, what string, extraSecrets ...string) (*oauth2.Token, error) {
	if err != nil {
		return nil, oauthError(err, what, append(extraSecrets, f.secrets...)...)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = JWTExpiry(tok.AccessToken)
	}
	return tok, nil
}

// source returns a caching token source over a grantSource.
func (f *grantFlow) source(ctx context.Context, refreshToken string) oauth2.TokenSource {
	return oauth2.ReuseTokenSource(nil, &grantSource{ctx: ctx, flow: f, refreshToken: refreshToken})
}

// grantSource gets a token by refreshing the newest refresh token, or by
// the flow's grant when there is none or it is refused.
type grantSource struct {
	ctx  context.Context
	flow *grantFlow

	mu           sync.Mutex
	refreshToken string // the newest
}

// Token gets a new token.
func (s *grantSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refreshToken != "" {
		tok, err := s.flow.refresh(s.ctx, s.refreshToken)
		if err == nil {
			s.refreshToken = tok.RefreshToken
			return tok, nil
		}
		var oe *OAuthError
		if s.flow.grant == nil || !errors.As(err, &oe) || oe.Code != OAuthInvalidGrant {
			return nil, err
		}
		// The refresh token was refused: start over with the grant.
		s.refreshToken = ""
	}
	if s.flow.grant == nil {
		return nil, fmt.Errorf("%w: %s: no refresh token to trade; get a new one with a grant", ErrUnauthorized, s.flow.name)
	}
	tok, err := s.flow.grant(s.ctx)
	if err != nil {
		return nil, err
	}
	s.refreshToken = tok.RefreshToken
	return tok, nil
}

// clientString describes a grant's endpoint and client, hiding the secret.
func clientString(communityURL, tokenURL, id, secret string) string {
	s := ""
	if communityURL != "" {
		s = fmt.Sprintf("CommunityURL: %q, ", displayURL(communityURL))
	}
	if tokenURL != "" {
		s += fmt.Sprintf("TokenURL: %q, ", displayURL(tokenURL))
	}
	return s + fmt.Sprintf("ClientID: %q, ClientSecret: %s", id, hidden(secret))
}

// displayURL returns raw for display, with any userinfo password and query
// hidden, since a grant's settings refuse both and either may hold a secret.
func displayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	if u.RawQuery != "" {
		u.RawQuery = redact.Marker
	}
	return u.Redacted()
}

// hidden shows whether a secret is set, never its value.
func hidden(secret string) string {
	if secret == "" {
		return "unset"
	}
	return redact.Marker
}
