package cache

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// The index of a Cache: its entries by identity, in shards. Each shard is
// an open-addressing table with linear probing behind its own RWMutex. A
// slot of the table holds, in one cache line, all that a warm hit reads:
// the identity's hash and member id, its scope, the token and the time it
// is fresh until. So a hit hashes the identity once (no string is built),
// reads one cache line of the table, as a map lookup does, and shares the
// shard's read lock with the other hits. The rest of an entry, which a
// mint and eviction use, is behind the slot's pointer. Adding, evicting and
// the end of a mint take the shard's write lock.

// shardBits: the index has 1<<shardBits shards, chosen by a hash's top bits.
const shardBits = 6

// shard is one part of the index, padded so that hits on different
// shards do not share a cache line.
type shard struct {
	table
	_ [64 - unsafe.Sizeof(table{})%64]byte
}

// table is a shard's table and lock.
type table struct {
	mu    sync.RWMutex
	slots []slot // a power of two long, or nil; at most 3/4 used
	n     int    // used slots
}

// slot is one place of a shard's table, 64 bytes. A nil scope marks a free
// slot. tok and freshUntil are the entry's token and the time, on
// Cache.now's clock, until which a hit on the coarse clock hands it out.
//
// A warm hit reads the first 56 bytes and not e, so that it reads one
// cache line both when the table starts on one and when it starts 8 bytes
// into one, as Go's allocator puts an array of more than 512 bytes that
// holds pointers (after the header that names its type).
type slot struct {
	hash       uint64
	member     string // the identity's member id, "" for the bot
	scope      *scope
	tok        *oauth2.Token // nil: none yet, or dropped
	freshUntil time.Duration
	lastUsed   int64 // Cache.now, to a second; atomic, since hits write it under the read lock
	e          *entry
}

// scope is the rest of an identity, which the entries of a network share:
// its network, its context, and whether its entity is the network (else
// the entity is its entry's).
type scope struct {
	network   string
	ctx       tribe.PermissionContext
	ownEntity bool // the entity is the network
	refs      int  // entries holding it; guarded by Cache.mu
}

// key is an entry's identity: its member and entity ids, and its scope.
type key struct {
	member string
	entity string
	scope  *scope
}

// identity returns the normalized identity k stands for.
func (k key) identity() tribe.Identity {
	return tribe.Identity{NetworkID: k.scope.network, MemberID: k.member, Context: k.scope.ctx, EntityID: k.entity}
}

// String describes the identity, as [tribe.Identity.String] does.
func (k key) String() string { return k.identity().String() }

// scopeKey finds a scope among a cache's.
type scopeKey struct {
	network   string
	ctx       tribe.PermissionContext
	ownEntity bool
}

// keyOf returns the key of id, a normalized identity, sharing the cache's
// scope of its network and context, which it adds if needed. c.mu is held.
func (c *Cache) keyOf(id tribe.Identity) key {
	sk := scopeKey{id.NetworkID, id.Context, id.EntityID == id.NetworkID}
	sc := c.scopes[sk]
	if sc == nil {
		sc = &scope{network: sk.network, ctx: sk.ctx, ownEntity: sk.ownEntity}
		c.scopes[sk] = sc
	}
	sc.refs++
	return key{member: id.MemberID, entity: id.EntityID, scope: sc}
}

// release forgets sc when the last entry that holds it is evicted. c.mu
// is held.
func (c *Cache) release(sc *scope) {
	if sc.refs--; sc.refs == 0 {
		delete(c.scopes, scopeKey{sc.network, sc.ctx, sc.ownEntity})
	}
}

// shard returns the shard of hash h.
func (c *Cache) shard(h uint64) *shard { return &c.shards[h>>(64-shardBits)] }

// newShards returns the shards of an empty index, in an allocation of its
// own so that they start on a cache line.
func newShards() *[1 << shardBits]shard { return new([1 << shardBits]shard) }

// fillDefaults fills an identity's defaults without checking it, for the
// lookup of a warm hit; only checked identities are ever stored.
func fillDefaults(id *tribe.Identity) {
	if id.Context == "" {
		id.Context = tribe.ContextNetwork
	}
	if id.EntityID == "" && id.Context == tribe.ContextNetwork {
		id.EntityID = id.NetworkID
	}
}

// hash hashes an identity with its defaults cheaply: the member id (the
// network id for the bot), and the entity id when it is not the network (a
// POST or SPACE token). Tribe's ids are unique, so the rare identities that
// still share a hash (the same member and entity in two contexts) only make
// a probe one slot longer.
func (c *Cache) hash(id tribe.Identity) uint64 {
	return c.hashIDs(id.MemberID, id.NetworkID, id.EntityID)
}

// hashIDs is hash of an identity's member, network and entity ids.
func (c *Cache) hashIDs(member, network, entity string) uint64 {
	if member == "" {
		member = network
	}
	h := maphash.String(c.seed, member)
	if !same(entity, network) {
		h ^= maphash.String(c.seed, entity) * 0x9e3779b97f4a7c15
	}
	return h
}

// lookup returns the entry of id, whose hash is h, or nil.
func (c *Cache) lookup(h uint64, id tribe.Identity) *entry {
	s := c.shard(h)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sl := s.find(h, &id); sl != nil {
		return sl.e
	}
	return nil
}

// is reports whether sl holds id, an identity with its defaults, comparing
// the member first. Only an entity that is not the network is read from
// the entry.
func (sl *slot) is(id *tribe.Identity) bool {
	sc := sl.scope
	return same(sl.member, id.MemberID) && same(sc.network, id.NetworkID) && same(string(sc.ctx), string(id.Context)) &&
		(sc.ownEntity && same(id.EntityID, id.NetworkID) || !sc.ownEntity && same(sl.e.id.entity, id.EntityID))
}

// same is a == b, without a call when they share their bytes: as a
// context constant does with itself, or an identity's entity with its
// network once its defaults are filled.
func same(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// touch records that the slot's entry was used at now, to the second.
func (sl *slot) touch(now time.Duration) {
	if int64(now)-atomic.LoadInt64(&sl.lastUsed) >= int64(time.Second) {
		atomic.StoreInt64(&sl.lastUsed, int64(now))
	}
}

// find returns the slot of id, whose hash is h, or nil. s.mu is held; the
// slot is valid while it is.
func (s *shard) find(h uint64, id *tribe.Identity) *slot {
	if len(s.slots) == 0 {
		return nil
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &s.slots[i]
		if sl.scope == nil {
			return nil
		}
		if sl.hash == h && sl.is(id) {
			return sl
		}
	}
}

// slotOf returns e's slot, or nil when e was evicted. s.mu is held; the
// slot is valid while it is.
func (s *shard) slotOf(e *entry) *slot {
	if i, ok := s.index(e); ok {
		return &s.slots[i]
	}
	return nil
}

// index returns the place of e's slot in the table.
func (s *shard) index(e *entry) (uint64, bool) {
	if len(s.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(s.slots) - 1)
	for i := e.hash & mask; ; i = (i + 1) & mask {
		switch s.slots[i].e {
		case e:
			return i, true
		case nil:
			return 0, false
		}
	}
}

// insert adds a slot for e, whose identity the shard does not hold,
// growing the table when it is 3/4 used. s.mu is held for writing.
func (s *shard) insert(e *entry, lastUsed time.Duration) {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	s.place(slot{hash: e.hash, member: e.id.member, scope: e.id.scope, lastUsed: int64(lastUsed), e: e})
	s.n++
}

// place puts sl in the first free slot from its hash on.
func (s *shard) place(sl slot) {
	mask := uint64(len(s.slots) - 1)
	i := sl.hash & mask
	for s.slots[i].scope != nil {
		i = (i + 1) & mask
	}
	s.slots[i] = sl
}

// grow doubles the table (starting at 8 slots) and places every slot
// again.
func (s *shard) grow() {
	old := s.slots
	s.slots = make([]slot, max(2*len(old), 8))
	for _, sl := range old {
		if sl.scope != nil {
			s.place(sl)
		}
	}
}

// remove drops e's slot, if it has one, moving back the slots after it
// that it displaced, so that no probe stops early and no tombstone is
// left. s.mu is held for writing.
func (s *shard) remove(e *entry) {
	i, ok := s.index(e)
	if !ok {
		return
	}
	mask := uint64(len(s.slots) - 1)
	for j := (i + 1) & mask; s.slots[j].scope != nil; j = (j + 1) & mask {
		// The slot at j may move back to i unless its home lies in (i, j],
		// cyclically.
		home := s.slots[j].hash & mask
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			s.slots[i] = s.slots[j]
			i = j
		}
	}
	s.slots[i] = slot{}
	s.n--
}
