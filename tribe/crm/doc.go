// Package crm gets and keeps OAuth 2.0 tokens for Tribe CRM (tribecrm.nl) and
// makes a first API call with them.
//
// Tribe CRM is not the Tribe community platform (now Bettermode) that the
// parent package tribe serves: it is a separate product, with its own
// standard OAuth 2.0 server at auth.tribecrm.nl and an OData API at
// api.tribecrm.nl. Its authentication is described at
// https://developer.tribecrm.nl/docs/api/concepts/authentication; this
// package builds on golang.org/x/oauth2 for every token request.
//
// # Where to start
//
// Register an application in the CRM (Configuration > Applications) and fill
// a [Config] with its client ID, secret, redirect URL and scopes
// ([ScopeRead], [ScopeWrite], [ScopeOffline] for a refresh token). Leave
// Endpoint empty for the production CRM. Then pick the way in that fits:
//
//   - a server-to-server sync job: [Config.ClientCredentialsTokenSource]
//     (RFC 6749 section 4.4);
//   - a marketplace app acting for users of many organisations, the
//     authorization code flow (RFC 6749 section 4.1): [Config.NewAuthRequest]
//     for the consent URL, [AuthRequest.ParseCallback] for the redirect,
//     [AuthRequest.Exchange] for the token;
//   - a command-line tool: [LoopbackLogin], which runs that flow with a
//     browser and a listener on 127.0.0.1 (RFC 8252);
//   - a refresh token copied out of the CRM's settings: [Config.QuickSetup].
//
// Keep the user's token in a [TokenStore] and get tokens from
// [Config.TokenSource], then call the API with a [Client] and that token
// source: [Client.GetCurrentEmployee]. The examples run all of this against
// the mock CRM of package crmtest.
//
// # What it does for you
//
// PKCE (RFC 7636) is on by default: [Config.NewAuthRequest] and
// [LoopbackLogin] send an S256 code challenge and the matching verifier, so a
// stolen authorization code is useless. Set [Config.DisablePKCE] only for a
// server that refuses it.
//
// The CRM rotates refresh tokens: every refresh returns a new refresh token
// and the old one stops working. [Config.TokenSource] therefore hands every
// new token to its [TokenStore] before returning it, so the newest refresh
// token is never lost, and it sends the redirect_uri the CRM requires on
// refresh. A [FileStore] keeps the token in a file of mode 0600, written
// atomically, and is a [Locker]: the token source holds its lock (a flock on
// the file's path plus ".lock") from loading to saving, so processes sharing
// one file refresh one at a time and never spend one refresh token twice,
// which a server may treat as theft and answer by revoking the grant (RFC
// 9700 section 4.14.2).
//
// Secrets go only where they belong. An auth, token or API URL with plain
// http is refused unless its host is loopback (127.0.0.0/8, ::1,
// "localhost"); set [Config.AllowInsecureHTTP] or [Client.AllowInsecureHTTP]
// for a test server elsewhere. Token requests follow no redirect (RFC 9700
// section 4.11): a 3xx answer is a [*RedirectError]. The API's bearer token
// is sent only to the API's scheme and host.
//
// Without an HTTP client of the caller's, each request has an overall
// timeout of [DefaultTimeout] (30 s), so a slow or silent server cannot hang
// a call. Every request sends the User-Agent "tribekit/" and the module's
// version, or [Config.UserAgent] or [Client.UserAgent] when set.
//
// # Errors
//
// A bad configuration or argument is refused before anything is sent, with
// an error that reads "crm: <what is wrong>; <how to fix it>", names the field
// or argument, and matches [ErrInvalidInput]. The server's answers are typed:
// [*TokenError] (an expired or revoked refresh token matches
// [ErrInvalidGrant]), [*AuthError], [*ScopeError], [*APIError] and
// [*RedirectError]; test them with [errors.Is] and [errors.As].
//
// No error text, String or fmt output of this package contains a client
// secret, an access or refresh token, an authorization code or a PKCE
// verifier.
//
// The package crmtest beside this one is an in-process mock of the CRM's
// OAuth 2.0 server and API for tests.
package crm
