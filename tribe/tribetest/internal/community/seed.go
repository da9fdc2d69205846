package community

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Seed is a community's starting state: objects as package tribetest's
// Store holds them (JSON-like maps with the fields of types Space and
// Post). Fields the community keeps (a post's mappingFields, title,
// status, space, owner; a space's name, slug, private…) are read; counts
// (membersCount, reactionsCount, repliesCount…) follow the state, so
// they start at zero; other fields are shown as they are. A field the
// seed leaves out and the community has no value for stays as package
// tribetest answers it (mocked).
type Seed struct {
	// Network is the network of objects without a networkId.
	Network string
	Spaces  []map[string]any
	// Posts are posts and replies (a repliedToId names a post seeded
	// before it).
	Posts []map[string]any
}

// fixtureEpoch is the time of a seeded object without one.
func fixtureEpoch() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// Seed makes s the community's starting state and resets the community
// to it. An object it cannot read is an error naming it; the state is
// then unchanged.
func (c *Community) Seed(s Seed) error {
	trial := New(Options{})
	trial.seed = s
	if err := trial.build(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seed = s
	c.seeded = map[string]bool{}
	for _, l := range [][]map[string]any{s.Spaces, s.Posts} {
		for _, m := range l {
			if id, ok := m["id"].(string); ok {
				c.seeded[id] = true
			}
		}
	}
	c.resetLocked()
	return nil
}

// applySeed builds the seed's state; c.mu is held for writing. The seed
// was built once by Seed, so it does not fail.
func (c *Community) applySeed() { _ = c.build() }

// build adds the seed's objects to c.
func (c *Community) build() error {
	for i, m := range c.seed.Spaces {
		if err := c.seedSpace(c.seed.Network, m); err != nil {
			return fmt.Errorf("community: objects.Space[%d]: %w", i, err)
		}
	}
	for i, m := range c.seed.Posts {
		if err := c.seedPost(c.seed.Network, m); err != nil {
			return fmt.Errorf("community: objects.Post[%d]: %w", i, err)
		}
	}
	return nil
}

// reader reads the fields of a seeded object, remembering the first
// error.
type reader struct {
	m    map[string]any
	used map[string]bool
	err  error
}

func newReader(m map[string]any) *reader { return &reader{m: m, used: map[string]bool{}} }

func (r *reader) str(key string) string {
	r.used[key] = true
	switch v := r.m[key].(type) {
	case nil:
		return ""
	case string:
		return v
	}
	r.fail("%s is not a string", key)
	return ""
}

func (r *reader) boolean(key string) (bool, bool) {
	r.used[key] = true
	switch v := r.m[key].(type) {
	case nil:
		return false, false
	case bool:
		return v, true
	}
	r.fail("%s is not a boolean", key)
	return false, false
}

func (r *reader) time(key string) time.Time {
	s := r.str(key)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.fail("%s is not an RFC 3339 time", key)
	}
	return t
}

// drop marks keys as read, and left out of the extra fields.
func (r *reader) drop(keys ...string) {
	for _, k := range keys {
		r.used[k] = true
	}
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// extra are the fields not read.
func (r *reader) extra() map[string]any {
	out := map[string]any{}
	for k, v := range r.m {
		if !r.used[k] && k != "__typename" {
			out[k] = v
		}
	}
	return out
}

// seedSpace adds a seeded space.
func (c *Community) seedSpace(network string, m map[string]any) error {
	r := newReader(m)
	id := r.str("id")
	if net := r.str("networkId"); net != "" {
		network = net
	}
	s := &space{id: id, networkID: network, name: r.str("name"), typ: "Group", members: map[string]*membership{}}
	if s.name == "" {
		s.name = id
	}
	slug := r.str("slug")
	if d, ok := m["description"].(string); ok {
		s.description = &d
	}
	r.str("description")
	s.private, _ = r.boolean("private")
	s.hidden, _ = r.boolean("hidden")
	s.inviteOnly, _ = r.boolean("inviteOnly")
	if t := r.str("type"); t != "" {
		s.typ = t
	}
	s.createdByID = r.str("createdById")
	s.createdAt, s.updatedAt = r.time("createdAt"), r.time("updatedAt")
	r.drop("membersCount", "postsCount", "createdBy")
	if r.err != nil {
		return r.err
	}
	switch {
	case id == "":
		return fmt.Errorf("a space needs an id")
	case network == "":
		return fmt.Errorf("space %q has no networkId", clip(id))
	}
	if err := checkSpaceInput(SpaceInput{Name: &s.name, Description: s.description, Type: &s.typ}); err != nil {
		return fmt.Errorf("space %q: %s", clip(id), err.(*Error).Message)
	}
	if s.createdAt.IsZero() {
		s.createdAt = fixtureEpoch()
	}
	if s.updatedAt.IsZero() {
		s.updatedAt = s.createdAt
	}
	s.extra = r.extra()
	n := c.net(network)
	if n.spaces[id] != nil {
		return fmt.Errorf("space %q: duplicate id", clip(id))
	}
	var given *string
	if slug != "" {
		given = &slug
	}
	var err error
	if s.slug, err = n.slugFor(id, given, s.name); err != nil {
		return fmt.Errorf("space %q: %s", clip(id), err.(*Error).Message)
	}
	s.size = len(s.name) + len(s.slug) + len(deref(s.description)) + extraSize(s.extra)
	if err := c.reserve("spaces", 1, s.size); err != nil {
		return err
	}
	s.seq = c.seq.Add(1)
	s.refresh()
	n.addSpace(s)
	c.hasSpaces.Store(true)
	return nil
}

// seedPost adds a seeded post or reply.
func (c *Community) seedPost(network string, m map[string]any) error {
	r := newReader(m)
	id := r.str("id")
	if net := r.str("networkId"); net != "" {
		network = net
	}
	p := &post{
		id: id, networkID: network, seeded: true,
		spaceID: r.str("spaceId"), ownerID: r.str("ownerId"), createdByID: r.str("createdById"),
		postTypeID: r.str("postTypeId"), status: r.str("status"),
	}
	parentID := r.str("repliedToId")
	p.createdAt, p.updatedAt, p.publishedAt = r.time("createdAt"), r.time("updatedAt"), r.time("publishedAt")
	if raw, ok := m["mappingFields"]; ok && raw != nil {
		r.drop("mappingFields")
		fields, err := readFields(raw)
		if err != nil {
			r.fail("mappingFields: %v", err)
		}
		p.fields = fields
	} else {
		// Without mappingFields, the title and content are the post's
		// text fields.
		if m["title"] != nil {
			p.fields = append(p.fields, MappingField{Key: "title", Type: "text", Value: quote(r.str("title"))})
		}
		if m["shortContent"] != nil {
			p.fields = append(p.fields, MappingField{Key: "content", Type: "html", Value: quote(r.str("shortContent"))})
		}
	}
	r.drop("title", "shortContent", "fields", "owner", "createdBy", "space", "repliedTo", "repliedToIds",
		"reactionsCount", "reactions", "repliesCount", "totalRepliesCount", "replies")
	if r.err != nil {
		return fmt.Errorf("post %q: %w", clip(id), r.err)
	}
	switch {
	case id == "":
		return fmt.Errorf("a post needs an id")
	case network == "":
		return fmt.Errorf("post %q has no networkId", clip(id))
	case p.status == "":
		p.status = "PUBLISHED"
	case p.status != "PUBLISHED" && p.status != "DRAFTED":
		return fmt.Errorf("post %q: status %q is not PUBLISHED or DRAFTED, the statuses the mock keeps", clip(id), clip(p.status))
	}
	size, err := checkFields(p.fields)
	if err != nil {
		return fmt.Errorf("post %q: %s", clip(id), err.(*Error).Message)
	}
	n := c.net(network)
	if n.posts[id] != nil {
		return fmt.Errorf("post %q: duplicate id", clip(id))
	}
	if parentID != "" {
		if p.parent = n.posts[parentID]; p.parent == nil {
			return fmt.Errorf("post %q: repliedToId %q names no post seeded before it; seed the post it replies to first", clip(id), clip(parentID))
		}
		if p.spaceID == "" {
			p.spaceID = p.parent.spaceID
		}
	}
	if p.createdAt.IsZero() {
		p.createdAt = fixtureEpoch()
	}
	if p.updatedAt.IsZero() {
		p.updatedAt = p.createdAt
	}
	if p.publishedAt.IsZero() && p.published() {
		p.publishedAt = p.createdAt
	}
	p.activityAt = p.updatedAt
	p.extra = r.extra()
	p.size = size + extraSize(p.extra)
	if err := c.reserve("posts", 1, p.size); err != nil {
		return err
	}
	p.seq = c.seq.Add(1)
	p.refresh()
	n.posts[id] = p
	n.hadPosts = true
	if p.parent != nil {
		p.parent.replies = append(p.parent.replies, p)
		for q := p.parent; q != nil; q = q.parent {
			q.totalReplies++
			q.refresh()
		}
	} else {
		n.top = append(n.top, p)
		n.bySpace[p.spaceID] = append(n.bySpace[p.spaceID], p)
		if s := n.spaces[p.spaceID]; s != nil && p.published() {
			s.postsCount++
			s.refresh()
		}
	}
	c.hasPosts.Store(true)
	return nil
}

// readFields reads a seed's mappingFields: a list of {key, type, value}.
func readFields(raw any) ([]MappingField, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	out := make([]MappingField, 0, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("item %d is not an object", i)
		}
		r := newReader(m)
		f := MappingField{Key: r.str("key"), Type: r.str("type"), Value: r.str("value")}
		if r.err != nil {
			return nil, fmt.Errorf("item %d: %w", i, r.err)
		}
		if f.Type == "" {
			f.Type = "text"
		}
		out = append(out, f)
	}
	return out, nil
}

// quote is s JSON-encoded, as JavaScript's JSON.stringify writes it
// (no escaping of <, > and &).
func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// extraSize is about the bytes of a seed's other fields.
func extraSize(m map[string]any) int {
	if len(m) == 0 {
		return 0
	}
	b, _ := json.Marshal(m) // a seed's values came from JSON
	return len(b)
}
