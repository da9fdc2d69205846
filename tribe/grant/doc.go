// Package grant gets user tokens from a Tribe (now Bettermode) community's
// v1 OAuth2 token endpoint, {community URL}/api/v1/oauth/token ([TokenPath];
// Tribe's v1 API reference, Authentication: Tribe Access Token).
//
// # Where to start
//
// A [Config] holds the community's URL and the app's client id and secret,
// as golang.org/x/oauth2/clientcredentials.Config does; its methods are the
// grants the endpoint offers:
//
//   - [Config.PasswordToken]: a user's token from their username (or email)
//     and password, the OAuth2 password grant (RFC 6749 section 4.3), for a
//     phone app or a custom login form;
//   - [Config.UserToken]: a token for any user of the community, named by a
//     [User] (email, Tribe member id or your product's external id), with
//     Tribe's own grant tribe:client_secret_credentials;
//   - [Config.Refresh]: a new token for a refresh token (RFC 6749 section
//     6).
//
// For instance, a token source for a user of your product:
//
//	conf := &grant.Config{CommunityURL: "https://community.example.com", ClientID: id, ClientSecret: secret}
//	ts, err := conf.UserTokenSource(ctx, grant.User{ExternalID: "u-42"})
//	client, err := tribe.NewClient(ts, tribe.ClientConfig{})
//
// Each has a token source, an [oauth2.TokenSource] safe for concurrent use
// that reuses a token until shortly before it expires and then refreshes it:
// [Config.PasswordTokenSource] and [Config.UserTokenSource] grant again when
// the refresh token is refused; [Config.TokenSource] starts from a refresh
// token you kept and only refreshes. Tribe rotates refresh tokens: every
// refresh returns a new one and the old one stops working, so store the
// RefreshToken of the newest token if it must outlive the process.
//
// The client id, the client secret and the grant's parameters travel in the
// form body (RFC 6749 section 2.3.1), never in a URL, and a token request
// never follows a redirect ([RedirectError]). Requests are retried on
// transient failures per [Config.Retry] (a refresh, which spends its refresh
// token, only when the answer says the server did not act on it), send
// User-Agent tribekit/<version> ([Config.UserAgent] changes it), and without
// an HTTPClient of their own give up after [DefaultTimeout].
//
// # Errors
//
// Bad settings are refused before any request with an error matching
// tribe.ErrInvalidInput that reads "grant: <what is wrong>; <how to fix
// it>". The server's refusal is an [*Error] with the RFC 6749 section 5.2
// code (e.g. [InvalidGrant] for a wrong password or a refresh token already
// used); errors.Is maps it onto tribe.ErrUnauthorized and tribe.ErrForbidden.
// Every other error starts with "grant: ". No error, String or %v output of
// this package contains the client secret, a password or a token.
package grant
