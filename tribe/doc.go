// Package tribe gives Tribe (now Bettermode) community apps their access
// tokens, and a GraphQL client to use them with.
//
// An [App] holds the app's client id and secret. [App.BotToken] mints a token
// for the app's bot account in a community, [App.MemberToken] one that acts as
// a member, and [App.Mint] takes a full [Identity]. Minting sends the GraphQL
// query limitedToken with the client id and secret as HTTP Basic auth
// (TRIBE_API.md section 1; https://developers.tribe.so/docs/guide/app-access-token).
// The result is an [*oauth2.Token] whose Expiry is read from the JWT's exp
// claim; [GatewayURL] reports the per-community endpoint the server returned.
//
// Everything that yields a token is an [oauth2.TokenSource] ([App.TokenSource]),
// so tokens plug into oauth2.NewClient, oauth2.Transport and genqlient. A
// [Client] makes authenticated GraphQL calls with a token source: the typed
// helpers [Client.AuthMember] and [Client.Network] answer "who am I", and
// [Client.GraphQL] runs any genqlient operation.
//
// Errors are typed and wrapped: use errors.Is with [ErrForbidden] (app not
// installed on the community, Tribe code 102), [ErrUnauthorized] (wrong client
// credentials, HTTP 401), [ErrInvalidToken] (code 108), [ErrNotFound] (code
// 110) and [ErrInvalidInput] (refused before any request), and errors.As with
// [*GraphQLError] and [*HTTPError] for the server's details. No error, String
// or %v output of this package contains a client secret or a token.
//
// Package [github.com/tribekit/tribekit/tribe/tribetest] is a mock Tribe server
// for tests.
package tribe
