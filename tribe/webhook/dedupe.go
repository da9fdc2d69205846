package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
)

// Dedupe remembers which deliveries were processed, so that a retried one
// is not processed again: Tribe delivers at least once
// (https://developers.bettermode.com/docs/guide/webhooks/verifying-webhooks,
// "Preventing replays"). Implementations must be safe for concurrent use;
// [MemoryDedupe] serves one process, redisstore.Dedupe (package
// tribe/cache/redisstore) a fleet.
//
// [Handler] claims one key per delivery of an event:
//
//   - SUBSCRIPTION: "SUBSCRIPTION:" and the event's id;
//   - APP_INSTALLED and APP_UNINSTALLED: the type, the installation's id
//     and its updatedAt in milliseconds ("APP_UNINSTALLED:inst-1:1767225600000"),
//     so that an uninstall is not a duplicate of the install, nor a
//     reinstall of the first install.
//
// Other requests carry no event id and are never deduplicated.
type Dedupe interface {
	// Claim records key for ttl and reports whether it was new: true for
	// the first claim, false while an earlier claim of it lasts.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release forgets key, so that the next delivery is processed: the
	// handler releases the key of a delivery the app failed to process.
	Release(ctx context.Context, key string) error
}

// DefaultDedupeTTL is how long [Handler] remembers a delivery: longer than
// Tribe goes on retrying one.
const DefaultDedupeTTL = 24 * time.Hour

// DefaultMaxDedupeEntries bounds a [MemoryDedupe] made with 0.
const DefaultMaxDedupeEntries = 100_000

// MemoryDedupe is a [Dedupe] in this process's memory, for an app that runs
// as one process. It keeps at most a fixed number of keys; past that it
// forgets the oldest first. It is safe for concurrent use.
type MemoryDedupe struct {
	max int
	now func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time // key → expiry
	queue []memoryEntry        // in the order claimed
	head  int                  // queue[head:] is live
}

type memoryEntry struct {
	key string
	exp time.Time
}

// NewMemoryDedupe returns a [MemoryDedupe] of at most maxEntries keys (0:
// [DefaultMaxDedupeEntries]).
func NewMemoryDedupe(maxEntries int) *MemoryDedupe {
	if maxEntries <= 0 {
		maxEntries = DefaultMaxDedupeEntries
	}
	return &MemoryDedupe{max: maxEntries, now: time.Now, seen: make(map[string]time.Time)}
}

// Claim implements [Dedupe].
func (m *MemoryDedupe) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = DefaultDedupeTTL
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	// Forget what expired, and the oldest while full. The queue may hold
	// entries of released or reclaimed keys: it is bounded too.
	for m.head < len(m.queue) {
		e := m.queue[m.head]
		if now.Before(e.exp) && len(m.seen) < m.max && len(m.queue)-m.head < 2*m.max {
			break
		}
		if exp, ok := m.seen[e.key]; ok && exp.Equal(e.exp) {
			delete(m.seen, e.key)
		}
		m.queue[m.head] = memoryEntry{}
		m.head++
	}
	if m.head > len(m.queue)/2 {
		m.queue = append(m.queue[:0], m.queue[m.head:]...)
		m.head = 0
	}
	exp := now.Add(ttl)
	m.seen[key] = exp
	m.queue = append(m.queue, memoryEntry{key: key, exp: exp})
	return true, nil
}

// Release implements [Dedupe].
func (m *MemoryDedupe) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, key)
	return nil
}

// Len is how many keys it holds, expired ones not yet forgotten included.
func (m *MemoryDedupe) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// maxDedupeID bounds the id part of a key; a longer id is hashed.
const maxDedupeID = 200

// dedupeKey is the key [Handler] claims for a delivery, or "" for one that
// is never deduplicated (see [Dedupe]).
func dedupeKey(typ string, ev *Event, in *Installation) string {
	var id string
	switch {
	case typ == TypeSubscription && ev != nil && ev.ID != "":
		id = ev.ID
	case (typ == TypeAppInstalled || typ == TypeAppUninstalled) && in != nil && in.ID != "":
		id = in.ID
		if !in.UpdatedAt.IsZero() {
			id += ":" + strconv.FormatInt(in.UpdatedAt.UnixMilli(), 10)
		}
	default:
		return ""
	}
	if len(id) > maxDedupeID {
		// No real id is this long; a key of a bounded size, all the same.
		sum := sha256.Sum256([]byte(id))
		id = "sha256-" + hex.EncodeToString(sum[:])
	}
	return typ + ":" + id
}
