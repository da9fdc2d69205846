// Package cache keeps Tribe (Bettermode) access tokens for many identities
// at once (the app's bot, and every member it impersonates), so that an app
// mints each token once and hands it out until it is about to expire.
//
// # Where to start
//
// Build a [Cache] over any [Source] of tokens with [New]; a
// [*github.com/tribekit/tribekit/tribe.App] is one:
//
//	tokens, err := cache.New(app, cache.Options{})
//	defer tokens.Close()
//	ts, err := tokens.TokenSource(ctx, tribe.Impersonate(networkID, memberID))
//	client, err := app.Client(ctx, ts)
//
// [Cache.Token] returns one identity's token, [Cache.TokenSource] an
// oauth2.TokenSource for it, and [Cache.Invalidate] drops a token the API
// refused. [Options] sets the margin before expiry, refreshing ahead, the
// size bound and a test clock.
//
// # Many processes
//
// [Options].Store puts a second level behind the cache ([Store];
// [MemoryStore] in one process, package
// github.com/tribekit/tribekit/tribe/cache/redisstore on Redis). A Store
// that is also a [Coordinator] makes a fleet mint once per identity and drop
// a refused token together; [Options].OnWait reports each wait for another
// process's mint ([WaitInfo]), so that a command can say why it pauses.
//
// A Cache is safe for concurrent use. A warm hit allocates nothing; the
// index is sharded, so hits on different shards share no lock.
package cache
