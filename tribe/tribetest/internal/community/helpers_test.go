package community_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

// The actors of the tests, in network net-acme as tribetest's default
// fixtures have them.
var (
	alice = community.Actor{NetworkID: "net-acme", MemberID: "mem-alice", RoleID: "role-admin", Role: "admin", Status: "VERIFIED"}
	bob   = community.Actor{NetworkID: "net-acme", MemberID: "mem-bob", RoleID: "role-moderator", Role: "moderator", Status: "VERIFIED"}
	carol = community.Actor{NetworkID: "net-acme", MemberID: "mem-carol", RoleID: "role-member", Role: "member", Status: "VERIFIED"}
	erin  = community.Actor{NetworkID: "net-acme", MemberID: "mem-erin", RoleID: "role-member", Role: "member", Status: "VERIFIED"}
	dave  = community.Actor{NetworkID: "net-acme", MemberID: "mem-dave", RoleID: "role-member", Role: "member", Status: "BLOCKED"}
	bot   = community.Actor{NetworkID: "net-acme", MemberID: "bot-app", RoleID: "role-admin", Role: "", Status: "VERIFIED", Bot: true}
	other = community.Actor{NetworkID: "net-other", MemberID: "mem-olga", RoleID: "role-admin", Role: "admin", Status: "VERIFIED"}
)

// recorder keeps the events a community emits.
type recorder struct {
	mu     sync.Mutex
	events []community.Event
}

func (r *recorder) emit(e community.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// names are the names of the events emitted so far.
func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.Name
	}
	return out
}

func (r *recorder) last() community.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[len(r.events)-1]
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// members are the members newTest's lookup knows.
func members() map[string]community.MemberInfo {
	out := map[string]community.MemberInfo{}
	for _, a := range []community.Actor{alice, bob, carol, erin, dave, bot} {
		out[a.MemberID] = community.MemberInfo{ID: a.MemberID, Name: a.MemberID[4:], Username: a.MemberID[4:], RoleID: a.RoleID, Role: a.Role, Status: a.Status}
	}
	return out
}

// newTest is a community with a clock at 2026-01-01 and an event
// recorder.
func newTest(t *testing.T) (*community.Community, *recorder, *testClock) {
	t.Helper()
	rec := &recorder{}
	clock := &testClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	known := members()
	c := community.New(community.Options{Now: clock.now, Emit: rec.emit, Member: func(network, id string) (community.MemberInfo, bool) {
		m, ok := known[id]
		return m, ok && network == "net-acme"
	}})
	return c, rec, clock
}

// titled is a post input with a title and content, published or not.
func titled(title string, publish bool) community.PostInput {
	return community.PostInput{
		PostTypeID: "pt-discussion",
		MappingFields: []community.MappingField{
			{Key: "title", Type: "text", Value: community.Quote(title)},
			{Key: "content", Type: "html", Value: community.Quote("<p>" + title + "</p>")},
		},
		Publish: &publish,
	}
}

// mustPost creates a published post of a in space, and returns its id.
func mustPost(t *testing.T, c *community.Community, a community.Actor, space, title string) string {
	t.Helper()
	p, err := c.CreatePost(a, space, titled(title, true))
	require.NoError(t, err)
	return p["id"].(string)
}

// code is the Tribe code of err, "" for none.
func code(err error) string {
	if e, ok := err.(*community.Error); ok {
		return e.Code
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
