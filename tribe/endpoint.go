package tribe

import (
	"github.com/tribekit/tribekit/internal/urlcheck"
)

// Tribe's GraphQL endpoints. Bettermode's developer docs
// (https://developers.bettermode.com/docs/guide/graphql/authentication/app)
// name one per region; Tribe's older guide named https://app.tribe.so/graphql,
// which [EndpointLegacy] keeps for apps that still use it.
const (
	// DefaultEndpoint is the endpoint an [App] with no Endpoint uses:
	// Bettermode's US region, the one its docs name first. Communities
	// hosted in the EU must use [EndpointEU].
	DefaultEndpoint = EndpointUS
	// EndpointUS is Bettermode's US-region endpoint.
	EndpointUS = "https://api.bettermode.com"
	// EndpointEU is Bettermode's EU-region endpoint; communities hosted in
	// the EU must use it.
	EndpointEU = "https://api.bettermode.de"
	// EndpointLegacy is the endpoint of Tribe's original app-token guide
	// (https://developers.tribe.so/docs/guide/app-access-token).
	EndpointLegacy = "https://app.tribe.so/graphql"
)

// endpoint is a checked GraphQL endpoint: an absolute http(s) URL without
// credentials, and the credentials that were in its userinfo, if any.
type endpoint = urlcheck.Checked

// parseEndpoint checks raw as a GraphQL endpoint. Plain http is accepted only
// for loopback hosts unless allowInsecure is set, since the credentials or
// tokens sent to it would travel in clear text. Error texts never contain the
// userinfo.
func parseEndpoint(raw string, allowInsecure bool) (endpoint, error) {
	ep, err := urlcheck.Parse(raw, "endpoint", "AllowInsecureHTTP", DefaultEndpoint, allowInsecure)
	if err != nil {
		return ep, invalidf("%s", err)
	}
	return ep, nil
}

// redactURL returns raw with any userinfo password replaced, for display.
func redactURL(raw string) string { return urlcheck.Redacted(raw) }
