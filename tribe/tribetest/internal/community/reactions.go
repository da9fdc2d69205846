package community

// The bounds of reactions: a reaction's name, and the different
// reactions on one post.
const (
	maxReactionLen   = 64
	maxPostReactions = 50
)

// AddReaction adds reaction name (such as "+1" or "heart") of a to post
// postID; the post's reactionsCount and reactions follow. Reacting again
// with the same reaction changes nothing. A post a cannot see is refused
// as by [Community.Post].
func (c *Community) AddReaction(a Actor, postID, name string) error {
	return c.writeReaction(a, postID, name, func(p *post) error {
		var r *reaction
		for _, x := range p.reactions {
			if x.name == name {
				r = x
			}
		}
		if r != nil && r.by[a.MemberID] {
			return nil
		}
		if r == nil && len(p.reactions) >= maxPostReactions {
			return invalid("input.reaction: post %q has %d different reactions already, the most it may have; react with one of them", clip(postID), maxPostReactions)
		}
		if err := c.reserve("reactions", 1, 0); err != nil {
			return err
		}
		if r == nil {
			r = &reaction{name: name, by: map[string]bool{}}
			p.reactions = append(p.reactions, r)
		}
		r.by[a.MemberID] = true
		p.reactionsCount++
		p.refresh()
		return nil
	})
}

// RemoveReaction takes back reaction of a from post postID; removing one
// a did not give changes nothing.
func (c *Community) RemoveReaction(a Actor, postID, name string) error {
	return c.writeReaction(a, postID, name, func(p *post) error {
		for i, r := range p.reactions {
			if r.name != name || !r.by[a.MemberID] {
				continue
			}
			delete(r.by, a.MemberID)
			if len(r.by) == 0 {
				p.reactions = append(p.reactions[:i:i], p.reactions[i+1:]...)
			}
			p.reactionsCount--
			c.release(1, 0)
			p.refresh()
			return nil
		}
		return nil
	})
}

// writeReaction runs fn on post postID under the write lock once name is
// a valid reaction and a may see the post.
func (c *Community) writeReaction(a Actor, postID, name string, fn func(p *post) error) error {
	return c.write(a, func(n *network) error {
		if err := checkReaction(name); err != nil {
			return err
		}
		p, err := n.visiblePost(a, postID)
		if err != nil {
			return err
		}
		return fn(p)
	})
}

func checkReaction(r string) error {
	if r == "" || len(r) > maxReactionLen {
		return invalid("reaction %q must be 1 to %d bytes long, such as \"+1\" or \"heart\"", clip(r), maxReactionLen)
	}
	return nil
}
