// Package tribetest is a mock Tribe (Bettermode) API server for integration
// tests, built on net/http/httptest and shaped like it.
//
// # Where to start
//
// In a Go test:
//
//	srv := tribetest.NewServer() // DefaultFixtures: app, communities, members
//	defer srv.Close()
//	// Point the code under test at srv.URL (or srv.GraphQLURL()) with
//	// tribetest.DefaultClientID and tribetest.DefaultClientSecret, or
//	// call it with srv.Client().
//
// Then assert on what it was asked ([Server.Requests], [Server.Count]),
// inject failures ([Server.Fail]), or change its state ([Server.AddMember],
// [Server.Advance], [Server.Revoke]). Options ([WithFixtures],
// [WithTokenLifetime], …) configure it at construction. From any other
// language, run the same server with "tribe-token mock".
//
// # Lifecycle
//
// As with httptest.Server:
//
//   - [NewServer] starts a server on a random port of 127.0.0.1 (or ::1);
//     [NewTLSServer] starts one serving HTTPS with httptest's certificate
//     for 127.0.0.1, ::1 and example.com.
//   - [NewUnstartedServer] returns one that listens but does not serve
//     until [Server.Start] or [Server.StartTLS]. [WithListener] gives it a
//     listener of your own in place of the random port, as replacing
//     httptest.Server.Listener before starting it.
//   - [Start] runs a server on a given address (host:port, as for
//     net.Listen), returning an error rather than panicking: for a
//     standalone mock. With an unspecified host (":8080"), it listens on
//     every interface ([Server.Addr]) while [Server.URL] names loopback.
//   - [Server.URL] is the base URL, http://ipaddr:port or https://… with no
//     trailing slash; [Server.Client] is an HTTP client for it, trusting
//     the certificate of a TLS server ([Server.Certificate]).
//   - [Server.Close] stops it: it closes idle connections, ends injected
//     latency, and waits for requests in flight, but no more than about a
//     second for a client that holds a request open, whose connection it
//     then closes ([Server.CloseClientConnections]). No goroutine of the
//     server outlives Close.
//
// Constructors panic on an invalid option, as httptest's do when they
// cannot listen; [Start] returns the error. Invalid options, fixtures and
// arguments are refused with errors of one shape, "tribetest: <what is
// wrong>; <how to fix it>".
//
// A client has 10 seconds to send a request's header and 30 to send all of
// it; a keep-alive connection may stay idle for 10 minutes.
//
// # What it serves
//
// It speaks the API of Tribe: GraphQL with the schema of package
// [github.com/tribekit/tribekit] ([tribekit.Schema]), app tokens from
// limitedToken with HTTP Basic auth, Bearer calls, the v1 OAuth2 token
// endpoint, and JWT passthrough. Its state (fixtures, tokens, the request
// record, injected faults) belongs to one server, behind that server's
// mutex; there are no package globals.
//
// # Endpoints
//
//   - URL, URL+"/graphql", URL+"/gateway" and URL+"/gateway/{networkId}":
//     GraphQL, as POST with a JSON body {query, operationName, variables}
//     (or application/graphql), or GET with those as query parameters.
//     Every request is parsed and validated against the schema; a query
//     text is parsed once and kept in a bounded cache. The gateway of a
//     network refuses Bearer tokens of other networks (code 108).
//   - URL+"/api/v1/oauth/token": the v1 OAuth2 token endpoint,
//     POST, application/x-www-form-urlencoded.
//
// # GraphQL
//
// Supported: variables coerced per the schema, operationName, aliases,
// named and inline fragments, __typename, @skip and @include, several root
// fields, introspection (__schema, __type), and field errors with
// locations and path, with null propagated to the nearest nullable parent
// (every root field is non-null, so a failed one makes data null).
//
// limitedToken(context, entityId, networkId, impersonateMemberId) needs
// HTTP Basic credentials of an app (Authorization: Basic, RFC 7617). It
// answers {accessToken, gatewayUrl}: a token for the app's bot member on
// that network (role admin), or for impersonateMemberId. gatewayUrl is
// URL+"/gateway/"+networkId, or the same on the base of [WithPublicURL],
// never on the request's Host (null with [WithoutGatewayURL]). With
// context NETWORK, entityId must be the networkId; with MEMBER, a member's
// id.
//
// authMember, network, member(id | username) and members(limit, offset,
// after, before, query, reverse, roleIds, status) need a Bearer token: one
// of the server's (from limitedToken, the OAuth endpoint or
// [Server.MintToken]) or a JWT passthrough token. They see the token's
// network only. members filters by query (name, username or email,
// case-insensitive), roleIds and status, keeps fixture order (reverse
// flips it), then applies after (start after that cursor), before (the
// page just before that cursor), offset and limit; DELETED and REMOVED
// members and bots are never listed.
//
// # Limits
//
// Every operation's cost is computed before it runs: the number of fields
// it could resolve, the selections under a list counted once per item
// (aliases and fragment spreads counted each; introspection lists as long
// as the schema makes them; members(limit:) as many as the limit or the
// largest network allows). An operation over the limit (50000 by default,
// [WithQueryCostLimit]) is refused with code 118 and not executed; a full
// introspection query costs under 2000. An answer may not pass 8 MiB
// ([WithResponseSizeLimit]): execution stops there and a GraphQL error
// (code 118) is answered instead. Request bodies may not pass 1 MiB, nor
// query texts 10000 tokens.
//
// # Errors
//
// GraphQL errors answer HTTP 200 and carry Tribe's string code both at the
// top level of the error object and in extensions.code:
//
//	{"errors":[{"message":"Forbidden","locations":[{"line":1,"column":3}],
//	  "path":["limitedToken"],"code":"102","extensions":{"code":"102"}}],"data":null}
//
//	case                                               HTTP  code
//	query syntax or validation error                   200   118
//	unknown operationName                              200   118
//	variable missing (non-null, no default)            200   112
//	query too complex (over [WithQueryCostLimit])      200   118
//	answer larger than [WithResponseSizeLimit]         200   118
//	variable of the wrong type (an Int: not a JSON     200   106
//	  integer within 32 bits)
//	limitedToken: app not installed / unknown network  200   102 "Forbidden"
//	limitedToken: unknown impersonateMemberId          200   110
//	limitedToken: context NETWORK, entityId != network 200   106
//	missing, bad, expired or revoked Bearer token      200   108 "invalid access token"
//	member not found                                   200   110
//	member without id and username                     200   112
//	bad members limit/offset/cursor                    200   106
//	bad Basic credentials, or none for limitedToken    401   none "Unauthorized: …", WWW-Authenticate
//	body not JSON, no query                            400   118
//	method other than GET and POST                     405   118
//	Content-Type not JSON or GraphQL                   415   118
//	body over 1 MiB                                    413   118
//	unknown path or gateway network                    404   110
//
// Refused Basic credentials carry no code: 108 says an access token is
// invalid, and a client that mints anew on 108 would loop on a wrong
// client secret.
//
// The OAuth endpoint answers RFC 6749 section 5.2 errors,
// {"error":"…","error_description":"…"}: invalid_request (400: not POST,
// not form-encoded, a repeated or missing parameter, not exactly one of
// email, user_id, external_id, credentials both in header and body),
// invalid_client (401, with WWW-Authenticate: missing, unknown or wrong
// client credentials), invalid_grant (400: wrong password, unknown user,
// unknown, used or revoked refresh token, a member that is BLOCKED,
// Suspended, DELETED or REMOVED), unauthorized_client (400: the app is not
// installed on the community), unsupported_grant_type (400).
//
// # OAuth
//
// Client credentials go in the body (client_id, client_secret) or in a
// Basic header. grant_type=password takes username (a member's email or
// username) and password; grant_type=tribe:client_secret_credentials
// takes exactly one of email, user_id, external_id; grant_type=
// refresh_token takes refresh_token. The answer is
// {"token_type":"bearer","access_token":…,"expires_in":…,"refresh_token":…}.
// Refresh tokens rotate: each works once, for the app it was issued to.
// The community is the one whose domain is the request's Host, else the
// app's first; a refresh keeps the community of the token it refreshes.
//
// # Tokens
//
// Access tokens are HS256 JWTs signed with a random key of the server's
// ([WithSigningKey] sets it), with claims id (member), networkId,
// networkDomain, role (role name), roleId, roleType, iat, exp, plus appId,
// iss "tribetest" and a unique jti; the kid header names the key. They
// live one hour ([WithTokenLifetime]) by the server's clock ([WithClock],
// [Server.Advance]), and [Server.Revoke] or [Server.RevokeAll] cancel them.
//
// # JWT passthrough
//
// A network with a [JWTConfig] accepts a product's own JWT as a Bearer
// token: a token not signed with the server's key
// is checked against every network with passthrough, in fixture order,
// skipping those whose Issuer is set and differs from the token's iss; the
// first whose key verifies it wins. The token needs sub; exp and nbf are
// checked when present, iat must not be in the future. It acts as the
// member of that network whose external id is sub, else whose email is its
// email, else a member created from sub, name and email (role
// DefaultRoleID, or member).
//
// # Fixtures
//
// [NewServer] alone serves [DefaultFixtures]: app DefaultClientID /
// DefaultClientSecret (id DefaultAppID) installed on DefaultNetworkID, whose
// members are alice (AdminMemberID, role-admin), bob (ModeratorMemberID,
// role-moderator), carol (PlainMemberID, role-member) and dave
// (BlockedMemberID, BLOCKED); and OtherNetworkID, with erin
// (OtherMemberID), where the app is not installed. Every default member's
// email is username@example.com, external id ext-username, password
// DefaultPassword. The app's bot on DefaultNetworkID is
// bot-app-test-net-acme ([Server.Bot]).
//
// [WithFixtures] takes a [Fixtures] built in Go; [LoadFixtures] reads one
// from JSON (unknown keys are errors). Every field but ids and client
// credentials is optional; the types' documentation gives the defaults.
// A complete example:
//
//	{
//	  "apps": [
//	    {"id": "app-1", "name": "My App", "clientId": "my-client",
//	     "clientSecret": "my-secret", "installedOn": ["net-1"]}
//	  ],
//	  "networks": [
//	    {
//	      "id": "net-1", "name": "My Community", "domain": "community.example.com",
//	      "ownerId": "m-1", "locale": "en-US", "description": "An example community.",
//	      "status": "published", "visibility": "public",
//	      "createdAt": "2024-01-01T00:00:00Z",
//	      "roles": [
//	        {"id": "r-admin", "name": "Admin", "type": "admin", "scopes": ["*"]},
//	        {"id": "r-member", "name": "Member", "type": "member", "scopes": ["read"],
//	         "hidden": false, "description": "Everyone"}
//	      ],
//	      "members": [
//	        {"id": "m-1", "username": "ann", "name": "Ann", "email": "ann@example.com",
//	         "externalId": "u-1", "password": "s3cret", "roleId": "r-admin",
//	         "status": "VERIFIED", "locale": "en-US", "teammate": true,
//	         "tagline": "Hi", "url": "https://community.example.com/member/m-1",
//	         "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z",
//	         "lastSeenAt": "2024-02-01T00:00:00Z", "verifiedAt": "2024-01-01T00:00:00Z"},
//	        {"id": "m-2", "username": "ben", "roleId": "member"}
//	      ],
//	      "jwt": {"hs256Secret": "product-secret", "issuer": "https://product.example.com",
//	              "defaultRoleId": "r-member"}
//	    }
//	  ]
//	}
//
// A network's "jwt" holds exactly one of "hs256Secret", "publicKeyPem"
// (an RSA or EC public key in PEM) or "jwksUrl". A member's "roleId"
// names a role by id or, failing that, by type. Ids, client ids and app
// names may not pass 200 bytes, nor domains 253.
//
// # Assertions and faults
//
// [Server.Requests] is the record of requests answered, without secrets;
// [Server.Count] and [Server.GrantCount] count them by operation, root
// field or grant; [Server.Reset] clears them. [Server.Fail] injects a
// [Fault] (status, 429 with Retry-After, latency, truncated or non-JSON
// body, dropped connection) into the next requests for an operation, root
// field or grant.
package tribetest
