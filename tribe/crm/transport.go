package crm

import (
	"context"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/httpx"
)

// DefaultTimeout is the overall timeout (connection, headers and body) of the
// HTTP client a [Config] or [Client] uses when it is given none, so that a
// server that answers slowly, or never, cannot hang a call. It is the
// module's one default, the one package tribe uses too.
const DefaultTimeout = httpx.DefaultTimeout

// timeoutOr returns d, or [DefaultTimeout] for zero.
func timeoutOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

// tokenHTTPClient returns the client for token requests: a copy of
// c.HTTPClient, else of the client in ctx under oauth2.HTTPClient, else a
// fresh one with [DefaultTimeout], that sends the User-Agent c.UserAgent
// (empty: tribekit/<version>) on requests without one and never follows a
// redirect. A 3xx answer comes back as it is and is turned into a
// [*RedirectError], so the client secret, code, verifier or refresh token in
// the form are never posted again to wherever Location points (RFC 9700
// section 4.11). The caller's client is not changed.
func (c *Config) tokenHTTPClient(ctx context.Context) *http.Client {
	base := c.HTTPClient
	if base == nil {
		if hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && hc != nil {
			base = hc
		}
	}
	hc := httpx.Client(base, timeoutOr(c.defaultTimeout), func(rt http.RoundTripper) http.RoundTripper {
		return httpx.UserAgent(c.UserAgent, rt)
	})
	return httpx.NoRedirects(hc, func(*http.Request) error { return http.ErrUseLastResponse })
}

// context returns ctx carrying the client for token requests (see
// [Config.tokenHTTPClient]) for golang.org/x/oauth2.
func (c *Config) context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTPClient(ctx))
}

// bearerTransport adds "Authorization: Bearer" with one token to a clone of
// each request to the scheme and host it is pinned to, and to no other: a
// redirect to another host, or from https down to http, gets no token.
type bearerTransport struct {
	token  string
	scheme string
	host   string // as in URL.Host, compared without case
	base   http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	if req.URL == nil || req.URL.Scheme != t.scheme || !strings.EqualFold(req.URL.Host, t.host) {
		if req.Header.Get("Authorization") == "" {
			return base.RoundTrip(req)
		}
		r := req.Clone(req.Context())
		r.Header.Del("Authorization")
		return base.RoundTrip(r)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return base.RoundTrip(r)
}
