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
// language, run the same server with "tribe-token mock" (and drive it with
// its admin API, [WithAdminAPI]).
//
// It serves any Tribe schema ([WithSchema]), such as the one
// @tribeplatform/gql-client publishes: the fields it implements answer
// from the fixtures, every other field is mocked, deterministically
// (see "Any schema" below), and a test can seed objects ([Server.Store])
// or answer a field itself ([Server.Resolve]).
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
// [github.com/tribekit/tribekit] ([tribekit.Schema]) or the one of
// [WithSchema], app tokens from
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
//   - URL+"/__admin/…": the admin API, with [WithAdminAPI] only.
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
// Every other root field, of queries and mutations alike, needs a Bearer
// token: one of the server's (from limitedToken, the OAuth endpoint or
// [Server.MintToken]) or a JWT passthrough token; so do authMember,
// network, member(id | username) and members(limit, offset, after,
// before, query, reverse, roleIds, status), which see the token's network
// only. Introspection needs none. Subscriptions are refused (code 118). members filters by query (name, username or email,
// case-insensitive), roleIds and status, keeps fixture order (reverse
// flips it), then applies after (start after that cursor), before (the
// page just before that cursor), offset and limit; DELETED and REMOVED
// members and bots are never listed.
//
// # Any schema
//
// [WithSchema] serves a schema of your own, such as Tribe's published one
// (load it with package [github.com/tribekit/tribekit/tribe/schema]: SDL or
// an introspection result); "tribe-token mock --schema FILE" does the same.
// Every request is validated against it. A field is answered by, in this
// order: an override ([Server.Resolve], [Server.Stub]); the server's own
// code (the fields above, and the fixtures' values of a Member, Network
// or Role: a fixture member keeps its name, email, role… and has the rest
// of its fields mocked; displayName is its name); the store
// ([Server.Store]); else a mocked value. Network.members pages the
// network's members as the root members does.
//
// Mocked values depend only on the type and the identity of the object
// they belong to, by hashing (no clock, no randomness): the same query
// gets the same data on every run and from every server with the same
// fixtures. An object of a type with an id field is identified by its type
// and id wherever it appears: its id is the id argument of the field that
// returns it (post(id: "p1")), or the value of the sibling field named
// after it plus Id (a post's space is the space its spaceId names, its
// repliedTo the post of repliedToId), or a made-up stable id (ten
// letters and digits, like Tribe's). Any other object is identified by
// its parent and the path to it. References to members, roles and the
// network are the caller's network's fixtures: a post's owner is a member
// of the fixtures, its network the caller's.
//
// Scalars: ID a stable id; String a readable "Type N field" ("Space 862
// name"), or shaped by the field's name (email, url, slug, username,
// locale, language, domain, color); Int from 0 to 99 (counts below 20);
// Float; Boolean; scalars named like a date or time an RFC 3339 time in
// 2024 (DateTime); those named JSON, Object, Map or Any a JSON object;
// others a "Name N" string. Enums take one of their values. A union or
// interface resolves to one of its concrete types, the same for the same
// identity, so __typename and inline fragments work. Lists have 2 items
// ([WithMockListLength]).
//
// A connection, a type with pageInfo and nodes or edges{cursor node}
// (PaginatedSpace, PaginatedPost, …), has totalCount 20 items
// ([WithMockPageTotal]), in an order of their own: limit, offset, after
// and before (cursors of this server) page them as members does, reverse
// flips the order, and totalCount, pageInfo{startCursor endCursor
// hasNextPage hasPreviousPage}, edges and nodes agree. Other arguments
// (filters, orderBy) do not change mocked data. A connection of a Query
// field whose node type has objects in the store lists those objects, in
// the order they were first stored; a connection of members lists the
// caller's network's members.
//
// # Store and overrides
//
// [Server.Store] holds objects of any object type with an id, by type and
// id, as JSON-like maps ([Store.Set], [Store.Get], [Store.IDs],
// [Store.Delete], [Store.Clear]): the fields of a stored object answer
// wherever it appears, the others are mocked. The fixtures' "objects"
// section seeds it: {"objects": {"Post": [{"id": "p1", "title": "Hello"}]}}.
//
// [Server.Resolve] answers a field with a function of your own, which
// gets the field's arguments and a [ResolveContext]: the request's
// context, the [Caller] (app, network, member, role), the id of the
// object whose field it is, and the store. It returns JSON-like data,
// completed from the store and mocked where it says nothing, or an error
// ([FieldError] sets its Tribe code). A mutation becomes stateful in a few
// lines: createPost stores a post and returns its id, post(id:) then
// finds it. [Server.Stub] answers a field with a fixed value.
//
// # Admin API
//
// With [WithAdminAPI] ("tribe-token mock --admin") the server also answers
// under URL+"/__admin/", for tests in any language. It is off by default
// (those paths answer 404). It answers only clients on loopback addresses
// (else 403) asking for a loopback host (localhost, 127.0.0.1, [::1]:
// a web page cannot reach it through a name of its own), takes JSON
// bodies only (Content-Type: application/json, else 415; at most 1 MiB),
// and a server with it refuses to start on a listener that is not on
// loopback. Its requests are not in the request record. Errors answer
// {"error": "tribetest: <what is wrong>; <how to fix it>"} with status
// 400, 404, 405, 413 or 415.
//
//	GET    /__admin/requests        {"requests": [{"time", "method", "path", "operationName",
//	                                  "fields", "grant", "auth", "clientId", "memberId", "networkId",
//	                                  "variables", "params", "status", "errorCodes", "fault",
//	                                  "durationMs"}, …]}        (Server.Requests, without secrets)
//	GET    /__admin/counts          {"counts": {name: n}, "grants": {grant: n}}  (Count, GrantCount)
//	POST   /__admin/reset           {} → {}: clears the record, counts, faults and stubs, and
//	                                  puts the store back to the fixtures' objects
//	POST   /__admin/faults          {"name": "limitedToken", "status": 503, "body": "",
//	                                  "retryAfterSeconds": 0, "latencyMs": 0, "truncate": false,
//	                                  "nonJson": false, "drop": false, "times": 1}
//	                                  → {"pending": n}           (Server.Fail)
//	GET    /__admin/faults?name=N   {"pending": n}               (PendingFaults)
//	DELETE /__admin/faults          {}                           (ClearFaults)
//	POST   /__admin/advance         {"seconds": 3600} → {"now": "RFC 3339"} (Advance; at most
//	                                  100 years ahead in all)
//	POST   /__admin/objects         {"type": "Post", "id": "p1", "value": {"title": "Hello"}}
//	                                  or {"objects": {"Post": [{"id": "p1", …}]}} → {"stored": n}
//	GET    /__admin/objects/T       {"type": T, "ids": [...]}
//	GET    /__admin/objects/T/ID    {"type": T, "id": ID, "value": {...}} or 404
//	DELETE /__admin/objects/T/ID    {}; DELETE /__admin/objects: {} (clears the store)
//	POST   /__admin/stubs           {"type": "Query", "field": "spaces", "value": {...}} → {}
//	                                  (Server.Stub); DELETE /__admin/stubs: {} (clears the stubs)
//
// # Limits
//
// Every operation's cost is computed before it runs: the number of fields
// it could resolve, the selections under a list counted once per item
// (aliases and fragment spreads counted each; introspection lists as long
// as the schema makes them; members(limit:) as many as the limit or the
// largest network allows; a mocked connection min(limit, its total, the
// most objects of a type in the store); another list as many items as a
// mocked list, a network's members, or the longest list in the store).
// So a huge page of nested lists is refused before anything runs; the
// answer's size bound also holds for what overrides return. An operation
// over the limit (50000 by default,
// [WithQueryCostLimit]) is refused with code 118 and not executed; a full
// introspection query costs under 2000. An answer may not pass 8 MiB
// ([WithResponseSizeLimit]): execution stops there and a GraphQL error
// (code 118) is answered instead. Request bodies may not pass 1 MiB, nor
// query texts 10000 tokens. Before it is validated, a query text may not
// pass 2000 selections (fields, fragments and spreads), 100 fragments, or
// 300000 comparisons to merge its fields (pairs of fields of one response
// name, pairs of fragment spreads, selection sets by fragments): code 118,
// so that no request costs validation more than a few tens of
// milliseconds of CPU.
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
//	query cost over [WithQueryCostLimit]               200   118
//	query too large to validate (see Limits)           200   118
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
//	  (and of a mocked connection)
//	a subscription                                     200   118
//	an override's error (FieldError: its code)         200   10
//	a stored or stubbed value not of the field's type  200   10
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
//	      "jwt": {"hs256Secret": "product-secret-of-32-bytes-or-more", "issuer": "https://product.example.com",
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
