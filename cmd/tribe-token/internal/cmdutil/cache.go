package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/cache/redisstore"
)

// cacheKeyHowTo says how to make a cache encryption key.
const cacheKeyHowTo = "32 random bytes in standard base64, made with: head -c 32 /dev/urandom | base64; in a file private to you: (umask 077; head -c 32 /dev/urandom | base64 > cache-key.txt)"

// CacheFlags are --cache, --cache-key-file and
// --cache-insecure-no-encryption: the Redis that the processes of a fleet
// share minted tokens through (package tribe/cache/redisstore).
type CacheFlags struct {
	URL                  string
	KeyFile              string
	InsecureNoEncryption bool
}

// Add registers the flags on cmd.
func (c *CacheFlags) Add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.URL, "cache", "", "share minted tokens with other processes through the Redis at `URL`: rediss:// (TLS), redis:// (plain, only to a loopback host unless --insecure-http), unix://, or the Cluster (?addr=) and Sentinel (?master_name=) forms; one mint per identity across them (default $TRIBE_CACHE_URL)")
	fl.StringVar(&c.KeyFile, "cache-key-file", "", "read the key(s) tokens are encrypted with in Redis from `FILE` (- for stdin; default $TRIBE_CACHE_KEY): "+cacheKeyHowTo+"; several, one a line, rotate keys (the first encrypts)")
	fl.BoolVar(&c.InsecureNoEncryption, "cache-insecure-no-encryption", false, "keep tokens in Redis unencrypted, where anyone who can read Redis can use them; INSECURE: only for a Redis as private as the tokens")
}

// Source names where the cache's URL comes from, "" if nowhere.
func (c *CacheFlags) resolve(f *Factory) (rawURL, source string) {
	if c.URL != "" {
		return c.URL, "--cache"
	}
	if v := f.Env("TRIBE_CACHE_URL"); v != "" {
		return v, "TRIBE_CACHE_URL"
	}
	return "", ""
}

// TokenCache is a run's token cache: in the process, and in Redis when
// --cache or TRIBE_CACHE_URL names one. Close it when done.
type TokenCache struct {
	*cache.Cache
	store *redisstore.Store
}

// Close closes the cache, then its Redis store.
func (t *TokenCache) Close() {
	t.Cache.Close()
	if t.store != nil {
		_ = t.store.Close()
	}
}

// Enabled reports whether the flags or the environment ask for a Redis
// cache.
func (c *CacheFlags) Enabled(f *Factory) bool {
	u, _ := c.resolve(f)
	return u != ""
}

// Open returns the token cache of app for this run: in the process, and
// backed by Redis when --cache or TRIBE_CACHE_URL names one. The Redis
// tokens are encrypted with the key(s) of --cache-key-file or
// TRIBE_CACHE_KEY, which are secrets of the run; without one the cache is
// refused (a usage error that says how to make one) unless
// --cache-insecure-no-encryption is given, which is warned about. Redis
// being unreachable is no failure: a warning is printed and the run mints
// on its own. Nor is a token in Redis that another process sealed under
// another key: the first found is warned about, and the run mints anew. A
// token request that waits for another process minting the same token
// says so once on stderr, with how long it may wait.
func (c *CacheFlags) Open(ctx context.Context, f *Factory, app *tribe.App) (*TokenCache, error) {
	rawURL, source := c.resolve(f)
	if rawURL == "" {
		if c.KeyFile != "" || c.InsecureNoEncryption {
			flag := "--cache-key-file"
			if c.KeyFile == "" {
				flag = "--cache-insecure-no-encryption"
			}
			return nil, Usagef("%s needs --cache URL (or TRIBE_CACHE_URL) naming the Redis to share tokens through", flag)
		}
		tc, err := cache.New(app, cache.Options{})
		if err != nil {
			return nil, err
		}
		return &TokenCache{Cache: tc}, nil
	}
	if err := f.checkCacheURL(source, rawURL, app.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	// --insecure-http also lets the library dial, in clear text, the nodes
	// a Sentinel or Cluster names that are not loopback.
	opts := redisstore.Options{URL: strings.TrimSpace(rawURL), AllowInsecure: app.AllowInsecureHTTP}
	spec := SecretSpec{What: "cache encryption key", EnvVar: "TRIBE_CACHE_KEY", FileArg: "cache-key-file", File: c.KeyFile}
	text, ok, err := f.OptionalSecret(spec)
	if err != nil {
		return nil, err
	}
	switch {
	case ok && c.InsecureNoEncryption:
		return nil, Usagef("%s gives a cache encryption key and --cache-insecure-no-encryption says to store tokens unencrypted; give one of them", spec.Source())
	case ok:
		// Each key of the text is a secret on its own too.
		f.AddSecret(strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })...)
		keys, err := redisstore.ParseKeys(text)
		if err != nil {
			return nil, Usagef("the cache encryption key from %s is not usable (%s); give %s", spec.Source(), strings.TrimPrefix(err.Error(), "redisstore: "), cacheKeyHowTo)
		}
		opts.Keys = keys
	case c.InsecureNoEncryption:
		opts.InsecureNoEncryption = true
		f.Warnf("warning: --cache-insecure-no-encryption: tokens are kept in Redis unencrypted, where anyone who can read Redis can use them")
	default:
		return nil, Usagef("no cache encryption key for %s: set TRIBE_CACHE_KEY, or pass --cache-key-file FILE, to %s; tokens are kept in Redis encrypted with it", source, cacheKeyHowTo)
	}
	var once sync.Once
	opts.OnDegraded = func(err error) {
		once.Do(func() { f.Warnf("%s", degradedWarning(source, err)) })
	}
	keySource := ""
	if opts.Keys != nil {
		keySource = spec.Source()
	}
	opts.OnForeignKey = func(error) { f.Warnf("%s", foreignKeyWarning(source, keySource)) }
	store, err := redisstore.New(ctx, opts)
	if err != nil {
		return nil, Usagef("%s: %w", source, err)
	}
	var waitOnce sync.Once
	onWait := func(w cache.WaitInfo) {
		waitOnce.Do(func() { f.Warnf("%s", leaseWaitLine(w)) })
	}
	tc, err := cache.New(app, cache.Options{Store: store, OnWait: onWait})
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return &TokenCache{Cache: tc, store: store}, nil
}

// leaseWaitLine is the line a run prints, once, when its token request
// waits for another process sharing the Redis to mint the same token (the
// store's lease, [cache.WaitInfo]): for how long at most, when the store
// says.
func leaseWaitLine(w cache.WaitInfo) string {
	if w.Max > 0 {
		return "another process is minting this token; waiting up to " + text.Wait(w.Max)
	}
	return "another process is minting this token; waiting for it"
}

// degradedWarning is the warning of a run whose Redis, named by source
// (--cache or TRIBE_CACHE_URL), failed with err, the store's report: what
// failed and how to fix it, in the command line's words. A refused password
// and TLS to a Redis without it say so, not that Redis is unreachable.
func degradedWarning(source string, err error) string {
	var reply redis.Error
	hasReply := errors.As(err, &reply)
	switch {
	case errors.Is(err, redisstore.ErrAuth) && hasReply && strings.HasPrefix(reply.Error(), "NOAUTH"):
		return fmt.Sprintf("warning: the Redis of %s asks for a password (%s) and that URL gives none, so this run mints on its own; put it in %s: redis://:PASSWORD@HOST:PORT, or redis://USER:PASSWORD@HOST:PORT for an ACL user", source, text.Clip(reply.Error()), source)
	case errors.Is(err, redisstore.ErrAuth):
		why := ""
		if hasReply {
			why = " (" + text.Clip(reply.Error()) + ")"
		}
		return fmt.Sprintf("warning: the Redis of %s refused the password in that URL%s, so this run mints on its own; check the user and password in %s", source, why, source)
	case errors.Is(err, redisstore.ErrNoTLS):
		return fmt.Sprintf("warning: the Redis of %s did not answer in TLS, so this run mints on its own; it may not speak TLS: for a plain-text Redis on loopback, use redis:// in %s", source, source)
	}
	msg := strings.TrimPrefix(err.Error(), "redisstore: carrying on without Redis: ")
	msg = strings.ReplaceAll(msg, "set Options.AllowInsecure", "pass --insecure-http")
	return fmt.Sprintf("warning: the Redis of %s is unreachable, so this run mints on its own: %s", source, msg)
}

// foreignKeyWarning is the warning of a run that found, in the Redis that
// source names, a token or message it cannot read because another process
// wrote it with other keys ([redisstore.ErrForeignKey]); keySource is where
// the run's key came from, "" if it has none
// (--cache-insecure-no-encryption).
func foreignKeyWarning(source, keySource string) string {
	if keySource == "" {
		return fmt.Sprintf("warning: the Redis of %s holds tokens encrypted with a key, and this run has --cache-insecure-no-encryption: another process writes to it with a TRIBE_CACHE_KEY, so tokens are minted anew until both use the same key", source)
	}
	mine := ""
	if keySource != "TRIBE_CACHE_KEY" {
		mine = " (this run's key is from " + keySource + ")"
	}
	return fmt.Sprintf("warning: the Redis of %s holds tokens this run cannot read: another process writes to it with a different TRIBE_CACHE_KEY, or none%s, so tokens are minted anew until the keys match", source, mine)
}

// checkCacheURL checks the cache's URL before it is used
// ([redisstore.CheckURL]) and makes its passwords secrets of the run. A
// refused URL is a usage error in the command line's words: it names where
// the URL came from (source) and --insecure-http, which lifts the rule for
// plain text to a host that is not loopback.
func (f *Factory) checkCacheURL(source, raw string, insecure bool) error {
	raw = strings.TrimSpace(raw)
	f.AddSecret(redisstore.URLPasswords(raw)...)
	err := redisstore.CheckURL(raw, insecure)
	ue, ok := errors.AsType[*redisstore.URLError](err)
	if !ok {
		return err
	}
	switch ue.Err {
	case redisstore.ErrURLSyntax:
		return Usagef("%s is not a URL; give redis://HOST:PORT, rediss://HOST:PORT or unix:///PATH", source)
	case redisstore.ErrURLNoHost:
		return Usagef("%s has no host; give redis://HOST:PORT or rediss://HOST:PORT", source)
	case redisstore.ErrClearText:
		return Usagef("%s is plain redis:// to %s, a host that is not loopback, so the Redis password and the tokens would travel in clear text; use rediss:// (TLS), or pass --insecure-http if you really mean it", source, text.Clip(ue.Host))
	case redisstore.ErrURLNoPath:
		return Usagef("%s has no socket path; give unix:///PATH/TO/redis.sock", source)
	}
	return Usagef("%s is not a Redis URL (the scheme is not redis, rediss or unix); give redis://HOST:PORT, rediss://HOST:PORT or unix:///PATH", source)
}

// RateLimitWindow is how long a call the API rate-limited without a
// Retry-After waits before it is sent again: tribe.RateLimitWindow, unless
// a test shortened it.
func (f *Factory) RateLimitWindow() time.Duration {
	if f.RateLimitWait > 0 {
		return f.RateLimitWait
	}
	return tribe.RateLimitWindow
}
