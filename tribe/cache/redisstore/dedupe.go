package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tribekit/tribekit/internal/invalid"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// Dedupe is a [webhook.Dedupe] in Redis: give the same one (or one on the
// same Redis and prefix) to the webhook.Handler of every process of a
// fleet, and the fleet processes each of Tribe's deliveries once, however
// many processes it reaches. A claim is SET Prefix:webhook:KEY NX PX ttl,
// a release DEL. It is safe for concurrent use.
//
//	d, err := redisstore.NewDedupe(store.Client(), redisstore.DedupeOptions{})
//	h := &webhook.Handler{Verifier: v, Dedupe: d, ...}
//
// When Redis fails, Claim returns the error and the handler processes the
// delivery all the same (Tribe delivers at least once, so the app copes
// with a duplicate more easily than with a lost event).
type Dedupe struct {
	client    redis.UniversalClient
	prefix    string
	opTimeout time.Duration
}

var _ webhook.Dedupe = (*Dedupe)(nil)

// DedupeOptions are the settings of a [Dedupe].
type DedupeOptions struct {
	// Prefix begins every key (empty: DefaultPrefix); processes that
	// share deliveries must share it.
	Prefix string
	// OpTimeout bounds each Redis operation (0: DefaultOpTimeout).
	OpTimeout time.Duration
}

// NewDedupe returns a [Dedupe] on client (for example a Store's, from
// [Store.Client], or one from [NewClient]), which it does not close. A nil
// client or a negative timeout is refused with [tribe.ErrInvalidInput].
func NewDedupe(client redis.UniversalClient, opts DedupeOptions) (*Dedupe, error) {
	if client == nil {
		return nil, invalid.Errorf("redisstore", tribe.ErrInvalidInput, "NewDedupe's client is nil; give a Redis client, such as a Store's Client() or one from NewClient")
	}
	if opts.OpTimeout < 0 {
		return nil, invalid.Errorf("redisstore", tribe.ErrInvalidInput, "DedupeOptions.OpTimeout %s is negative; give 0 for the default or a positive duration", opts.OpTimeout)
	}
	d := &Dedupe{client: client, prefix: opts.Prefix, opTimeout: opts.OpTimeout}
	if d.prefix == "" {
		d.prefix = DefaultPrefix
	}
	if d.opTimeout == 0 {
		d.opTimeout = DefaultOpTimeout
	}
	return d, nil
}

// Key returns the Redis key of a delivery's key.
func (d *Dedupe) Key(key string) string { return d.prefix + ":webhook:" + key }

// Claim implements [webhook.Dedupe]: SET NX with ttl (0 or less:
// webhook.DefaultDedupeTTL).
func (d *Dedupe) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = webhook.DefaultDedupeTTL
	}
	ctx, cancel := context.WithTimeout(ctx, d.opTimeout)
	defer cancel()
	ok, err := d.client.SetNX(ctx, d.Key(key), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: claiming a webhook delivery: %w", err)
	}
	return ok, nil
}

// Release implements [webhook.Dedupe]: DEL.
func (d *Dedupe) Release(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, d.opTimeout)
	defer cancel()
	if err := d.client.Del(ctx, d.Key(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: releasing a webhook delivery: %w", err)
	}
	return nil
}

// String describes the dedupe without the client's credentials.
func (d *Dedupe) String() string { return fmt.Sprintf("redisstore.Dedupe{Prefix: %q}", d.prefix) }

// GoString is String.
func (d *Dedupe) GoString() string { return d.String() }
