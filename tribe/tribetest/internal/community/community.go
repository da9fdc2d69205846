package community

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The most a community holds, so that no client makes it grow without
// bound: objects (posts, spaces, memberships, reactions, profiles) and
// bytes of text (mapping fields, names, settings).
const (
	maxObjects = 200_000
	maxBytes   = 64 << 20
)

// Options configure a [Community]. Every field is optional.
type Options struct {
	// Now is the server's clock, for createdAt and the like (nil:
	// time.Now).
	Now func() time.Time
	// Emit gets each event a change produces, in the order of the
	// changes of each network: it is called with that network's lock
	// held, so it must not block nor call the community back (queue the
	// event and return).
	Emit func(Event)
	// Member looks up a member of a network (to check an ownerId, and
	// for the object of member.updated); nil takes any id as a member.
	Member func(networkID, id string) (MemberInfo, bool)
}

// MemberInfo is what the community needs to know of a member it does not
// keep: the server's fixtures keep members.
type MemberInfo struct {
	ID       string
	Name     string
	Username string
	Email    string
	RoleID   string
	Role     string
	Status   string
}

// Community is the state of Tribe's core objects in the networks of one
// mock server: posts and replies, reactions, spaces and their members,
// members' profile changes and apps' network settings. Every method takes
// the [Actor] who asks, and answers as Tribe does: the object as a
// JSON-like map with the field names of Tribe's published schema, or an
// [*Error] with Tribe's code. Each change produces an [Event], handed to
// Options.Emit in commit order per network.
//
// Lookups are map lookups; each network has a lock of its own. A
// Community is safe for concurrent use. Maps it returns are shared and
// must not be modified.
type Community struct {
	now    func() time.Time
	emit   func(Event)
	member func(networkID, id string) (MemberInfo, bool)
	// prefix makes event ids unique across servers, seq unique within
	// one: neither is reset, so that a receiver's dedupe never takes a
	// new event for an old one.
	prefix string
	key    uint64 // mixed into object ids
	seq    atomic.Uint64

	// mu is held for reading by every operation and for writing by
	// Seed and Reset, which replace the networks.
	mu     sync.RWMutex
	seed   Seed
	seeded map[string]bool // ids the seed uses, which new objects avoid

	netsMu sync.Mutex
	nets   map[string]*network

	objects atomic.Int64
	bytes   atomic.Int64
	// hasPosts and hasSpaces are set once the community holds a post or
	// a space: until then every lookup is unknown, without a lock.
	hasPosts    atomic.Bool
	hasSpaces   atomic.Bool
	hasProfiles atomic.Bool
}

// New returns an empty community.
func New(o Options) *Community {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	c := &Community{
		key:    binary.LittleEndian.Uint64(b[4:]),
		now:    o.Now,
		emit:   o.Emit,
		member: o.Member,
		prefix: "ev" + hex.EncodeToString(b[:4]),
		seeded: map[string]bool{},
		nets:   map[string]*network{},
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// HasPosts reports whether the community holds, or held, a post since
// it was last reset: until then, [Community.Post] knows no id.
func (c *Community) HasPosts() bool { return c.hasPosts.Load() }

// HasSpaces is [Community.HasPosts] for spaces.
func (c *Community) HasSpaces() bool { return c.hasSpaces.Load() }

// Reset puts back the state of the last [Community.Seed] (nothing without
// one). Ids of objects and events made after it stay unused.
func (c *Community) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetLocked()
}

// resetLocked rebuilds the networks from c.seed; c.mu is held.
func (c *Community) resetLocked() {
	c.netsMu.Lock()
	c.nets = map[string]*network{}
	c.netsMu.Unlock()
	c.objects.Store(0)
	c.bytes.Store(0)
	c.hasPosts.Store(false)
	c.hasSpaces.Store(false)
	c.hasProfiles.Store(false)
	c.applySeed()
}

// net is network id, created if need be.
func (c *Community) net(id string) *network {
	c.netsMu.Lock()
	defer c.netsMu.Unlock()
	n := c.nets[id]
	if n == nil {
		n = newNetwork(id)
		c.nets[id] = n
	}
	return n
}

// lookupNet is network id, or nil when it holds nothing.
func (c *Community) lookupNet(id string) *network {
	c.netsMu.Lock()
	defer c.netsMu.Unlock()
	return c.nets[id]
}

// write runs fn with a's network locked for a change, after checking a.
func (c *Community) write(a Actor, fn func(n *network) error) error {
	if err := a.check(); err != nil {
		return err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.net(a.NetworkID)
	n.mu.Lock()
	defer n.mu.Unlock()
	return fn(n)
}

// read runs fn with a's network locked for reading, after checking a;
// a network that holds nothing is nil.
func (c *Community) read(a Actor, fn func(n *network) error) error {
	if err := a.check(); err != nil {
		return err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.lookupNet(a.NetworkID)
	if n == nil {
		return fn(nil)
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return fn(n)
}

// newID is a fresh id for an object of kind (post, space…), shaped like
// Tribe's (ten letters and digits): unique in the community, never one
// of the seed's, and unlike the ids a test makes up ("post-1").
func (c *Community) newID() string {
	for {
		id := tribeID(c.key ^ c.seq.Add(1))
		if !c.seeded[id] {
			return id
		}
	}
}

// tribeID is ten letters and digits drawn from x, mixed (splitmix64).
func tribeID(x uint64) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	var b [11]byte
	for i := range b {
		b[i] = digits[x%62]
		x /= 62
	}
	return string(b[:10])
}

// newEventID is a fresh event id, unique across servers.
func (c *Community) newEventID() string {
	return c.prefix + strconv.FormatUint(c.seq.Add(1), 36)
}

// reserve counts objects and bytes against the bounds, or refuses them.
func (c *Community) reserve(what string, objects, bytes int) error {
	o, b := c.objects.Add(int64(objects)), c.bytes.Add(int64(bytes))
	if o > maxObjects || b > maxBytes {
		c.release(objects, bytes)
		return full(what)
	}
	return nil
}

// release gives back what reserve counted.
func (c *Community) release(objects, bytes int) {
	c.objects.Add(-int64(objects))
	c.bytes.Add(-int64(bytes))
}

// stamp formats t as Tribe's DateTime: RFC 3339 in UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
