package crm

import (
	"context"
	"errors"
	"fmt"
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

// tokenContext returns ctx carrying the client for token requests (see
// [Config.tokenHTTPClient]) for golang.org/x/oauth2, and that client's
// overall timeout (0: none).
func (c *Config) tokenContext(ctx context.Context) (context.Context, time.Duration) {
	hc := c.tokenHTTPClient(ctx)
	return context.WithValue(ctx, oauth2.HTTPClient, hc), hc.Timeout
}

// explainTimeout says so when err, from a token request begun at start
// through a client with the given overall timeout, came from that timeout
// running out. golang.org/x/oauth2 keeps only the text of an error reading
// the answer, and net/http marks that text as a timeout reliably only when
// the client sends through an *http.Transport of its own, not through a
// RoundTripper that wraps one (such as the User-Agent's); so the time taken
// tells. A server's answer ([*oauth2.RetrieveError]) is left as it is, and so
// is an error once ctx has ended.
func explainTimeout(ctx context.Context, err error, start time.Time, timeout time.Duration) error {
	if err == nil || timeout <= 0 || ctx.Err() != nil || time.Since(start) < timeout {
		return err
	}
	if _, answered := errors.AsType[*oauth2.RetrieveError](err); answered {
		return err
	}
	return &timeoutError{timeout: timeout, err: err}
}

// timeoutError is an error of a token request whose HTTP client's overall
// timeout ran out. It matches [context.DeadlineExceeded] and is a timeout
// as a net.Error is.
type timeoutError struct {
	timeout time.Duration
	err     error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer within the HTTP client's Timeout of %v: %v", e.timeout, e.err)
}

func (e *timeoutError) Unwrap() error { return e.err }

// Timeout reports true, as net.Error's Timeout does for a timeout.
func (e *timeoutError) Timeout() bool { return true }

// Is reports whether target is [context.DeadlineExceeded].
func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

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
		return base.RoundTrip(httpx.WithHeader(req, "Authorization", ""))
	}
	return base.RoundTrip(httpx.WithHeader(req, "Authorization", "Bearer "+t.token))
}
