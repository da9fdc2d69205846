// Package tribe gives Tribe (now Bettermode) community apps their access
// tokens, and a GraphQL client to use them with.
//
// # Where to start
//
// An [App] holds the app's client id and secret. [App.Mint] mints a token
// for an [Identity]: [Bot] for the app's bot account in a community, which
// may do all a community admin may do, or [Impersonate] for a member.
// Minting sends the GraphQL query limitedToken with the client id and secret
// as HTTP Basic auth
// (https://developers.bettermode.com/docs/guide/graphql/authentication/app).
// The result is an [*oauth2.Token] whose Expiry is read from the JWT's exp
// claim; [GatewayURL] reports the per-community endpoint the server returned.
//
//	app := &tribe.App{ClientID: id, ClientSecret: secret}
//	ts, err := app.TokenSource(ctx, tribe.Impersonate(networkID, memberID))
//	client, err := app.Client(ctx, ts)
//	me, err := client.AuthMember(ctx)
//
// Everything that yields a token is an [oauth2.TokenSource]
// ([App.TokenSource]), so tokens plug into oauth2.NewClient,
// oauth2.Transport and genqlient. A [Client] makes authenticated GraphQL
// calls: [Client.AuthMember] and [Client.Network] answer "who am I", and
// [Client.GraphQL] runs any genqlient operation. [App.Client] sends the
// calls to the community's gatewayUrl when the rule of [App.CheckGateway]
// trusts it; [NewClient] takes any token source and endpoint.
//
// # The other packages
//
//   - [github.com/tribekit/tribekit/tribe/cache]: a token cache that mints
//     once per identity, refreshes ahead of expiry and can share tokens
//     through a Store.
//   - [github.com/tribekit/tribekit/tribe/grant]: the v1 OAuth2 grants
//     (password, tribe:client_secret_credentials, refresh).
//   - [github.com/tribekit/tribekit/tribe/passthrough]: JWT passthrough, a
//     JWT of your own product as the Bearer token, and the Signer and JWKS
//     for it.
//   - [github.com/tribekit/tribekit/tribe/tribetest]: a mock Tribe server
//     for tests.
//   - [github.com/tribekit/tribekit/tribe/crm]: OAuth2 for Tribe CRM, a
//     different product of the same name.
//
// # Errors
//
// Errors are typed and wrapped: use errors.Is with [ErrForbidden] (app not
// installed on the community, Tribe code 102), [ErrUnauthorized] (wrong
// client credentials, HTTP 401), [ErrInvalidToken] (code 108), [ErrNotFound]
// (code 110) and [ErrInvalidInput] (refused before any request; the message
// reads "tribe: <what is wrong>; <how to fix it>"), and errors.As with
// [*GraphQLError] and [*HTTPError] for the server's details. No error, String
// or %v output of this package contains a client secret or a token (an
// [*oauth2.Token] itself prints its fields, as golang.org/x/oauth2 defines
// it: do not log tokens).
//
// Requests send User-Agent tribekit/<version> ([App.UserAgent] changes it),
// and without an HTTPClient of their own they give up after
// [DefaultHTTPTimeout].
package tribe
