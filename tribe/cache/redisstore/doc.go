// Package redisstore is a Redis-backed second level for the token cache
// (package tribe/cache), shared by every process of a fleet that uses the
// same app (endpoint and client id):
//
//	store, err := redisstore.Open(ctx, "redis://localhost:6379", key)
//	...
//	defer store.Close()
//	c, err := cache.New(app, cache.Options{Store: store})
//
// Each process keeps its own in-process cache (a warm hit touches no Redis
// and allocates nothing); a miss reads Redis before minting. The store is a
// [cache.Coordinator]:
//
//   - One mint per identity across the fleet. A process that misses both
//     levels takes a lease on the identity (SET NX PX with a random
//     fencing value, renewed while it mints, released by compare-and-delete
//     in Lua) and stores its token fenced by the lease (the check and the
//     SET in one script), so a holder whose lease lapsed cannot overwrite a
//     newer token. The others wait for the holder's message on the store's
//     pub/sub channel (a fallback check every half lease TTL finds a lease
//     that lapsed, as when its holder died), then read the token from
//     Redis; a lease with no expiry is not waited for, and none for longer
//     than three lease TTLs: the waiter then mints on its own. A holder
//     whose mint fails publishes the error's kind: its waiters get that
//     error ([cache.PeerError], matching the tribe sentinel) rather than
//     all minting again; the next request mints anew.
//   - Fleet-wide invalidation. A token the API refuses is deleted from
//     Redis (if it is still the stored one) and every process drops its
//     copy, through the channel ([cache.Cache.Invalidate]).
//   - Tokens at rest are encrypted with AES-256-GCM under keys the app
//     gives ([ParseKeys]): the first key encrypts, all decrypt, and each
//     value names its key, so keys rotate. The Redis key is the additional
//     data: a value copied to another identity's key does not decrypt.
//     Without a key the store refuses to start unless
//     Options.InsecureNoEncryption is set. Processes with other keys
//     share no token: the first value or message a store finds sealed
//     under a key it does not hold is reported ([ErrForeignKey],
//     Options.OnForeignKey), once.
//   - Faults never fail a token request. Each operation is bounded (200 ms
//     by default). When Redis fails, the store reports it
//     (Options.OnDegraded), answers at once without Redis, and the cache
//     carries on with its own memory and local mints; a probe finds Redis
//     back (Options.OnRecovered). The report says what to do when that is
//     known: a password Redis refused ([ErrAuth]), a rediss:// URL to a
//     Redis without TLS ([ErrNoTLS]), plain text to a host that is not
//     loopback ([ErrClearText]). A value it cannot read (of another
//     type, too long, or not sealed for its key) is a miss of its key
//     alone, and is overwritten.
//
// Someone who can write to Redis but holds no key cannot read the tokens,
// and has little reach. Messages on the channel are sealed as values are
// (the channel's name as additional data), so they name no identity in
// clear and cannot be forged; a lease's messages name its fencing value, so
// one replayed later is ignored. A planted lease delays a mint by three
// lease TTLs at most; a planted value is a miss (and at most the one
// report of a foreign key). What remains: a sealed
// value of a key, saved and written back after [cache.Cache.Invalidate]
// deleted it, is accepted again until its TTL. That value is only as good as
// its token: the API refuses a revoked token (code 108), and the cache then
// invalidates it again; checking each Get against a list of invalidated
// tokens would cost every read a second lookup. Without keys
// (Options.InsecureNoEncryption) none of this holds: tokens and messages
// are in clear text and unauthenticated.
//
// Keys are Prefix:{hash}:tok and Prefix:{hash}:lease, the hash being of
// the namespace and identity: the hash tag puts an identity's keys in one
// Cluster slot. Messages go on one channel, Prefix:events, with PUBLISH,
// which Redis Cluster delivers to the subscribers of every node. A value
// lives in Redis until the token's expiry minus the margin.
//
// The client is go-redis v9 (github.com/redis/go-redis/v9): one
// UniversalClient for standalone, Sentinel and Cluster, URL parsing for
// each (see [NewClient]), TLS and ACL users, pub/sub that resubscribes on
// its own after a reconnect, and scripts run by EVALSHA. rueidis is faster
// on pipelines and has client-side caching, but the warm path here never
// reaches Redis, and go-redis is the client most Go programs already link.
// Only a program that imports this package links it: tribe/cache does not.
//
// go-redis allocates what a reply's length prefix claims before it reads
// the data, so a hostile or broken Redis could crash the process with one
// reply (https://redis.io/docs/latest/develop/reference/protocol-spec/).
// A client the store makes (from a URL) therefore dials every node itself
// (go-redis's Dialer option; TLS too, each node's certificate checked
// against its own host) and reads replies through a bound: a length over
// 64 MiB, aggregates claiming over a million elements or nesting deeper
// than 32 fail with [ErrProtocol] and the connection is dropped. Without
// TLS (redis://) that dialer reaches only loopback hosts, whoever names
// them: the URL, or a Sentinel or Cluster naming its nodes; any other is
// refused before it is dialled ([ErrClearText]), as the Redis password and
// the tokens would cross the network in clear text, unless
// Options.AllowInsecure says the network is private. A client given as
// Options.Client is used as it is.
package redisstore
