package tribe

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tribekit/tribekit/internal/loopback"
)

// checkGateway decides whether a member's token may go to gateway, the
// gatewayUrl a mint at ep returned. The rule:
//   - an https gatewayUrl is trusted;
//   - a plain http one only on a loopback host, and only while the endpoint
//     itself is plain http on loopback (a local test server);
//   - with AllowInsecureHTTP (insecure), also a plain http one on the
//     endpoint's own host, when the endpoint is plain http;
//   - from an https endpoint, never plain http, not even on loopback.
//
// A gatewayUrl with credentials in it is refused. Then, if the app has one,
// its own check (App.CheckGateway) has the last word.
func checkGateway(ep endpoint, gateway string, insecure bool, check func(endpoint, gateway *url.URL) error) (string, error) {
	u, err := url.Parse(gateway)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("%w: the server returned a gatewayUrl that is not an absolute http(s) URL; the token was not sent to it", ErrUntrustedGateway)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: the server returned a gatewayUrl with credentials in it (host %s); the token was not sent to it", ErrUntrustedGateway, u.Host)
	}
	if u.Scheme == "http" {
		epLoopback := ep.Scheme == "http" && loopback.Host(hostname(ep.Host))
		sameHost := ep.Scheme == "http" && strings.EqualFold(hostname(ep.Host), u.Hostname())
		if !(epLoopback && loopback.Host(u.Hostname())) && !(insecure && sameHost) {
			return "", fmt.Errorf("%w: the server returned the plain http gatewayUrl http://%s, to which a token would travel in clear text; the token was not sent there (plain http is trusted only on loopback, from an endpoint that is itself plain http on loopback)", ErrUntrustedGateway, u.Host)
		}
	}
	if check != nil {
		epURL, err := url.Parse(ep.URL)
		if err != nil {
			return "", fmt.Errorf("tribe: reading the endpoint back: %w", err)
		}
		if err := check(epURL, u); err != nil {
			return "", fmt.Errorf("%w: App.CheckGateway refused the gatewayUrl %s://%s: %w", ErrUntrustedGateway, u.Scheme, u.Host, err)
		}
	}
	return u.String(), nil
}

// hostname returns the host of a host[:port].
func hostname(hostport string) string {
	return (&url.URL{Host: hostport}).Hostname()
}
