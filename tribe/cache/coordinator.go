package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// Coordinator is what a [Store] shared by many processes may also do, so
// that a fleet of caches mints once per identity and drops a refused token
// together. [New] checks once whether its Store is one; a plain Store (and
// [MemoryStore]) works as before. The Redis store (package
// tribe/cache/redisstore) is one.
//
// With a Coordinator, a cache that finds no usable token in its own memory
// nor in the Store takes the identity's Lease before it mints, and stores
// its token through the lease ([Lease.Put]); the other processes Wait for
// the holder to store the token, then read it from the Store
// ([Options].OnWait reports each wait; a Coordinator that is also a
// [MaxWaiter] tells how long it may last). Errors of the
// Coordinator never fail a token request: the cache then mints on its own,
// and so it does after waiting for a few leases in a row.
type Coordinator interface {
	Store
	// Lease tries to take, for a short while, the right to mint the token
	// stored at key. It returns the lease when taken, nil and no error when
	// another process holds it, and an error when it cannot tell.
	Lease(ctx context.Context, key string) (Lease, error)
	// Wait returns when the lease on key is released or has lapsed (the
	// token is then in the Store, or the lease is free to take), with a
	// [*PeerError] when its holder reported that its mint failed, or with
	// an error when ctx ends or the Coordinator cannot tell. It must return
	// within a bounded time even when the lease stays held (by a process
	// that hangs, or by someone who can write to the Coordinator's storage
	// and plants leases): an error then makes the cache mint on its own.
	// Only the lease's holder may report a failure: a Coordinator shared
	// with parties that are not trusted must authenticate its messages.
	Wait(ctx context.Context, key string) error
	// Invalidate removes the token at key if it is tok (any token, if tok
	// is nil) and tells every cache subscribed to the Coordinator, in
	// every process, to drop its copy.
	Invalidate(ctx context.Context, key string, tok *oauth2.Token) error
	// Subscribe calls fn with the key and the [Fingerprint] of every token
	// invalidated by any cache sharing the Coordinator (fingerprint ""
	// means any token at key), until stop is called. fn must not block.
	Subscribe(fn func(key, fingerprint string)) (stop func())
}

// Lease is a [Coordinator]'s lease on one identity's mint.
type Lease interface {
	// Put stores tok at the lease's key, as [Store.Put] does, if the lease
	// is still held (fenced by the lease: a holder whose lease lapsed while
	// it minted must not overwrite a newer token stored by the process that
	// took the lease after it), else it returns an error and stores nothing.
	Put(ctx context.Context, tok *oauth2.Token) error
	// Release gives the lease up and wakes its waiters. mintErr is nil
	// when a token was stored (or none was minted), else the mint's error,
	// which the waiters get as a [*PeerError] of its [ErrorKind].
	Release(ctx context.Context, mintErr error)
}

// Fingerprint names an access token without revealing it: the first 8
// bytes of its SHA-256, in hex. It is what a [Coordinator] publishes when a
// token is invalidated.
func Fingerprint(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:8])
}

// Kinds of mint failure a [PeerError] carries ([ErrorKind]).
const (
	KindForbidden        = "forbidden"
	KindNotFound         = "not_found"
	KindUnauthorized     = "unauthorized"
	KindInvalidInput     = "invalid_input"
	KindUntrustedGateway = "untrusted_gateway"
	KindInvalidToken     = "invalid_token"
	KindOther            = "other"
)

// kindNames are the kinds that match a tribe sentinel ([sentinelOf]).
const kindNames = KindForbidden + " " + KindNotFound + " " + KindUnauthorized + " " + KindInvalidInput + " " + KindUntrustedGateway + " " + KindInvalidToken

// sentinelOf returns the tribe sentinel a kind matches, or nil.
func sentinelOf(kind string) error {
	switch kind {
	case KindForbidden:
		return tribe.ErrForbidden
	case KindNotFound:
		return tribe.ErrNotFound
	case KindUnauthorized:
		return tribe.ErrUnauthorized
	case KindInvalidInput:
		return tribe.ErrInvalidInput
	case KindUntrustedGateway:
		return tribe.ErrUntrustedGateway
	case KindInvalidToken:
		return tribe.ErrInvalidToken
	}
	return nil
}

// ErrorKind returns the kind of a mint error, as a [PeerError] carries it
// to other processes: the tribe sentinel it matches, or [KindOther].
func ErrorKind(err error) string {
	for _, kind := range strings.Fields(kindNames) {
		if errors.Is(err, sentinelOf(kind)) {
			return kind
		}
	}
	return KindOther
}

// PeerError: another process sharing the [Coordinator] minted the token
// this cache waited for, and failed. errors.Is matches it against the tribe
// sentinel of its Kind (for instance [tribe.ErrForbidden]). The waiters get
// it instead of minting again at once, so a failing mint is not repeated by
// every process; the next request after it mints anew.
type PeerError struct {
	Kind string // one of the Kind constants; other text is reported as KindOther
}

func (e *PeerError) Error() string {
	kind := KindOther
	if sentinelOf(e.Kind) != nil {
		kind = e.Kind
	}
	return "cache: another process's mint failed (" + kind + ")"
}

// Is matches the tribe sentinel of the error's kind.
func (e *PeerError) Is(target error) bool {
	s := sentinelOf(e.Kind)
	return s != nil && target == s
}

// fetchShared is fetch for a store that is a Coordinator: one mint for the
// fleet, the others wait for the holder and read its token from the store.
// After waiting for maxLeaseRounds leases in a row with no token stored,
// it mints here.
func (c *Cache) fetchShared(ctx context.Context, e *entry, key string) (*oauth2.Token, error) {
	for round := 0; ; round++ {
		if tok := c.fromStore(ctx, key); tok != nil {
			return tok, nil
		}
		if round == maxLeaseRounds {
			return c.mint(ctx, e, key)
		}
		lease, err := c.coord.Lease(ctx, key)
		if err != nil {
			return c.mint(ctx, e, key) // the coordinator cannot tell: mint here
		}
		if lease != nil {
			// The holder before us may have stored its token between our
			// look and our lease.
			tok := c.fromStore(ctx, key)
			if tok == nil {
				// Stored through the lease, not by mint: fenced.
				if tok, err = c.mint(ctx, e, ""); err == nil {
					_ = lease.Put(ctx, tok)
				}
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			lease.Release(rctx, peerFailure(err))
			cancel()
			return tok, err
		}
		c.reportWait(e, key)
		if err := c.coord.Wait(ctx, key); err != nil {
			if pe := (*PeerError)(nil); errors.As(err, &pe) {
				return nil, fmt.Errorf("cache: minting a token for %s: %w", e.id, pe)
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("cache: waiting for another process's token for %s: %w", e.id, ctx.Err())
			}
			return c.mint(ctx, e, key) // the coordinator failed while we waited
		}
	}
}

// releaseTimeout bounds a lease's release, which runs even when the mint's
// context has ended.
const releaseTimeout = 5 * time.Second

// maxLeaseRounds is how many leases in a row a cache waits for before it
// mints on its own: each round normally ends with the holder's token in the
// store, so more rounds mean holders that store nothing.
const maxLeaseRounds = 3

// peerFailure is what a lease holder tells its waiters of its mint's
// error: nil for success and for a mint cut short here (closing, its
// timeout), which are no failure of the identity: the waiters then take the
// lease themselves.
func peerFailure(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrClosed) {
		return nil
	}
	return err
}

// onInvalidated drops the cached token at key if its fingerprint is fp
// (any token, if fp is empty): another cache sharing the Coordinator had it
// refused.
func (c *Cache) onInvalidated(key, fp string) {
	id, ok := parseStoreKey(c.ns, key)
	if !ok {
		return
	}
	c.drop(id, func(tok *oauth2.Token) bool { return fp == "" || Fingerprint(tok.AccessToken) == fp })
}

// parseStoreKey returns the identity of a [StoreKey] made with namespace
// ns, or false when key is not one.
func parseStoreKey(ns, key string) (tribe.Identity, bool) {
	prefix := storeKeyPrefix + "|" + ns + "|"
	if !strings.HasPrefix(key, prefix) {
		return tribe.Identity{}, false
	}
	parts := strings.Split(key[len(prefix):], "|")
	if len(parts) != 4 {
		return tribe.Identity{}, false
	}
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			return tribe.Identity{}, false
		}
		parts[i] = u
	}
	return tribe.Identity{NetworkID: parts[0], Context: tribe.PermissionContext(parts[1]), EntityID: parts[2], MemberID: parts[3]}, true
}
