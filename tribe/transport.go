package tribe

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
)

// basicAuthTransport sets HTTP Basic auth (RFC 7617) on a clone of each
// request to its endpoint's host. The credentials are joined with a colon and
// base64-encoded as they are, not URL-escaped. Requests to other hosts (after
// a redirect, say) go without them.
type basicAuthTransport struct {
	header string // "Basic base64(id:secret)"
	host   string
	base   http.RoundTripper
}

func newBasicAuthTransport(id, secret, host string, base http.RoundTripper) *basicAuthTransport {
	return &basicAuthTransport{
		header: "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret)),
		host:   host,
		base:   base,
	}
}

// RoundTrip implements http.RoundTripper.
func (t *basicAuthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return t.base.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", t.header)
	return t.base.RoundTrip(r)
}

// bearerTransport sets "Authorization: Bearer <token>" from a token source on
// a clone of each request to its endpoint's host.
type bearerTransport struct {
	source oauth2.TokenSource
	host   string
	base   http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return t.base.RoundTrip(req)
	}
	tok, err := t.source.Token()
	if err != nil {
		closeBody(req)
		return nil, fmt.Errorf("tribe: getting a token: %w", err)
	}
	if !tok.Valid() {
		closeBody(req)
		return nil, fmt.Errorf("tribe: the token source returned an empty or expired token: %w", ErrInvalidToken)
	}
	recordUsedToken(req.Context(), tok)
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.base.RoundTrip(r)
}

// closeBody closes a request body, as a RoundTripper must even on error.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// withTransport returns a client that behaves as hc (nil: a zero client)
// but sends through wrap(hc's transport).
func withTransport(hc *http.Client, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = wrap(base)
	return c
}
