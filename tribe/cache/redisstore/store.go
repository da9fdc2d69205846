package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
)

// Defaults of a [Store].
const (
	// DefaultPrefix begins every Redis key and the channel of a store.
	DefaultPrefix = "tribekit:v1"
	// DefaultOpTimeout bounds each Redis operation.
	DefaultOpTimeout = 200 * time.Millisecond
	// DefaultLeaseTTL is how long a mint's lease lasts unless its holder
	// renews it (it does, every third of it, while it mints): the longest
	// the fleet waits for a holder that died.
	DefaultLeaseTTL = 5 * time.Second
	// DefaultProbeInterval: while Redis is unreachable, the store checks
	// this often whether it is back.
	DefaultProbeInterval = time.Second

	// maxMessage bounds a pub/sub message the store reads.
	maxMessage = 4 << 10
)

// ErrDegraded: Redis failed recently, so the store does not try it again
// until a probe finds it back; the cache carries on without it.
var ErrDegraded = errors.New("redisstore: Redis is unreachable; carrying on without it")

// ErrClosed: the store was closed.
var ErrClosed = errors.New("redisstore: closed")

// Options are the settings of a [Store].
type Options struct {
	// URL is where Redis is (see [NewClient] for the forms: standalone,
	// Sentinel, Cluster; redis:// or rediss:// for TLS). Give URL or
	// Client.
	URL string
	// Client is a Redis client made by the caller, used instead of URL;
	// the store does not close it.
	Client redis.UniversalClient
	// Keys encrypt the tokens kept in Redis (AES-256-GCM; each 32 bytes,
	// see [ParseKeys]): the first encrypts, all decrypt. Required unless
	// InsecureNoEncryption is set.
	Keys [][]byte
	// InsecureNoEncryption keeps tokens in Redis unencrypted, where anyone
	// who can read Redis can use them. Only for tests and for Redis that
	// is as private as the tokens.
	InsecureNoEncryption bool
	// AllowInsecure lets a client made from URL speak plain redis:// (no
	// TLS) to hosts that are not loopback: the URL's, and those a Sentinel
	// or Cluster names. Without it each is refused ([ErrClearText]), as the
	// Redis password and the tokens would cross the network in clear text.
	// Only for a private network.
	AllowInsecure bool
	// Prefix begins every key and the channel of the store (empty:
	// DefaultPrefix). Stores that share tokens must share it.
	Prefix string
	// Margin: a token is kept in Redis until its Expiry minus Margin (0:
	// cache.DefaultMargin), as a cache with the same margin hands it out.
	Margin time.Duration
	// OpTimeout bounds each Redis operation (0: 200 ms).
	OpTimeout time.Duration
	// LeaseTTL is how long a mint's lease lasts without renewal (0: 5 s;
	// at most MaxLeaseTTL). Another process waits for one lease at most
	// three times as long, then mints on its own.
	LeaseTTL time.Duration
	// ProbeInterval: while Redis is unreachable, how often the store
	// checks whether it is back (0: 1 s).
	ProbeInterval time.Duration
	// OnDegraded, if set, is called when Redis fails after working (or at
	// the start): the store then carries on without it. It must not block.
	OnDegraded func(err error)
	// OnRecovered, if set, is called when Redis is back after OnDegraded.
	// It must not block.
	OnRecovered func()
	// OnForeignKey, if set, is called once, the first time the store finds
	// a token or a channel message in Redis that another process wrote
	// with other keys ([ErrForeignKey]: sealed under a key id the store
	// does not hold, or unencrypted while it has keys, or sealed while it
	// has none). The two share Redis but not their tokens: each mints anew
	// until the keys match. err names the key ids, never a key. It must
	// not block.
	OnForeignKey func(err error)
}

// Store is a [cache.Store] and [cache.Coordinator] in Redis: give it as
// cache.Options.Store to every process's cache. It is safe for concurrent
// use. Close it after the caches that use it.
type Store struct {
	client      redis.UniversalClient
	owned       bool
	seal        *sealer
	prefix      string
	channel     string
	margin      time.Duration
	opTimeout   time.Duration
	leaseTTL    time.Duration
	probe       time.Duration
	onDegraded  func(error)
	onRecovered func()
	onForeign   func(error)
	where       string   // the scheme and hosts, for String
	secrets     []string // the URL's passwords, kept out of reports
	scripts     scripts
	gateways    gateways // template tokens by gateway URL, for Get

	degraded    atomic.Bool
	foreignSeen atomic.Bool     // OnForeignKey was called
	ctx         context.Context // done on Close
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	pubsub      *redis.PubSub

	mu      sync.Mutex
	waiters map[string]map[chan message]struct{} // store key → waiters
	subs    map[int]func(key, fp string)
	nextSub int
	closed  bool
}

var (
	_ cache.Store       = (*Store)(nil)
	_ cache.Coordinator = (*Store)(nil)
)

// Open connects to the Redis at rawURL ([NewClient]) with the default
// options, encrypting tokens under keys (see [ParseKeys]; the first
// encrypts). It does not fail when Redis is unreachable: the store starts
// degraded and recovers when Redis answers.
func Open(ctx context.Context, rawURL string, keys ...[]byte) (*Store, error) {
	return New(ctx, Options{URL: rawURL, Keys: keys})
}

// New returns a store with the given options. Bad options are refused with
// [tribe.ErrInvalidInput]. ctx bounds the first contact with Redis, which
// may fail: the store then starts degraded.
func New(ctx context.Context, opts Options) (*Store, error) {
	return newStore(ctx, opts, clientConfig{})
}

// newStore is [New], with how a client made from opts.URL connects.
func newStore(ctx context.Context, opts Options, cfg clientConfig) (*Store, error) {
	switch {
	case opts.URL == "" && opts.Client == nil:
		return nil, invalidf("Options.URL is empty; give the Redis URL, such as redis://localhost:6379 (or an Options.Client)")
	case opts.URL != "" && opts.Client != nil:
		return nil, invalidf("Options.URL and Options.Client are both set; give one or the other")
	case opts.OpTimeout < 0 || opts.LeaseTTL < 0 || opts.ProbeInterval < 0 || opts.Margin < 0:
		return nil, invalidf("a duration of Options is negative (OpTimeout %s, LeaseTTL %s, ProbeInterval %s, Margin %s); give 0 for the default or a positive duration", opts.OpTimeout, opts.LeaseTTL, opts.ProbeInterval, opts.Margin)
	case opts.LeaseTTL > 0 && opts.LeaseTTL < 100*time.Millisecond:
		return nil, invalidf("Options.LeaseTTL %s is too short to mint in; give 100ms or more (0: %s)", opts.LeaseTTL, DefaultLeaseTTL)
	case opts.LeaseTTL > MaxLeaseTTL:
		return nil, invalidf("Options.LeaseTTL %s is longer than a lease may be; give %s or less (0: %s)", opts.LeaseTTL, MaxLeaseTTL, DefaultLeaseTTL)
	}
	seal, err := newSealer(opts.Keys, opts.InsecureNoEncryption)
	if err != nil {
		return nil, err
	}
	s := &Store{
		seal: seal, prefix: opts.Prefix, margin: opts.Margin, opTimeout: opts.OpTimeout,
		leaseTTL: opts.LeaseTTL, probe: opts.ProbeInterval,
		onDegraded: opts.OnDegraded, onRecovered: opts.OnRecovered, onForeign: opts.OnForeignKey,
		waiters: make(map[string]map[chan message]struct{}), subs: make(map[int]func(string, string)),
		scripts: newScripts(),
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.margin == 0 {
		s.margin = cache.DefaultMargin
	}
	if s.opTimeout == 0 && opts.Client == nil {
		s.opTimeout = urlOpTimeout(opts.URL)
	}
	if s.opTimeout == 0 {
		s.opTimeout = DefaultOpTimeout
	}
	if s.leaseTTL == 0 {
		s.leaseTTL = DefaultLeaseTTL
	}
	if s.probe == 0 {
		s.probe = DefaultProbeInterval
	}
	s.channel = s.prefix + ":events"
	if opts.Client != nil {
		s.client, s.where = opts.Client, "client"
	} else {
		cfg.opTimeout, cfg.insecure = s.opTimeout, opts.AllowInsecure
		if s.client, err = newClient(opts.URL, cfg); err != nil {
			return nil, err
		}
		s.owned, s.where, s.secrets = true, describe(opts.URL), URLPasswords(opts.URL)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	// Subscribe before anyone waits, and wait for the subscription (or
	// for the first failure: go-redis resubscribes on its own).
	s.pubsub = s.client.Subscribe(s.ctx, s.channel)
	sctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	_, err = s.pubsub.Receive(sctx)
	cancel()
	if err != nil {
		s.down(ctx, err)
	}
	ch := s.pubsub.Channel(redis.WithChannelSize(1024))
	s.wg.Add(1)
	go s.dispatch(ch)
	return s, nil
}

// invalidf returns an invalid-input error, "redisstore: <what is wrong>;
// <how to fix it>", matching [tribe.ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("redisstore", tribe.ErrInvalidInput, format, args...)
}

// Close ends the store's subscription and background work, and closes the
// client it made. Caches using it must be closed first. Close is
// idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	err := s.pubsub.Close()
	s.wg.Wait()
	if s.owned {
		if cerr := s.client.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("redisstore: closing: %w", err)
	}
	return nil
}

// String describes the store without secrets: where Redis is and whether
// tokens are encrypted.
func (s *Store) String() string {
	return fmt.Sprintf("redisstore.Store{Redis: %s, Encrypted: %t, Degraded: %t}", s.where, len(s.seal.aeads) > 0, s.degraded.Load())
}

// GoString is String.
func (s *Store) GoString() string { return s.String() }

// Degraded reports whether the store is carrying on without Redis.
func (s *Store) Degraded() bool { return s.degraded.Load() }

// Client returns the store's Redis client.
func (s *Store) Client() redis.UniversalClient { return s.client }

// RedisKey returns the Redis key of the token stored at key (a
// [cache.StoreKey]): Prefix:{hash}:tok. The hash tag puts an identity's
// token and lease in one cluster slot; the hash keeps ids out of key names.
func (s *Store) RedisKey(key string) string { return s.redisKey(key, "tok") }

func (s *Store) redisKey(key, kind string) string {
	return string(s.appendRedisKey(make([]byte, 0, s.redisKeyLen()), key, kind))
}

// appendRedisKey appends the Redis key of key's kind (tok or lease) to dst.
func (s *Store) appendRedisKey(dst []byte, key, kind string) []byte {
	var sum [sha256.Size]byte
	var buf [256]byte
	if len(key) <= len(buf) { // hashed without a copy on the heap
		sum = sha256.Sum256(buf[:copy(buf[:], key)])
	} else {
		sum = sha256.Sum256([]byte(key))
	}
	dst = append(append(dst, s.prefix...), ":{"...)
	dst = hex.AppendEncode(dst, sum[:12])
	return append(append(dst, "}:"...), kind...)
}

// redisKeyLen is the length of a Redis key of the store, "lease" the
// longer kind.
func (s *Store) redisKeyLen() int { return len(s.prefix) + len(":{}:lease") + 24 }

// do runs one Redis operation within the operation timeout, unless the
// store is degraded. A failure that is Redis's (not redis.Nil, not the
// caller's context ending, not a refusal of one key's value: [keyError])
// degrades the store.
func (s *Store) do(ctx context.Context, op func(ctx context.Context) error) error {
	if s.degraded.Load() {
		return ErrDegraded
	}
	var err error
	if s.owned {
		err = op(&opContext{Context: ctx, deadline: time.Now().Add(s.opTimeout)})
	} else {
		octx, cancel := context.WithTimeout(ctx, s.opTimeout)
		err = op(octx)
		cancel()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		if ctx.Err() != nil {
			return fmt.Errorf("redisstore: %w", ctx.Err())
		}
		if !keyError(err) {
			s.down(ctx, err)
		}
		return fmt.Errorf("redisstore: %w", err)
	}
	return err
}

// opContext is the context of one operation of a client the store made
// (newClient): its Deadline, the operation's timeout from its start (or the
// parent's, if sooner), bounds each dial, read and write go-redis makes for
// it (the client has ContextTimeoutEnabled), and a wait for a connection is
// bounded by the client's PoolTimeout, the same timeout. So it needs
// neither the timer nor the channel of context.WithTimeout, which cost a
// Get a third of its allocations. Its Done and Err are its parent's: past
// the deadline, go-redis's reads and writes fail at once.
type opContext struct {
	context.Context
	deadline time.Time
}

// Deadline returns the operation's deadline, or the parent's if sooner.
func (c *opContext) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// keyError reports whether err is Redis refusing an operation on the value
// of one key (WRONGTYPE: someone who can write to Redis put a hash or a
// list there), which says nothing of Redis itself.
func keyError(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "WRONGTYPE ")
}

// down marks the store degraded, tells OnDegraded and starts probing.
func (s *Store) down(_ context.Context, err error) {
	if !s.degraded.CompareAndSwap(false, true) {
		return
	}
	if s.onDegraded != nil {
		s.onDegraded(s.report(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go s.probeUntilBack()
}

// probeUntilBack pings Redis every probe interval until it answers.
func (s *Store) probeUntilBack() {
	defer s.wg.Done()
	t := time.NewTicker(s.probe)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.opTimeout)
		err := s.client.Ping(ctx).Err()
		cancel()
		if err == nil {
			s.degraded.Store(false)
			if s.onRecovered != nil {
				s.onRecovered()
			}
			return
		}
	}
}

// Get implements [cache.Store]. A value it cannot read (corrupt, sealed
// under a key it lacks, copied from another key, longer than a token can
// be, or not a string at all) is a miss of its key alone: the next Put
// overwrites it. The first written with other keys is reported to
// Options.OnForeignKey.
func (s *Store) Get(ctx context.Context, key string) (*oauth2.Token, error) {
	rkey := s.appendRedisKey(make([]byte, 0, s.redisKeyLen()), key, "tok")
	v, err := s.value(ctx, rkey)
	if err != nil || v == nil {
		return nil, err
	}
	r, err := s.seal.openRecord(rkey, v, true)
	if err != nil {
		if err == errForeignKey {
			s.foreign("token", v)
		}
		return nil, nil
	}
	return s.gateways.token(r), nil
}

// value reads the value at rkey, at most maxValue bytes of it (GETRANGE):
// nil when there is none, and when it cannot be a token's (longer, or not
// a string). The value is the caller's to change.
func (s *Store) value(ctx context.Context, rkey []byte) ([]byte, error) {
	// The command is made here rather than by GetRange, whose int64
	// arguments would each be an allocation.
	cmd := redis.NewStringCmd(ctx, "getrange", rkey, 0, maxValue)
	err := s.do(ctx, func(ctx context.Context) error {
		return s.client.Process(ctx, cmd)
	})
	if err != nil {
		if errors.Is(err, redis.Nil) || keyError(err) {
			return nil, nil
		}
		return nil, err
	}
	v, err := cmd.Bytes()
	if err != nil || len(v) == 0 || len(v) > maxValue {
		return nil, nil
	}
	return v, nil
}

// Put implements [cache.Store]: the token is kept until its expiry minus
// the margin (half its remaining life, when that is shorter).
func (s *Store) Put(ctx context.Context, key string, tok *oauth2.Token) error {
	rkey, v, ttl, err := s.sealed(key, tok)
	if err != nil || v == nil {
		return err
	}
	return s.do(ctx, func(ctx context.Context) error { return s.client.Set(ctx, rkey, v, ttl).Err() })
}

// sealed returns the Redis key, value and time to live of tok stored at
// key: no value for a token not worth storing (empty, or about to expire).
func (s *Store) sealed(key string, tok *oauth2.Token) (rkey string, v []byte, ttl time.Duration, err error) {
	if tok == nil || tok.AccessToken == "" {
		return "", nil, 0, nil
	}
	exp := tok.Expiry
	if exp.IsZero() {
		exp = tribe.JWTExpiry(tok.AccessToken)
	}
	if exp.IsZero() {
		exp = time.Now().Add(tribe.UnknownTokenLifetime)
	}
	left := time.Until(exp)
	ttl = max(left-s.margin, left/2)
	if ttl < time.Millisecond {
		return "", nil, 0, nil
	}
	rkey = s.RedisKey(key)
	v, err = s.seal.seal(rkey, tok)
	return rkey, v, ttl, err
}

// Delete implements [cache.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.do(ctx, func(ctx context.Context) error { return s.client.Del(ctx, s.RedisKey(key)).Err() })
}

// Invalidate implements [cache.Coordinator]: the token at key is deleted
// if it is tok (compare-and-delete on the stored value), and every store
// subscribed to the channel hears of it.
func (s *Store) Invalidate(ctx context.Context, key string, tok *oauth2.Token) error {
	rkey := s.RedisKey(key)
	m := message{kind: msgInvalidated, key: key}
	expect := ""
	if tok != nil {
		m.fingerprint = cache.Fingerprint(tok.AccessToken)
		expect = "\x00none" // delete nothing unless the stored value is tok
		v, err := s.value(ctx, []byte(rkey))
		if err != nil {
			return err
		}
		if stored, _ := s.seal.open(rkey, v); stored != nil && stored.AccessToken == tok.AccessToken {
			expect = string(v)
		}
	}
	msg, err := s.sealMessage(m)
	if err != nil {
		return err
	}
	return s.do(ctx, func(ctx context.Context) error {
		return s.scripts.invalidate.Run(ctx, s.client, []string{rkey}, expect, s.channel, msg).Err()
	})
}

// scripts are the store's Lua scripts: each touches keys of one identity
// (one slot), and reads them with pcall, so that a value of another type
// (WRONGTYPE) is no value of theirs rather than an error.
type scripts struct {
	look, put, release, renew, invalidate *redis.Script
}

func newScripts() scripts {
	return scripts{
		// look: KEYS[1] the lease; its value and PTTL, or nothing.
		look: redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return {} end
return {v, redis.call('PTTL', KEYS[1])}`),
		// put: KEYS[1] the lease, KEYS[2] the token; ARGV fence, value,
		// ttl in ms. 1 if stored, 0 if the lease is not the fence's.
		put: redis.NewScript(`
if redis.pcall('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1`),
		// release: KEYS[1] the lease; ARGV fence, channel, message.
		release: redis.NewScript(`
if redis.pcall('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`),
		// renew: KEYS[1] the lease; ARGV fence, ttl in ms.
		renew: redis.NewScript(`
if redis.pcall('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`),
		// invalidate: KEYS[1] the token; ARGV the value to delete ("":
		// any), channel, message.
		invalidate: redis.NewScript(`
if ARGV[1] == '' or redis.pcall('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`),
	}
}
