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
// [WithTokenLifetime], [WithClock], …) configure it at construction. From
// any other language, run the same server with "tribe-token mock", and
// drive it with its admin API ([WithAdminAPI]).
//
// [NewServer] starts a server on a random port of 127.0.0.1, [NewTLSServer]
// one serving HTTPS, [NewUnstartedServer] one to start later, and [Start]
// one on an address of your own, returning an error rather than panicking.
// [Server.Close] stops it and waits for requests in flight (no more than
// about a second); no goroutine of the server outlives it. Invalid options,
// fixtures and arguments are refused with errors of one shape, "tribetest:
// <what is wrong>; <how to fix it>". A server's state (fixtures, tokens, the
// request record, faults) is its own, behind its own mutex.
//
// # What it serves
//
// GraphQL at [Server.URL], [Server.GraphQLURL] and each community's gateway
// ([Server.GatewayURL]): limitedToken with an app's Basic credentials,
// and with a Bearer token authMember, network, member and members, over
// the repository's schema ([tribekit.Schema]) or any Tribe schema
// ([WithSchema], such as the one @tribeplatform/gql-client publishes),
// where every other field is mocked, the same on every run. A test can seed
// objects ([Server.Store]) or answer a field itself ([Server.Resolve],
// [Server.Stub]). Also: the v1 OAuth2 token endpoint
// ([Server.OAuthTokenURL]), and JWT passthrough ([JWTConfig]).
//
// # Tribe's objects, and calls back to the app
//
// On a schema that has them (Tribe's published one), posts and replies,
// reactions, spaces and their members, members' profiles and apps' settings
// keep state as on Tribe, with its permissions and codes (102 Forbidden,
// 110 for what was deleted): createPost then post(id) and posts(spaceIds)
// find the post, another member's updatePost is refused, addReaction
// raises reactionsCount. An id the server never had is still mocked, and
// overrides still win. The fixtures' Post and Space objects are the
// starting state, which [Server.Reset] puts back.
//
// Each change is delivered, signed as Tribe signs (package
// github.com/tribekit/tribekit/tribe/webhook verifies it), to the apps
// installed on the community that subscribe to it ([AppWebhook]: the
// fixtures' webhookUrl, webhookSignSecret, webhookSubscriptions and
// interactionUrl, or [WithAppWebhook]): post.published, post.updated,
// post.deleted, space.*, space_membership.*, member.updated; installs and
// uninstalls ([Server.Install]) too, TEST on request ([Server.TestWebhook]),
// and interactWithApps to the app's interactionUrl. Deliveries are
// asynchronous and at least once, retried with backoff
// ([WithDeliveryTimeout], [WithDeliveryRetries]); [Server.Deliveries] is
// their record, [Server.WaitDeliveries] waits for them to settle, and
// [Server.DuplicateDeliveries] makes the next ones go out twice, to test an
// app's dedupe.
//
// [NewServer] alone serves [DefaultFixtures]: app DefaultClientID /
// DefaultClientSecret installed on DefaultNetworkID, whose members are
// alice ([AdminMemberID]), bob ([ModeratorMemberID]), carol
// ([PlainMemberID]) and dave ([BlockedMemberID]), each with password
// [DefaultPassword]; [LoadFixtures] reads fixtures of your own from JSON.
//
// # Reference
//
// docs/tribetest.md in the repository
// (https://github.com/tribekit/tribekit/blob/main/docs/tribetest.md) holds
// what each endpoint answers, how any schema is mocked, the admin API, the
// limits on queries and answers, the table of errors and their codes, OAuth,
// tokens, JWT passthrough, the stateful objects, deliveries to apps and the
// fixtures' format.
//
// # Inside
//
// handler.go is the path of one request through the server, and resolve.go
// the order a field is answered in: an override, the server's own field,
// the store, a mocked value. The GraphQL engine (parsing, validation,
// execution, introspection, cost and complexity) is the internal package
// graphql, which knows nothing of Tribe; the made-up values are the
// internal package automock's; the stateful objects and their rules the
// internal package community's (wired in community.go), and the calls to
// apps the internal package delivery's (deliveries.go).
package tribetest
