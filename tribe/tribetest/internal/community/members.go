package community

import "slices"

// JoinSpace makes a a member of space id, and emits
// space_membership.created; membersCount and spaceMembers follow. A
// private or invite-only space refuses a plain member (102). Joining a
// space a belongs to changes nothing. A space the community never held
// is 110 with [Error].Unknown set.
func (c *Community) JoinSpace(a Actor, id string) error {
	return c.write(a, func(n *network) error {
		s, err := n.lookupSpace(id)
		if err != nil {
			return err
		}
		if s.members[a.MemberID] != nil {
			return nil
		}
		if !s.canJoin(a) {
			return forbidden("space %q is private or invite-only, and member %q may join it only when invited", clip(id), clip(a.MemberID))
		}
		if err := c.reserve("space members", 1, 0); err != nil {
			return err
		}
		n.join(s, a.MemberID, false, c.now())
		s.refresh()
		c.event(n, "space_membership.created", a, membershipObject(s, s.members[a.MemberID]), nil,
			map[string]any{"networkId": n.id, "spaceId": s.id, "memberId": a.MemberID})
		return nil
	})
}

// LeaveSpace takes a out of space id, and emits
// space_membership.deleted; leaving a space a does not belong to changes
// nothing.
func (c *Community) LeaveSpace(a Actor, id string) error {
	return c.write(a, func(n *network) error {
		s, err := n.lookupSpace(id)
		if err != nil {
			return err
		}
		m := s.members[a.MemberID]
		if m == nil {
			return nil
		}
		object := membershipObject(s, m)
		n.leave(s, a.MemberID)
		c.release(1, 0)
		s.refresh()
		c.event(n, "space_membership.deleted", a, object, nil,
			map[string]any{"networkId": n.id, "spaceId": s.id, "memberId": a.MemberID})
		return nil
	})
}

// SpaceMembers lists the members of space id (SpaceMember values:
// member, space, role), in the order they joined, those of roleIDs only
// when set, and returns the page pick cuts; Reverse flips the order.
func (c *Community) SpaceMembers(a Actor, id string, roleIDs []string, reverse bool, pick Cut) (Page, error) {
	var out Page
	err := c.read(a, func(n *network) error {
		s, err := n.lookupSpace(id)
		if err != nil {
			return err
		}
		keep := s.memberList
		if len(roleIDs) > 0 {
			keep = nil
			for _, m := range s.memberList {
				if slices.Contains(roleIDs, spaceRole(m.admin)["id"].(string)) {
					keep = append(keep, m)
				}
			}
		}
		start, stop, err := cut(pick, len(keep))
		if err != nil {
			return err
		}
		out = Page{Total: len(keep), Start: start, Items: make([]map[string]any, 0, stop-start)}
		for i := start; i < stop; i++ {
			j := i
			if reverse {
				j = len(keep) - 1 - i
			}
			out.Items = append(out.Items, keep[j].view)
		}
		return nil
	})
	return out, err
}
