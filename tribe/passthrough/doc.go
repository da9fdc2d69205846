// Package passthrough is Tribe's JWT passthrough: a product that issues
// its own JWTs sends them to Tribe (now Bettermode) as the Bearer token,
// and Tribe acts for the member whose externalId is the JWT's sub, creating
// it from the claims if there is none (Tribe's v1 API reference,
// Authentication: JWT Access Token). Tribe verifies the signature with the
// secret or public key configured on the community.
//
// # Where to start
//
// If your product already issues JWTs, check one and use it as a token
// source: [TokenSource] refuses a JWT that lacks what Tribe needs (sub,
// name, email, iat; a signed alg; no past exp), naming every problem at
// once as an [*Error], and hands the JWT out until it expires.
//
//	ts, err := passthrough.TokenSource(jwtFromYourProduct)
//	client, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: endpoint})
//	me, err := client.AuthMember(ctx)
//
// [Check] does the check alone, and returns the [Claims] Tribe will read.
//
// If your product has no JWTs of its own, a [Signer] mints them from an
// HS256 secret or an RSA or EC private key, one for each [User], fresh
// before each expires with [Signer.TokenSource]:
//
//	s := &passthrough.Signer{Secret: secret}
//	ts, err := s.TokenSource(passthrough.User{ID: "u-42", Name: "Ada", Email: "ada@example.com"})
//
// With a key pair, configure the community with the public key, or publish
// it as a JSON Web Key Set (RFC 7517) with [JWKSHandler] and [Signer.JWK]
// and give Tribe its URL.
//
// The mock server of package [github.com/tribekit/tribekit/tribe/tribetest]
// takes passthrough JWTs when a community of its fixtures has a jwt
// setting (see the Signer example). The CLI does the same from a shell:
// tribe-token jwt sign and tribe-token jwt check.
//
// No error, String or %v output of this package contains a secret, a
// private key or a JWT; a [Signer] prints none of its key.
package passthrough
