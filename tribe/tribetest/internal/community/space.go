package community

import (
	"maps"
	"time"
)

// space is a space of a network, guarded by its network's lock; view is
// rebuilt on every change.
type space struct {
	id          string
	seq         uint64
	networkID   string
	name        string
	slug        string
	description *string
	private     bool
	hidden      bool
	inviteOnly  bool
	typ         string
	createdByID string
	createdAt   time.Time
	updatedAt   time.Time

	members    map[string]*membership // by member id
	memberList []*membership          // in the order they joined
	postsCount int                    // live published top-level posts

	extra map[string]any // a seed's other fields, shown as they are
	size  int

	view map[string]any
}

// membership is a member of a space, with their space role.
type membership struct {
	memberID string
	admin    bool
	at       time.Time
	view     map[string]any // a SpaceMember
}

// The space roles a membership has (SpaceRole).
func spaceRole(admin bool) map[string]any {
	if admin {
		return map[string]any{"id": "space-role-admin", "name": "Space Admin", "type": "admin", "scopes": []any{"*"}}
	}
	return map[string]any{"id": "space-role-member", "name": "Space Member", "type": "member", "scopes": []any{}}
}

// canRead reports whether a may read the space's posts: any member for
// a public space, its members and the moderators for a private one.
func (s *space) canRead(a Actor) bool {
	return !s.private || s.members[a.MemberID] != nil || a.moderator()
}

// canPost reports whether a may post in the space.
func (s *space) canPost(a Actor) bool { return s.canRead(a) }

// canJoin reports whether a may join the space: a private or
// invite-only space refuses a plain member.
func (s *space) canJoin(a Actor) bool {
	return !(s.private || s.inviteOnly) || a.moderator()
}

// canManage reports whether a may change or delete the space: an admin
// of the network or of the space.
func (s *space) canManage(a Actor) bool {
	m := s.members[a.MemberID]
	return a.admin() || m != nil && m.admin
}

// refresh rebuilds s's view.
func (s *space) refresh() {
	v := make(map[string]any, len(s.extra)+20)
	maps.Copy(v, s.extra)
	v["id"] = s.id
	v["networkId"] = s.networkID
	v["name"] = s.name
	v["slug"] = s.slug
	v["description"] = nil
	if s.description != nil {
		v["description"] = *s.description
	}
	v["private"] = s.private
	v["hidden"] = s.hidden
	v["inviteOnly"] = s.inviteOnly
	v["type"] = s.typ
	if s.createdByID != "" {
		v["createdById"] = s.createdByID
		v["createdBy"] = s.createdByID
	}
	v["createdAt"] = stamp(s.createdAt)
	v["updatedAt"] = stamp(s.updatedAt)
	v["membersCount"] = len(s.members)
	v["postsCount"] = s.postsCount
	s.view = v
}

// object is s as a webhook event's object.
func (s *space) object() map[string]any {
	return map[string]any{
		"id":          s.id,
		"networkId":   s.networkID,
		"name":        s.name,
		"slug":        s.slug,
		"description": s.view["description"],
		"private":     s.private,
		"hidden":      s.hidden,
		"inviteOnly":  s.inviteOnly,
		"type":        s.typ,
		"createdById": s.createdByID,
		"createdAt":   s.view["createdAt"],
		"updatedAt":   s.view["updatedAt"],
	}
}

// target is what an event on s is about.
func (s *space) target() map[string]any {
	return map[string]any{"networkId": s.networkID, "spaceId": s.id}
}

// join adds member id to s; n's lock is held. It reports whether the
// member is new.
func (n *network) join(s *space, id string, admin bool, at time.Time) bool {
	if m := s.members[id]; m != nil {
		if admin && !m.admin {
			m.admin = true
			m.view = membershipView(s.id, id, true)
		}
		return false
	}
	m := &membership{memberID: id, admin: admin, at: at, view: membershipView(s.id, id, admin)}
	s.members[id] = m
	s.memberList = append(s.memberList, m)
	n.joined[id] = append(n.joined[id], s)
	return true
}

// leave removes member id from s; n's lock is held. It reports whether
// the member was one.
func (n *network) leave(s *space, id string) bool {
	m := s.members[id]
	if m == nil {
		return false
	}
	delete(s.members, id)
	s.memberList = without(s.memberList, m)
	n.joined[id] = without(n.joined[id], s)
	if len(n.joined[id]) == 0 {
		delete(n.joined, id)
	}
	return true
}

func membershipView(spaceID, memberID string, admin bool) map[string]any {
	return map[string]any{"member": memberID, "space": spaceID, "role": spaceRole(admin)}
}

// membershipObject is a membership as a webhook event's object.
func membershipObject(s *space, m *membership) map[string]any {
	return map[string]any{"spaceId": s.id, "memberId": m.memberID, "roleId": spaceRole(m.admin)["id"], "createdAt": stamp(m.at)}
}
