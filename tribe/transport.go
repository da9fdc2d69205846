package tribe

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/tribekit/tribekit/internal/httpx"
	"golang.org/x/oauth2"
)

// basicAuthTransport sets HTTP Basic auth (RFC 7617) on a clone of each
// request to its endpoint's scheme and host. The credentials are joined with
// a colon and base64-encoded as they are, not URL-escaped. Requests to other
// hosts, or to plain http after a redirect from https, go without them.
type basicAuthTransport struct {
	header string // "Basic base64(id:secret)"
	scheme string
	host   string
	base   http.RoundTripper
}

func newBasicAuthTransport(id, secret, scheme, host string, base http.RoundTripper) *basicAuthTransport {
	return &basicAuthTransport{
		header: basicAuth(id, secret),
		scheme: scheme,
		host:   host,
		base:   base,
	}
}

// basicAuth is the Authorization header value for HTTP Basic auth (RFC
// 7617 section 2): "Basic " and the base64 of id:secret, built in one
// buffer.
func basicAuth(id, secret string) string {
	const scheme = "Basic "
	n := len(id) + 1 + len(secret)
	b := make([]byte, len(scheme)+base64.StdEncoding.EncodedLen(n)+n)
	plain := b[len(b)-n:]
	copy(plain, id)
	plain[len(id)] = ':'
	copy(plain[len(id)+1:], secret)
	copy(b, scheme)
	base64.StdEncoding.Encode(b[len(scheme):len(b)-n], plain)
	clear(plain)
	return string(b[:len(b)-n])
}

// RoundTrip implements http.RoundTripper.
func (t *basicAuthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host || req.URL.Scheme != t.scheme {
		return t.base.RoundTrip(req)
	}
	return t.base.RoundTrip(httpx.WithHeader(req, "Authorization", t.header))
}

// bearerTransport sets "Authorization: Bearer <token>" from a token source on
// a clone of each request to its endpoint's scheme and host.
type bearerTransport struct {
	source oauth2.TokenSource
	scheme string
	host   string
	base   http.RoundTripper
	pacer  *Pacer // nil: no pacing
}

// RoundTrip implements http.RoundTripper.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host || req.URL.Scheme != t.scheme {
		return t.base.RoundTrip(req)
	}
	tok, err := t.token(req.Context())
	if err != nil {
		closeBody(req)
		return nil, wrapf(err, "getting a token")
	}
	recordUsedToken(req.Context(), tok)
	if t.pacer != nil {
		op, _ := req.Context().Value(opKey{}).(string)
		if err := t.pacer.wait(req.Context(), tokenNetwork(tok), op); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	return t.base.RoundTrip(httpx.WithHeader(req, "Authorization", "Bearer "+tok.AccessToken))
}

// token gets the token for a request. An [InvalidatingTokenSource] waits
// within the request's context, and a token it hands out that the wall
// clock says has expired (after a suspend, say) is dropped and replaced
// once; the server judges the new one. Other sources' tokens must be valid.
func (t *bearerTransport) token(ctx context.Context) (*oauth2.Token, error) {
	if its, ok := t.source.(InvalidatingTokenSource); ok {
		tok, err := its.TokenContext(ctx)
		if err == nil && !tok.Expiry.IsZero() && !time.Now().Before(tok.Expiry) {
			its.Invalidate(ctx, tok)
			tok, err = its.TokenContext(ctx)
		}
		if err != nil {
			return nil, err
		}
		if tok == nil || tok.AccessToken == "" {
			return nil, fmt.Errorf("%w: the token source returned an empty token", ErrInvalidToken)
		}
		return tok, nil
	}
	tok, err := t.source.Token()
	if err != nil {
		return nil, err
	}
	if !tok.Valid() {
		return nil, fmt.Errorf("%w: the token source returned an empty or expired token", ErrInvalidToken)
	}
	return tok, nil
}

// closeBody closes a request body, as a RoundTripper must even on error.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// DefaultHTTPTimeout bounds each request, from dialling to the end of the
// body, when a config has no HTTPClient of its own: a server that answers a
// byte at a time cannot hold a call made with context.Background() for
// ever. Set an HTTPClient (with Timeout 0 for none) to choose otherwise.
const DefaultHTTPTimeout = httpx.DefaultTimeout

// withTransport returns a client that behaves as hc (nil: a client with the
// given timeout, DefaultHTTPTimeout but in tests) but sends through
// wrap(hc's transport), with the User-Agent ua (empty: tribekit/<version>)
// on requests that set none.
func withTransport(hc *http.Client, timeout time.Duration, ua string, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	return httpx.Client(hc, timeout, func(base http.RoundTripper) http.RoundTripper {
		return wrap(httpx.UserAgent(ua, base))
	})
}

// userAgent is ua, or tribekit/<version> when empty.
func userAgent(ua string) string {
	if ua == "" {
		return httpx.DefaultUserAgent()
	}
	return ua
}
