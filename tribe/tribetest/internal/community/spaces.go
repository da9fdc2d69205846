package community

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// SpaceInput is the input of createSpace and updateSpace
// (CreateSpaceInput, UpdateSpaceInput): nil fields are left as they are
// (or at their defaults, to create).
type SpaceInput struct {
	Name        *string
	Slug        *string
	Description *string
	Private     *bool
	Hidden      *bool
	InviteOnly  *bool
	// Type is a SpaceType: Group (the default), Broadcast, Entity, Page,
	// PrivateMessage.
	Type *string
	// MemberIDs and AdminIDs join the space as it is created, besides
	// its creator (an admin of it).
	MemberIDs []string
	AdminIDs  []string
}

// The bounds of a space's text.
const (
	maxNameLen        = 200
	maxSlugLen        = 100
	maxDescriptionLen = 10_000
	maxInitialMembers = 1000
)

// spaceTypes are the values of SpaceType.
func spaceTypes() []string { return []string{"Broadcast", "Entity", "Group", "Page", "PrivateMessage"} }

// CreateSpace creates a space as a, an admin (or the bot), and returns
// it: a joins it as its admin, with in.AdminIDs and in.MemberIDs. A slug
// left empty follows from the name. It emits space.created, then
// space_membership.created for each member.
func (c *Community) CreateSpace(a Actor, in SpaceInput) (map[string]any, error) {
	var out map[string]any
	err := c.write(a, func(n *network) error {
		if !a.admin() {
			return forbidden("only an admin or the app's bot may create a space, and member %q is not one", clip(a.MemberID))
		}
		if in.Name == nil || strings.TrimSpace(*in.Name) == "" {
			return invalid("input.name is empty; name the space")
		}
		if err := checkSpaceInput(in); err != nil {
			return err
		}
		ids := append(append([]string(nil), in.AdminIDs...), in.MemberIDs...)
		if len(ids) > maxInitialMembers {
			return invalid("input.memberIds and input.adminIds name %d members, more than %d; add the others with joinSpace", len(ids), maxInitialMembers)
		}
		for _, id := range ids {
			if err := c.checkMember(a.NetworkID, "input.memberIds", id); err != nil {
				return err
			}
		}
		id := c.newID()
		slug, err := n.slugFor(id, in.Slug, *in.Name)
		if err != nil {
			return err
		}
		size := len(*in.Name) + len(slug) + len(deref(in.Description))
		if err := c.reserve("spaces", 1+1+len(ids), size); err != nil {
			return err
		}
		now := c.now()
		s := &space{
			id: id, seq: c.seq.Add(1), networkID: n.id, name: *in.Name, slug: slug, typ: "Group",
			createdByID: a.MemberID, createdAt: now, updatedAt: now,
			members: map[string]*membership{}, size: size,
		}
		s.apply(in)
		n.addSpace(s)
		c.hasSpaces.Store(true)
		var joined []*membership
		for i, m := range append([]string{a.MemberID}, ids...) {
			if n.join(s, m, i <= len(in.AdminIDs), now) {
				joined = append(joined, s.members[m])
			} else {
				c.release(1, 0)
			}
		}
		s.refresh()
		c.event(n, "space.created", a, s.object(), nil, s.target())
		for _, m := range joined {
			c.event(n, "space_membership.created", a, membershipObject(s, m), nil, map[string]any{"networkId": n.id, "spaceId": s.id, "memberId": m.memberID})
		}
		out = s.view
		return nil
	})
	return out, err
}

// checkSpaceInput refuses fields Tribe would not store.
func checkSpaceInput(in SpaceInput) error {
	switch {
	case in.Name != nil && len(*in.Name) > maxNameLen:
		return invalid("input.name is longer than %d bytes; shorten it", maxNameLen)
	case in.Description != nil && len(*in.Description) > maxDescriptionLen:
		return invalid("input.description is longer than %d bytes; shorten it", maxDescriptionLen)
	case in.Type != nil && !slices.Contains(spaceTypes(), *in.Type):
		return invalid("input.type %q is not one of %v", clip(*in.Type), spaceTypes())
	case in.Slug != nil && !validSlug(*in.Slug):
		return invalid("input.slug %q is not a slug: give 1 to %d lowercase letters, digits and dashes", clip(*in.Slug), maxSlugLen)
	}
	return nil
}

// checkMember refuses an id that names no member of network networkID.
func (c *Community) checkMember(networkID, field, id string) error {
	if id == "" {
		return invalid("%s holds an empty id; give members' ids", field)
	}
	if c.member != nil {
		if _, ok := c.member(networkID, id); !ok {
			return &Error{Code: CodeNotFound, Message: field + ": member " + clipQ(id) + " not found; give the id of a member of the network"}
		}
	}
	return nil
}

// apply sets the fields in gives (but the slug).
func (s *space) apply(in SpaceInput) {
	if in.Name != nil {
		s.name = *in.Name
	}
	if in.Description != nil {
		d := *in.Description
		s.description = &d
	}
	if in.Private != nil {
		s.private = *in.Private
	}
	if in.Hidden != nil {
		s.hidden = *in.Hidden
	}
	if in.InviteOnly != nil {
		s.inviteOnly = *in.InviteOnly
	}
	if in.Type != nil {
		s.typ = *in.Type
	}
}

// addSpace indexes s in n.
func (n *network) addSpace(s *space) {
	n.spaces[s.id] = s
	n.bySlug[s.slug] = s
	n.spaceList = append(n.spaceList, s)
	n.hadSpaces = true
}

// slugFor is the slug of space id: the one given, unless another space
// has it, else one made from name that no space has.
func (n *network) slugFor(id string, given *string, name string) (string, error) {
	if given != nil {
		if s := n.bySlug[*given]; s != nil && s.id != id {
			return "", invalid("input.slug %q is the slug of space %q; choose another", clip(*given), clip(s.id))
		}
		return *given, nil
	}
	base := slugify(name)
	if base == "" {
		base = id
	}
	slug := base
	for i := 2; n.bySlug[slug] != nil && n.bySlug[slug].id != id; i++ {
		suffix := "-" + strconv.Itoa(i)
		slug = base[:min(len(base), maxSlugLen-len(suffix))] + suffix
	}
	return slug, nil
}

// slugify makes a slug of name: lowercase letters and digits, other runs
// a dash.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
		if b.Len() >= maxSlugLen-1 {
			break
		}
	}
	return b.String()
}

func validSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// UpdateSpace changes space id as a, an admin of the network or of the
// space, and returns it. It emits space.updated, with the space before
// the change as oldObject.
func (c *Community) UpdateSpace(a Actor, id string, in SpaceInput) (map[string]any, error) {
	var out map[string]any
	err := c.write(a, func(n *network) error {
		s, err := n.lookupSpace(id)
		if err != nil {
			return err
		}
		if !s.canManage(a) {
			return forbidden("only an admin of the network or of space %q may update it, and member %q is neither", clip(id), clip(a.MemberID))
		}
		if in.Name != nil && strings.TrimSpace(*in.Name) == "" {
			return invalid("input.name is empty; name the space, or leave name out to keep it")
		}
		if err := checkSpaceInput(in); err != nil {
			return err
		}
		slug := s.slug
		if in.Slug != nil {
			if slug, err = n.slugFor(s.id, in.Slug, s.name); err != nil {
				return err
			}
		}
		size := len(s.name) + len(slug) + len(deref(s.description))
		if in.Name != nil {
			size += len(*in.Name) - len(s.name)
		}
		if in.Description != nil {
			size += len(*in.Description) - len(deref(s.description))
		}
		if size > s.size {
			if err := c.reserve("spaces", 0, size-s.size); err != nil {
				return err
			}
		} else {
			c.release(0, s.size-size)
		}
		old := s.object()
		s.apply(in)
		delete(n.bySlug, s.slug)
		s.slug, s.size, s.updatedAt = slug, size, c.now()
		n.bySlug[s.slug] = s
		s.refresh()
		c.event(n, "space.updated", a, s.object(), old, s.target())
		out = s.view
		return nil
	})
	return out, err
}

// DeleteSpace deletes space id and its posts as a, an admin of the
// network or of the space. The space and its posts then answer 110, and
// space.deleted is emitted with the space as it was.
func (c *Community) DeleteSpace(a Actor, id string) error {
	return c.write(a, func(n *network) error {
		s, err := n.lookupSpace(id)
		if err != nil {
			return err
		}
		if !s.canManage(a) {
			return forbidden("only an admin of the network or of space %q may delete it, and member %q is neither", clip(id), clip(a.MemberID))
		}
		for _, p := range n.bySpace[s.id] {
			c.bury(n, p)
		}
		n.top = slices.DeleteFunc(n.top, func(p *post) bool { return p.spaceID == s.id })
		delete(n.bySpace, s.id)
		for _, m := range slices.Clone(s.memberList) {
			n.leave(s, m.memberID)
			c.release(1, 0)
		}
		delete(n.spaces, s.id)
		delete(n.bySlug, s.slug)
		n.spaceList = without(n.spaceList, s)
		n.gone[s.id] = true
		c.release(0, s.size)
		c.event(n, "space.deleted", a, s.object(), nil, s.target())
		return nil
	})
}

// lookupSpace is space id of n: 110 when deleted, 110 with Unknown when
// never held.
func (n *network) lookupSpace(id string) (*space, error) {
	if n == nil {
		return nil, unknown("space", id)
	}
	if s := n.spaces[id]; s != nil {
		return s, nil
	}
	if n.gone[id] {
		return nil, gone("space", id)
	}
	return nil, unknown("space", id)
}

// Space is the space of id, else of slug, as a sees it: 110 when
// deleted, 110 with [Error].Unknown when the community never held it.
func (c *Community) Space(a Actor, id, slug string) (map[string]any, error) {
	if !c.hasSpaces.Load() {
		if err := a.check(); err != nil {
			return nil, err
		}
		return nil, unknown("space", id+slug)
	}
	var out map[string]any
	err := c.read(a, func(n *network) error {
		if id == "" && n != nil && n.bySlug[slug] != nil {
			id = n.bySlug[slug].id
		}
		s, err := n.lookupSpace(id)
		if err != nil {
			if id == "" {
				return unknown("space with slug", slug)
			}
			return err
		}
		out = s.view
		return nil
	})
	return out, err
}

// SpaceQuery selects and orders spaces (the arguments of spaces).
type SpaceQuery struct {
	// Query keeps the spaces whose name holds it, in any case.
	Query string
	// MemberID keeps the spaces that member belongs to.
	MemberID string
	// Types keeps the spaces of these SpaceTypes.
	Types []string
	// OrderBy is a SpaceListOrderByEnum: CREATED_AT (the default) or
	// UPDATED_AT, ascending; Reverse flips it.
	OrderBy string
	Reverse bool
}

// Spaces lists the network's spaces a sees (hidden ones are their
// members' and the moderators'), as q selects and orders them, and
// returns the page pick cuts. A network where no space was ever seeded
// or created is 110 with [Error].Unknown set: package tribetest then
// answers mocked spaces.
func (c *Community) Spaces(a Actor, q SpaceQuery, pick Cut) (Page, error) {
	var out Page
	err := c.read(a, func(n *network) error {
		if n == nil || !n.hadSpaces {
			return unknown("spaces of network", a.NetworkID)
		}
		list := n.spaceList
		if q.MemberID != "" {
			list = n.joined[q.MemberID]
		}
		query := strings.ToLower(q.Query)
		keep := make([]*space, 0, len(list))
		for _, s := range list {
			if s.hidden && s.members[a.MemberID] == nil && !a.moderator() {
				continue
			}
			if query != "" && !strings.Contains(strings.ToLower(s.name), query) {
				continue
			}
			if len(q.Types) > 0 && !slices.Contains(q.Types, s.typ) {
				continue
			}
			keep = append(keep, s)
		}
		if q.MemberID != "" || q.OrderBy == "UPDATED_AT" {
			slices.SortStableFunc(keep, func(x, y *space) int {
				if q.OrderBy == "UPDATED_AT" {
					return cmp.Or(x.updatedAt.Compare(y.updatedAt), cmp.Compare(x.seq, y.seq))
				}
				return cmp.Compare(x.seq, y.seq)
			})
		}
		if q.Reverse {
			slices.Reverse(keep)
		}
		start, stop, err := cut(pick, len(keep))
		if err != nil {
			return err
		}
		out = Page{Total: len(keep), Start: start, Items: make([]map[string]any, 0, stop-start)}
		for _, s := range keep[start:stop] {
			out.Items = append(out.Items, s.view)
		}
		return nil
	})
	return out, err
}
