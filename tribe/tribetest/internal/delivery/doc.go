// Package delivery is how the mock Tribe server calls an app back: signed
// requests to the app's webhookUrl and interactionUrl, as Tribe sends them
// (https://developers.bettermode.com/docs/guide/webhooks/getting-started),
// signed with package webhook's [webhook.NewRequest].
//
// A [Dispatcher] delivers events (SUBSCRIPTION, APP_INSTALLED,
// APP_UNINSTALLED) asynchronously and at least once: the first attempts
// of one community go out one at a time, in the order they were sent; an
// attempt that times out, is refused or answers other than 2xx is retried
// with a doubling backoff, a bounded number of times, by a goroutine of
// its own, so that a retry never holds back the deliveries after it. A
// receiver that hangs holds up only its own community, for at most one
// timeout per attempt. A fault ([Dispatcher.Duplicate]) sends a delivered
// event again, as Tribe does when it takes a slow answer for a timeout,
// to test an app's dedupe. TEST and INTERACTION requests are synchronous
// calls ([Dispatcher.Call]), whose answers [CheckTest] and [Interactions]
// read as Tribe does.
//
// Every delivery is kept in a bounded record ([Dispatcher.Deliveries]):
// its attempts, each one's status, the start of the app's answer and its
// timings. [Dispatcher.Wait] waits for the deliveries sent so far to
// settle, and [Dispatcher.Close] stops them all, leaving no goroutine.
package delivery
