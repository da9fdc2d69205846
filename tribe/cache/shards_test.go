package cache

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
)

func TestCacheHashSeparatesEntities(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	seen := map[uint64]bool{}
	for i := range 1000 {
		h := c.hash(withDefaults(tribe.Identity{NetworkID: "n", Context: tribe.ContextSpace, EntityID: fmt.Sprint("space-", i)}))
		seen[h] = true
	}
	assert.Len(t, seen, 1000, "a bot's tokens for many spaces do not share one chain")
}

// withDefaults returns id with its defaults filled, as a lookup sees it.
func withDefaults(id tribe.Identity) tribe.Identity {
	fillDefaults(&id)
	return id
}

// findID is s.find of an identity value.
func findID(s *shard, h uint64, id tribe.Identity) *slot { return s.find(h, &id) }

// checkShard asserts that s holds exactly the entries of want, each found
// by its identity and hash, and that its count is right.
func checkShard(t *testing.T, s *shard, want map[*entry]bool) {
	t.Helper()
	for e, held := range want {
		got := findID(s, e.hash, e.id.identity())
		if held {
			require.NotNil(t, got, "%s is found", e.id)
			assert.Same(t, e, got.e, "%s is found", e.id)
			assert.Same(t, got, s.slotOf(e))
		} else {
			assert.Nil(t, got, "%s, removed, is not found", e.id)
			assert.Nil(t, s.slotOf(e))
		}
	}
	n := 0
	for _, sl := range s.slots {
		if sl.e != nil {
			n++
			assert.True(t, want[sl.e], "%s is held", sl.e.id)
		}
	}
	assert.Equal(t, n, s.n)
	assert.LessOrEqual(t, s.n*4, len(s.slots)*3, "at most 3/4 used")
}

func TestShardFindsInsertsAndRemoves(t *testing.T) {
	network := &scope{network: "n", ctx: tribe.ContextNetwork}
	member := func(i int, hash uint64) *entry {
		return &entry{id: key{member: fmt.Sprint("m", i), entity: "n", scope: network}, hash: hash}
	}
	tests := []struct {
		name   string
		hashes []uint64 // of the entries inserted, in order
		remove []int    // indexes of the entries removed, in order
	}{
		{"distinct homes", []uint64{1, 2, 3, 4}, []int{1, 3, 0, 2}},
		{"one home: the first of a run", []uint64{5, 5, 5, 5}, []int{0, 1, 2, 3}},
		{"one home: the middle of a run", []uint64{5, 5, 5, 5}, []int{2, 1, 3, 0}},
		{"one hash for two identities", []uint64{9, 9}, []int{0, 1}},
		{"a run that wraps past the end", []uint64{6, 7, 6, 7, 6}, []int{0, 3, 1, 4, 2}},
		{"a displaced entry before its home", []uint64{7, 7, 0, 1, 7}, []int{1, 0, 4, 2, 3}},
		{"growth past 3/4", []uint64{1, 9, 17, 25, 33, 41, 49, 57, 2, 10, 18}, []int{10, 0, 5, 1, 9, 2, 8, 3, 7, 4, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s shard
			entries := make([]*entry, len(tt.hashes))
			want := map[*entry]bool{}
			for i, h := range tt.hashes {
				entries[i] = member(i, h)
				assert.Nil(t, findID(&s, h, entries[i].id.identity()), "not held before it is inserted")
				s.insert(entries[i], 0)
				want[entries[i]] = true
				checkShard(t, &s, want)
			}
			for _, i := range tt.remove {
				s.remove(entries[i])
				want[entries[i]] = false
				checkShard(t, &s, want)
			}
			s.remove(entries[0]) // no longer held: nothing changes
			checkShard(t, &s, want)
		})
	}

	t.Run("random inserts and removes over few homes", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		var s shard
		want := map[*entry]bool{}
		var held []*entry
		for i := range 2000 {
			if len(held) > 0 && r.IntN(3) == 0 {
				k := r.IntN(len(held))
				s.remove(held[k])
				want[held[k]] = false
				held = append(held[:k], held[k+1:]...)
			} else {
				e := member(i, r.Uint64N(64)|r.Uint64N(4)<<62)
				s.insert(e, 0)
				want[e] = true
				held = append(held, e)
			}
			if i%50 == 0 {
				checkShard(t, &s, want)
			}
		}
		checkShard(t, &s, want)
	})
}

func TestSlotLayout(t *testing.T) {
	var sl slot
	assert.Equal(t, uintptr(64), unsafe.Sizeof(sl), "a slot is one cache line: tables of them start on one")
	assert.Equal(t, uintptr(56), unsafe.Offsetof(sl.e), "a warm hit reads the first 56 bytes: one cache line when the table starts 8 bytes into one")
	assert.Zero(t, unsafe.Sizeof(shard{})%64, "shards do not share cache lines")
}

// A member's identity in another network, context or entity is another
// slot, though its hash is the same.
func TestSlotComparesTheWholeIdentity(t *testing.T) {
	srv, app, _ := cacheSetup(t)
	c := newTestCache(t, app, srv, Options{})
	ids := []tribe.Identity{
		tribe.Impersonate("n1", "m"),
		tribe.Impersonate("n2", "m"),
		{NetworkID: "n1", MemberID: "m", Context: tribe.ContextMember, EntityID: "n1"},
		{NetworkID: "n1", MemberID: "m", Context: tribe.ContextSpace, EntityID: "s1"},
		{NetworkID: "n1", MemberID: "m", Context: tribe.ContextPost, EntityID: "s1"},
		{NetworkID: "n1", MemberID: "m", Context: tribe.ContextNetwork, EntityID: "s1"},
	}
	var s shard
	const h = 42 // one hash for all
	c.mu.Lock()
	for _, id := range ids {
		n, err := id.Normalize()
		require.NoError(t, err)
		s.insert(&entry{id: c.keyOf(n), hash: h}, 0)
	}
	c.mu.Unlock()
	for _, id := range ids {
		q := withDefaults(id)
		sl := s.find(h, &q)
		require.NotNil(t, sl, "%s", id)
		assert.Equal(t, q, sl.e.id.identity())
	}
	assert.Nil(t, findID(&s, h, withDefaults(tribe.Impersonate("n3", "m"))))
	assert.Nil(t, findID(&s, h, withDefaults(tribe.Bot("n1"))))
	assert.Nil(t, findID(&s, h, tribe.Identity{NetworkID: "n1", MemberID: "m", Context: tribe.ContextSpace, EntityID: "n1"}))
}
