// Package webhook receives what Tribe (Bettermode) sends a community app:
// webhook events at the app's webhookUrl, installs and uninstalls, block and
// shortcut interactions at its interactionUrl, shortcut states and federated
// search. Every such request is signed; this package checks the signature on
// the raw bytes, answers the TEST challenge, drops an event delivered twice,
// decodes the typed request and answers in the shape Tribe expects.
//
// Start with [Handler], a plain [net/http.Handler] that any router mounts:
//
//	v, err := webhook.NewVerifier(0, os.Getenv("TRIBE_WEBHOOK_SECRET"))
//	...
//	http.Handle("/webhook", &webhook.Handler{
//		Verifier: v,
//		Dedupe:   webhook.NewMemoryDedupe(0),
//		Event: func(ctx context.Context, r *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
//			log.Printf("%s %s", e.Name, e.ID)
//			return nil, nil // SUCCEEDED
//		},
//	})
//
// # The protocol
//
// Tribe signs each request with the app's signing secret (the GraphQL field
// App.webhookSignSecret; not the client secret): the lowercase hex
// HMAC-SHA256 of the request timestamp, a colon and the raw body, sent in
// X-Bettermode-Signature with the timestamp in X-Bettermode-Request-Timestamp
// (older apps get x-tribe-signature and x-tribe-request-timestamp; both
// families are read). A 13-digit timestamp is read as milliseconds since the
// epoch, as the official app template does, and a 10-digit one as seconds.
// See https://developers.bettermode.com/docs/guide/webhooks/verifying-webhooks
// and https://developers.bettermode.com/docs/guide/webhooks/getting-started.
//
// [Verifier] checks a request: the signature against each of the app's
// secrets (several during a rotation) with [crypto/hmac.Equal], and the
// time: no older than the verifier's tolerance ([DefaultTolerance], the 15
// minutes the docs advise) and at most [MaxFutureSkew] ahead. [Sign] and
// [SignRequest] make such signatures, for tests and tools.
//
// Every request shares one envelope ([Request]: networkId, context,
// entityId, currentSettings, type, data, entities). Its data is typed per
// type: [Event] (SUBSCRIPTION, names listed at
// https://developers.bettermode.com/docs/guide/webhooks/events-list),
// [Installation] (APP_INSTALLED, APP_UNINSTALLED), [InteractionInput]
// (INTERACTION, https://developers.bettermode.com/docs/guide/apps/interactivity/interactions
// and https://developers.bettermode.com/docs/guide/apps/interactivity/dynamic-blocks),
// [ShortcutsStatesInput] (SHORTCUTS_STATES,
// https://developers.bettermode.com/docs/guide/apps/interactivity/shortcuts),
// [SearchInput] (FEDERATED_SEARCH) and [SettingsUpdate]
// (the legacy UPDATE_SETTINGS; GET_SETTINGS has no data). Each typed value
// keeps its raw JSON beside its fields, so fields this package does not know
// are not lost, and a type it does not know reaches [Handler].Default.
//
// An [Answer] is HTTP 200 with {type, status: "SUCCEEDED", data} or {type,
// status: "FAILED", errorCode, errorMessage}; [Succeeded], [Store],
// [Failed], [Interactions], [ShortcutStates] and [SearchResults] build them.
//
// # What the handler refuses
//
// A request is refused without calling the app, with one log line on
// [Handler].Logger that holds neither the secret nor the body:
//
//   - a method other than POST: 405;
//   - a body over [Handler].MaxBodyBytes ([DefaultMaxBodyBytes]): 413;
//   - a missing or malformed signature or timestamp header, a signature that
//     matches no secret, a timestamp too old or too far ahead: 403 Forbidden,
//     as the official app templates answer. 401 would call for a
//     WWW-Authenticate challenge (RFC 9110, section 15.5.2), which this
//     scheme has none of;
//   - a body that is not a JSON object, has no type, or whose data does not
//     fit its type: 400.
//
// # Deliveries
//
// Tribe delivers at least once: it retries an event whose delivery timed
// out. With a [Dedupe] ([MemoryDedupe] for one process, a Redis one from
// package tribe/cache/redisstore for a fleet), the handler processes each
// SUBSCRIPTION event once per id, and each install and uninstall once per
// installation state (see [Dedupe] for the keys), answering a duplicate 200
// so that Tribe stops retrying. TEST, INTERACTION, SHORTCUTS_STATES,
// FEDERATED_SEARCH and the settings requests carry no event id and are never
// dropped.
package webhook
