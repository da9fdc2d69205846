// Package httpx holds the HTTP plumbing every client of this module shares:
// a caller's *http.Client copied and wrapped rather than changed, a default
// overall timeout, refusing redirects, and the User-Agent.
package httpx

import (
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// DefaultTimeout bounds each request, from dialling to the end of the body,
// when a config has no HTTP client of its own.
const DefaultTimeout = 30 * time.Second

// Module is this module's path, as build info names it.
const Module = "github.com/tribekit/tribekit"

// Client returns a client that behaves as hc but sends through
// wrap(hc's transport, or http.DefaultTransport). A nil hc means a client
// with the given overall timeout. hc itself is never changed.
func Client(hc *http.Client, timeout time.Duration, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	c := new(http.Client)
	c.Transport = wrap(Into(c, hc, timeout))
	return c
}

// Into is Client for a client the caller holds: it sets *dst to behave as
// hc (nil: a client with the given overall timeout) and returns the
// transport dst sends through (hc's, or http.DefaultTransport), for the
// caller to wrap and set as dst.Transport.
func Into(dst, hc *http.Client, timeout time.Duration) http.RoundTripper {
	*dst = http.Client{Timeout: timeout}
	if hc != nil {
		*dst = *hc
	}
	if dst.Transport == nil {
		return http.DefaultTransport
	}
	return dst.Transport
}

// NoRedirects makes c, a client of the caller's own making (see [Client]),
// refuse to follow any redirect with the error refuse returns for it: the
// request that would have been sent (its URL is the target; its Response
// the 3xx answer). Nothing is sent to the target.
func NoRedirects(c *http.Client, refuse func(next *http.Request) error) *http.Client {
	c.CheckRedirect = func(next *http.Request, _ []*http.Request) error { return refuse(next) }
	return c
}

// version is this module's version from the build info: its tag when it is
// a dependency or a main module built from a tagged module, else "devel".
var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := ""
	if info.Main.Path == Module {
		v = info.Main.Version
	}
	for _, d := range info.Deps {
		if d.Path == Module {
			v = d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
})

// Version returns this module's version, or "devel" when the build does
// not say (a build inside its own repository, or a replaced module).
func Version() string { return version() }

// DefaultUserAgent is "tribekit/" and the module's version.
func DefaultUserAgent() string { return defaultUserAgent() }

var defaultUserAgent = sync.OnceValue(func() string { return "tribekit/" + Version() })

// UserAgent returns base wrapped to send User-Agent ua (empty:
// [DefaultUserAgent]) on a clone of each request that does not set one.
func UserAgent(ua string, base http.RoundTripper) http.RoundTripper {
	if ua == "" {
		ua = DefaultUserAgent()
	}
	return &userAgent{ua: ua, base: base}
}

type userAgent struct {
	ua   string
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *userAgent) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("User-Agent") != "" {
		return t.base.RoundTrip(req)
	}
	return t.base.RoundTrip(WithHeader(req, "User-Agent", t.ua))
}

// WithHeader returns a shallow copy of req whose header is a copy of req's
// with key set to value (or deleted when value is empty), for a
// RoundTripper, which must not change the request it is given. As
// golang.org/x/oauth2's Transport does, only the header is copied deeply:
// a RoundTripper changes nothing else, and http.Request.Clone's deep copy
// of the URL, trailers and form costs a dozen allocations a request.
func WithHeader(req *http.Request, key, value string) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = make(http.Header, 1)
	}
	if value == "" {
		r.Header.Del(key)
	} else {
		r.Header.Set(key, value)
	}
	return r
}
