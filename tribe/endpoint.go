package tribe

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tribekit/tribekit/internal/loopback"
)

// Tribe's GraphQL endpoints (TRIBE_API.md section 1).
const (
	// DefaultEndpoint is the endpoint Tribe's app-token guide names; an
	// [App] with no Endpoint uses it.
	DefaultEndpoint = "https://app.tribe.so/graphql"
	// EndpointUS is Bettermode's US-region endpoint.
	EndpointUS = "https://api.bettermode.com"
	// EndpointEU is Bettermode's EU-region endpoint; communities hosted in
	// the EU must use it.
	EndpointEU = "https://api.bettermode.de"
)

// endpoint is a checked GraphQL endpoint: an absolute http(s) URL without
// credentials, and the credentials that were in its userinfo, if any.
type endpoint struct {
	url       string // no userinfo
	scheme    string // URL scheme and host, for pinning credentials to them
	host      string
	user      string
	password  string
	hasUser   bool
	hasPasswd bool
}

// parseEndpoint checks raw as a GraphQL endpoint. Plain http is accepted only
// for loopback hosts unless allowInsecure is set, since the credentials or
// tokens sent to it would travel in clear text. Error texts never contain the
// userinfo.
func parseEndpoint(raw string, allowInsecure bool) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole input, secret included.
		return endpoint{}, fmt.Errorf("%w: endpoint is not a valid URL; give an absolute https URL such as %s", ErrInvalidInput, DefaultEndpoint)
	}
	var ep endpoint
	if u.User != nil {
		ep.user = u.User.Username()
		ep.password, ep.hasPasswd = u.User.Password()
		ep.hasUser = true
		u.User = nil
	}
	shown := u.String()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return endpoint{}, fmt.Errorf("%w: endpoint %s is not an absolute http(s) URL; give one such as %s", ErrInvalidInput, showBadURL(raw, u), DefaultEndpoint)
	case u.Host == "" || u.Hostname() == "":
		return endpoint{}, fmt.Errorf("%w: endpoint %q has no host", ErrInvalidInput, shown)
	case u.Scheme == "http" && !allowInsecure && !loopback.Host(u.Hostname()):
		return endpoint{}, fmt.Errorf("%w: endpoint %q is plain http to a host that is not loopback, so credentials would travel in clear text; use https, or set AllowInsecureHTTP if you really mean it", ErrInvalidInput, shown)
	}
	ep.url = shown
	ep.scheme = u.Scheme
	ep.host = u.Host
	return ep, nil
}

// showBadURL describes a URL that is not http(s) for an error message
// without echoing what may be a secret: "id:secret@host" parses as scheme
// "id" with an opaque "secret@host", so only the scheme is shown then.
func showBadURL(raw string, u *url.URL) string {
	switch {
	case u.Scheme != "":
		return fmt.Sprintf("with scheme %q", u.Scheme)
	case strings.ContainsAny(raw, "@?#"):
		return "(not shown: it may hold a secret)"
	}
	return fmt.Sprintf("%q", raw)
}

// redactURL returns raw with any userinfo password replaced, for display.
// Text that does not parse is hidden whole, as it may hold a secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	return u.Redacted()
}
