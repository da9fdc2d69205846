package crm

import "golang.org/x/oauth2"

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
