package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/cache"
)

// MaxLeaseTTL is the longest Options.LeaseTTL: a lease that would outlive
// it is none a store of this package took.
const MaxLeaseTTL = time.Minute

// leaseWaits is how many lease TTLs a waiter waits for one lease before it
// gives up on it ([ErrLeaseStuck]) and its cache mints on its own.
const leaseWaits = 3

// ErrLeaseStuck: the lease on an identity has no expiry, one longer than
// [MaxLeaseTTL], or has been held for longer than a mint takes (three
// lease TTLs): it is not a live process's, or no longer worth waiting for.
// The waiter's cache mints on its own.
var ErrLeaseStuck = errors.New("redisstore: the lease on this identity is held for too long; minting here instead")

// ErrLeaseLost: a lease's holder stored no token, because the lease lapsed
// (and may have been taken by another process, whose token must not be
// overwritten) before it was stored.
var ErrLeaseLost = errors.New("redisstore: the lease lapsed before its token was stored; the token is not stored")

// lease is a held lease on one identity's mint.
type lease struct {
	s     *Store
	key   string // the cache's store key
	rkey  string // the lease's Redis key
	fence string
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// Lease implements [cache.Coordinator]: SET NX PX with a random fencing
// value, renewed every third of the lease TTL while held.
func (s *Store) Lease(ctx context.Context, key string) (cache.Lease, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	l := &lease{s: s, key: key, rkey: s.redisKey(key, "lease"), fence: hex.EncodeToString(b[:]), stop: make(chan struct{}), done: make(chan struct{})}
	var ok bool
	err := s.do(ctx, func(ctx context.Context) (err error) {
		ok, err = s.client.SetNX(ctx, l.rkey, l.fence, s.leaseTTL).Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go l.renew()
	return l, nil
}

// renew extends the lease while it is held.
func (l *lease) renew() {
	defer l.s.wg.Done()
	defer close(l.done)
	t := time.NewTicker(l.s.leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-l.s.ctx.Done():
			return
		case <-t.C:
			_ = l.s.do(l.s.ctx, func(ctx context.Context) error {
				return l.s.scripts.renew.Run(ctx, l.s.client, []string{l.rkey}, l.fence, l.s.leaseTTL.Milliseconds()).Err()
			})
		}
	}
}

// Put implements [cache.Lease]: tok is stored, as [Store.Put] stores it,
// only while the lease is still this one (a check of its fencing value and
// the SET in one Lua script), else [ErrLeaseLost]. A holder whose lease
// lapsed while it minted cannot overwrite the token of the process that
// took the lease after it.
func (l *lease) Put(ctx context.Context, tok *oauth2.Token) error {
	rkey, v, ttl, err := l.s.sealed(l.key, tok)
	if err != nil || v == nil {
		return err
	}
	var stored int64
	err = l.s.do(ctx, func(ctx context.Context) (err error) {
		stored, err = l.s.scripts.put.Run(ctx, l.s.client, []string{l.rkey, rkey}, l.fence, v, ttl.Milliseconds()).Int64()
		return err
	})
	if err != nil {
		return err
	}
	if stored == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Release implements [cache.Lease]: compare-and-delete of the lease, and a
// message naming the lease's fencing value that wakes its waiters (with the
// mint's error kind, if it failed).
func (l *lease) Release(ctx context.Context, mintErr error) {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		m := message{kind: msgReleased, key: l.key, fence: l.fence}
		if mintErr != nil {
			m.kind, m.failure = msgFailed, cache.ErrorKind(mintErr)
		}
		msg, err := l.s.sealMessage(m)
		if err != nil {
			return
		}
		_ = l.s.do(ctx, func(ctx context.Context) error {
			return l.s.scripts.release.Run(ctx, l.s.client, []string{l.rkey}, l.fence, l.s.channel, msg).Err()
		})
	})
}

// Wait implements [cache.Coordinator]. It reads the lease's fencing value,
// then returns when a message of that lease's holder comes (one naming
// another value, or none, is ignored: forged, replayed or another lease's),
// or when a check (every half lease TTL) finds the lease gone or taken
// anew. It gives up with [ErrLeaseStuck] on a lease with no expiry or one
// longer than [MaxLeaseTTL], at once, and on any lease after three lease
// TTLs ([Store.MaxWait]): the cache then mints on its own.
func (s *Store) Wait(ctx context.Context, key string) error {
	w := make(chan message, 4)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	ws := s.waiters[key]
	if ws == nil {
		ws = make(map[chan message]struct{})
		s.waiters[key] = ws
	}
	ws[w] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(ws, w)
		if len(ws) == 0 && s.waiters[key] != nil && len(s.waiters[key]) == 0 {
			delete(s.waiters, key)
		}
		s.mu.Unlock()
	}()

	// Every Redis operation of the wait is bounded by MaxWait too, so that
	// none outlasts it.
	stuck := fmt.Errorf("%w (waited %s, %d lease TTLs)", ErrLeaseStuck, s.MaxWait(), leaseWaits)
	wctx, cancel := context.WithTimeoutCause(ctx, s.MaxWait(), stuck)
	defer cancel()
	rkey := s.redisKey(key, "lease")
	fence, err := s.lookLease(wctx, rkey)
	if err != nil || fence == "" {
		return waitEnd(ctx, wctx, err)
	}
	t := time.NewTicker(s.leaseTTL / 2)
	defer t.Stop()
	for {
		select {
		case m := <-w:
			switch {
			case m.fence != fence:
			case m.kind == msgFailed:
				return &cache.PeerError{Kind: m.failure}
			default:
				return nil
			}
		case <-t.C:
			if now, err := s.lookLease(wctx, rkey); err != nil || now != fence {
				return waitEnd(ctx, wctx, err)
			}
		case <-wctx.Done():
			return waitEnd(ctx, wctx, wctx.Err())
		case <-s.ctx.Done():
			return ErrClosed
		}
	}
}

// MaxWait implements [cache.MaxWaiter]: one Wait lasts at most three
// lease TTLs (Options.LeaseTTL), Redis operations included.
func (s *Store) MaxWait() time.Duration { return leaseWaits * s.leaseTTL }

// waitEnd returns what a Wait whose own context is wctx, made from the
// caller's ctx, returns for err: the caller's context error when ctx has
// ended, [ErrLeaseStuck] when wctx reached [Store.MaxWait], else err.
func waitEnd(ctx, wctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("redisstore: %w", ctx.Err())
	case wctx.Err() != nil:
		return context.Cause(wctx)
	}
	return err
}

// lookLease returns the fencing value of the lease at rkey, "" when there
// is none, and [ErrLeaseStuck] for one that no store of this package took:
// without an expiry, or with one longer than [MaxLeaseTTL].
func (s *Store) lookLease(ctx context.Context, rkey string) (string, error) {
	var got []any
	err := s.do(ctx, func(ctx context.Context) (err error) {
		got, err = s.scripts.look.Run(ctx, s.client, []string{rkey}).Slice()
		return err
	})
	if err != nil {
		return "", err
	}
	if len(got) != 2 {
		return "", nil
	}
	fence, _ := got[0].(string)
	pttl, _ := got[1].(int64)
	if pttl < 0 || time.Duration(pttl)*time.Millisecond > MaxLeaseTTL {
		return "", fmt.Errorf("%w (it has no expiry, or one past %s: no process of this package took it)", ErrLeaseStuck, MaxLeaseTTL)
	}
	if fence == "" {
		fence = "\x00empty" // a lease of no value is still held
	}
	return fence, nil
}
