package crm

import (
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/urlcheck"
)

// Tribe CRM's production addresses, used when a [Config] or [Client] leaves
// the matching field empty. See
// https://developer.tribecrm.nl/docs/api/concepts/authentication ("Endpoints
// Summary").
const (
	// DefaultAuthURL is the authorization (consent) endpoint.
	DefaultAuthURL = "https://auth.tribecrm.nl/oauth2/auth"
	// DefaultTokenURL is the token endpoint for every grant.
	DefaultTokenURL = "https://auth.tribecrm.nl/oauth2/token"
	// DefaultAPIBaseURL is the base of the REST/OData API, without a
	// trailing slash.
	DefaultAPIBaseURL = "https://api.tribecrm.nl"
)

// The scopes Tribe CRM knows, sent space-separated in the scope parameter.
// See https://developer.tribecrm.nl/docs/api/concepts/authentication.
const (
	// ScopeRead allows reading CRM data.
	ScopeRead = "read"
	// ScopeWrite allows changing CRM data.
	ScopeWrite = "write"
	// ScopeOffline asks for a refresh token, so access outlives the 24-hour
	// access token.
	ScopeOffline = "offline"
)

// Endpoint returns Tribe CRM's production OAuth 2.0 endpoint, with client
// credentials sent in the form body as the CRM's documentation shows. It
// returns a new value on every call, so callers may change it freely, and it
// is safe for concurrent use.
func Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   DefaultAuthURL,
		TokenURL:  DefaultTokenURL,
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// The redirect URLs messages suggest, for a web app and for a
// [LoopbackLogin].
const (
	exampleRedirectURL         = "https://app.example.com/oauth/callback"
	exampleLoopbackRedirectURL = "http://127.0.0.1:8080/callback"
)

// checkSecureURL checks raw, the URL in field, where this package sends a
// secret (the client secret, a code, a verifier, a refresh or access token):
// it must be an absolute http(s) URL with a host and without user
// information, and plain http only to a loopback host (see
// internal/loopback) unless allowInsecure; optOut names the setting that
// allows it. example is the URL to suggest. The rule is the one tribe
// follows (internal/endpoint); the message never echoes user information.
func checkSecureURL(field, raw, example string, allowInsecure bool, optOut string) error {
	ep, err := urlcheck.Parse(raw, field, optOut, example, allowInsecure)
	if err != nil {
		return invalidf("%s", err)
	}
	if ep.HasUser {
		// tribe takes credentials from there; the CRM wants the client's
		// in the Config, and a URL is too often shown or logged.
		return invalidf("%s holds user information (a name or password before @); remove it: this package never sends credentials in a URL", field)
	}
	return nil
}

// checkRedirectURL checks Config.RedirectURL: an absolute http(s) URL with a
// host and no user information. Plain http is allowed, to any host: the URL
// only has to match the one registered with the application. example is the
// URL to suggest.
func checkRedirectURL(raw, example string) error {
	return checkSecureURL("Config.RedirectURL", raw, example, true, "")
}
