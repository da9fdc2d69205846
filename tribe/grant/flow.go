package grant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/retry"
	"github.com/tribekit/tribekit/internal/urlcheck"
	"github.com/tribekit/tribekit/tribe"
)

// The machinery the grants share: checked settings, the token URL, the
// HTTP client handed to x/oauth2, and the token source that refreshes.

// flow is a grant's checked settings.
type flow struct {
	name    string                                           // e.g. "password grant", for messages
	conf    *oauth2.Config                                   // client, token URL, AuthStyleInParams
	hc      *http.Client                                     // retries, User-Agent, no redirects
	secrets []string                                         // to keep out of error text
	grant   func(ctx context.Context) (*oauth2.Token, error) // nil for a refresh
}

// newFlow checks what every grant needs: a token URL and the client's
// credentials.
func (c *Config) newFlow(name string) (*flow, error) {
	return c.newFlowWith(name, DefaultTimeout)
}

// newFlowWith is newFlow with the timeout of the client it makes when the
// config has no HTTPClient (tests shorten it).
func (c *Config) newFlowWith(name string, timeout time.Duration) (*flow, error) {
	u, err := c.tokenURL()
	if err != nil {
		return nil, err
	}
	id, secret := c.ClientID, c.ClientSecret
	switch {
	case strings.TrimSpace(id) == "":
		return nil, invalidf("the client id is empty; set Config.ClientID to the client id Tribe provided")
	case strings.TrimSpace(secret) == "":
		return nil, invalidf("the client secret is empty; set Config.ClientSecret to the client secret Tribe provided")
	case hasControl(id) || id != strings.TrimSpace(id):
		return nil, invalidf("Config.ClientID has spaces or control characters around or in it; give it bare")
	case hasControl(secret) || secret != strings.TrimSpace(secret):
		return nil, invalidf("Config.ClientSecret has spaces or control characters around or in it (a stray newline from a file?); trim it")
	}
	rp := c.Retry
	hc := httpx.Client(c.HTTPClient, timeout, func(base http.RoundTripper) http.RoundTripper {
		return retry.NewTransport(retry.Policy{
			MaxAttempts: rp.MaxAttempts, BaseDelay: rp.BaseDelay, MaxDelay: rp.MaxDelay, MaxElapsed: rp.MaxElapsed,
		}, httpx.UserAgent(c.UserAgent, base))
	})
	return &flow{
		name: name,
		conf: &oauth2.Config{
			ClientID:     id,
			ClientSecret: secret,
			// Tribe takes the credentials in the body. An explicit style
			// also stops x/oauth2 from retrying a refused request with
			// the secret sent a second way.
			Endpoint: oauth2.Endpoint{TokenURL: u, AuthStyle: oauth2.AuthStyleInParams},
		},
		hc:      noRedirects(hc),
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

// tokenURL returns the token URL from the community URL or the explicit
// token URL, exactly one of which must be given.
func (c *Config) tokenURL() (string, error) {
	switch {
	case c.CommunityURL == "" && c.TokenURL == "":
		return "", invalidf("no community URL; set Config.CommunityURL to your community's address, such as https://community.example.com (or Config.TokenURL to the token endpoint's full URL)")
	case c.CommunityURL != "" && c.TokenURL != "":
		return "", invalidf("both Config.CommunityURL and Config.TokenURL are set; set one (the token URL is the community URL plus %s)", TokenPath)
	}
	field, raw := "Config.TokenURL", c.TokenURL
	if c.CommunityURL != "" {
		field, raw = "Config.CommunityURL", c.CommunityURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := "[unparsable URL]"
		if err == nil {
			shown = urlcheck.ShowBad(raw, u)
			if u.Scheme == "http" || u.Scheme == "https" {
				shown = fmt.Sprintf("%q", (&url.URL{Scheme: u.Scheme, Path: u.Path}).String())
			}
		}
		return "", invalidf("%s %s is not an absolute http(s) URL; give one such as https://community.example.com", field, shown)
	}
	if u.User != nil {
		u.User = nil
		return "", invalidf("%s %q carries credentials in its userinfo; remove them and set Config.ClientID and Config.ClientSecret instead", field, u.String())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
		return "", invalidf("%s %q has a query or fragment; give the bare URL", field, u.String())
	}
	if c.CommunityURL != "" {
		raw = strings.TrimRight(raw, "/") + TokenPath
	}
	ep, err := urlcheck.Parse(raw, field, "Config.AllowInsecureHTTP", "https://community.example.com", c.AllowInsecureHTTP)
	if err != nil {
		return "", invalidf("%s", err)
	}
	return ep.URL, nil
}

// context returns ctx carrying the flow's HTTP client for x/oauth2.
func (f *flow) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, f.hc)
}

// refresh trades refreshToken once.
func (f *flow) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	// A token with no access token is expired: the source refreshes at once.
	// Spending a rotating refresh token twice would lose it: retry only
	// answers that say the server did not act on the request.
	ts := f.conf.TokenSource(f.context(retry.SpendsOnce(ctx)), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := ts.Token()
	return f.result(tok, err, "refresh grant", refreshToken)
}

// result finishes a grant's answer: a typed error with the flow's secrets
// and extraSecrets kept out of it, or the token with its Expiry read from
// the JWT when the server sent no expires_in.
func (f *flow) result(tok *oauth2.Token, err error, what string, extraSecrets ...string) (*oauth2.Token, error) {
	if err != nil {
		return nil, oauthError(err, what, append(extraSecrets, f.secrets...)...)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = tribe.JWTExpiry(tok.AccessToken)
	}
	return tok, nil
}

// source returns a caching token source over a grantSource.
func (f *flow) source(ctx context.Context, refreshToken string) oauth2.TokenSource {
	return oauth2.ReuseTokenSource(nil, &grantSource{ctx: ctx, flow: f, refreshToken: refreshToken})
}

// grantSource gets a token by refreshing the newest refresh token, or by
// the flow's grant when there is none or it is refused.
type grantSource struct {
	ctx  context.Context
	flow *flow

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
		var oe *Error
		if s.flow.grant == nil || !errors.As(err, &oe) || oe.Code != InvalidGrant {
			return nil, err
		}
		// The refresh token was refused: start over with the grant.
		s.refreshToken = ""
	}
	if s.flow.grant == nil {
		return nil, fmt.Errorf("grant: %s: no refresh token to trade; get a new one with a grant: %w", s.flow.name, tribe.ErrUnauthorized)
	}
	tok, err := s.flow.grant(s.ctx)
	if err != nil {
		return nil, err
	}
	s.refreshToken = tok.RefreshToken
	return tok, nil
}

// displayURL returns raw for display, with any userinfo password, query
// and fragment hidden, since a Config refuses all three and any may hold a
// secret, and with secrets (the client secret) removed from the rest.
func displayURL(raw string, secrets ...string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = redact.Marker, false
	}
	fragment := ""
	if u.Fragment != "" || u.RawFragment != "" {
		fragment = "#" + redact.Marker // not escaped, unlike in u.Fragment
		u.Fragment, u.RawFragment = "", ""
	}
	return redact.String(u.Redacted()+fragment, secrets...)
}

// hidden shows whether a secret is set, never its value.
func hidden(secret string) string {
	if secret == "" {
		return "unset"
	}
	return redact.Marker
}
