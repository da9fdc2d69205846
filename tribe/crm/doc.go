// Package crm gets and keeps OAuth 2.0 tokens for Tribe CRM (tribecrm.nl) and
// makes a first API call with them.
//
// Tribe CRM runs a standard OAuth 2.0 server at auth.tribecrm.nl
// (https://developer.tribecrm.nl/docs/api/concepts/authentication). This
// package builds on golang.org/x/oauth2 for every token request and serves the
// CRM's three ways in:
//
//   - client credentials, for server-to-server sync jobs:
//     [Config.ClientCredentialsTokenSource];
//   - authorization code, for marketplace apps acting for users of many
//     organisations: [Config.NewAuthRequest], [AuthRequest.ParseCallback],
//     [Config.Exchange], and [LoopbackLogin] for command-line tools;
//   - quick setup, from a refresh token copied out of the CRM's settings:
//     [Config.QuickSetup].
//
// The CRM rotates refresh tokens: every refresh returns a new refresh token and
// the old one stops working. [Config.TokenSource] therefore hands every new
// token to a [TokenStore] (such as [FileStore]) before returning it, so the
// newest refresh token is never lost, and it sends the redirect_uri the CRM
// requires on refresh.
//
// [Client.GetCurrentEmployee] calls the OData API with such a token.
//
// No error text, String or fmt output of this package contains a client
// secret, an access or refresh token, or an authorization code.
//
// The package crmtest beside this one is an in-process mock of the CRM's
// OAuth 2.0 server and API for tests.
package crm
