package community

// PostInput is the input of createPost, createReply and updatePost
// (CreatePostInput, UpdatePostInput).
type PostInput struct {
	// PostTypeID is required to create a post, ignored on update.
	PostTypeID string
	// MappingFields are the post's fields; on update, nil keeps them and
	// a list replaces them.
	MappingFields []MappingField
	// OwnerID posts for another member: admins and the bot only.
	OwnerID string
	// Publish publishes the post; nil is the schema's default (false to
	// create, true to update).
	Publish *bool
}

// CreatePost creates a post in space spaceID as a, and returns it: owned
// by a (or by in.OwnerID, for an admin), PUBLISHED when in.Publish, else
// DRAFTED. A space the community does not hold is taken as a public
// space of the network; a deleted one is 110, a private one a's not a
// member of is 102. A published post emits post.published.
func (c *Community) CreatePost(a Actor, spaceID string, in PostInput) (map[string]any, error) {
	var out map[string]any
	err := c.write(a, func(n *network) error {
		if spaceID == "" {
			return invalid("spaceId is empty; give the id of the space to post in")
		}
		if n.gone[spaceID] {
			return gone("space", spaceID)
		}
		if s := n.spaces[spaceID]; s != nil && !s.canPost(a) {
			return forbidden("space %q is private and member %q is not one of its members; join it first", clip(spaceID), clip(a.MemberID))
		}
		p, err := c.newPost(n, a, spaceID, nil, in)
		if err != nil {
			return err
		}
		n.top = append(n.top, p)
		n.bySpace[spaceID] = append(n.bySpace[spaceID], p)
		if s := n.spaces[spaceID]; s != nil && p.published() {
			s.postsCount++
			s.refresh()
		}
		out = p.viewFor(a.MemberID)
		return nil
	})
	return out, err
}

// CreateReply creates a reply to post postID as a, in that post's space:
// as [Community.CreatePost], and the replied posts' repliesCount and
// totalRepliesCount follow. A post the community does not hold is 110
// with [Error].Unknown set.
func (c *Community) CreateReply(a Actor, postID string, in PostInput) (map[string]any, error) {
	var out map[string]any
	err := c.write(a, func(n *network) error {
		parent, err := n.visiblePost(a, postID)
		if err != nil {
			return err
		}
		if !parent.published() {
			return forbidden("post %q is a draft; publish it before replying to it", clip(postID))
		}
		p, err := c.newPost(n, a, parent.spaceID, parent, in)
		if err != nil {
			return err
		}
		parent.replies = append(parent.replies, p)
		for q := parent; q != nil; q = q.parent {
			q.totalReplies++
			q.activityAt = p.createdAt
			q.refresh()
		}
		out = p.viewFor(a.MemberID)
		return nil
	})
	return out, err
}

// newPost checks in and makes a post of a in n; n's lock is held.
func (c *Community) newPost(n *network, a Actor, spaceID string, parent *post, in PostInput) (*post, error) {
	if in.PostTypeID == "" {
		return nil, invalid("input.postTypeId is empty; give the id of the post's type")
	}
	owner, err := c.owner(a, in.OwnerID)
	if err != nil {
		return nil, err
	}
	size, err := checkFields(in.MappingFields)
	if err != nil {
		return nil, err
	}
	size += len(in.PostTypeID) + len(spaceID)
	if err := c.reserve("posts", 1, size); err != nil {
		return nil, err
	}
	now := c.now()
	p := &post{
		id:          c.newID(),
		networkID:   n.id,
		spaceID:     spaceID,
		ownerID:     owner,
		createdByID: a.MemberID,
		postTypeID:  in.PostTypeID,
		status:      "DRAFTED",
		parent:      parent,
		fields:      append([]MappingField(nil), in.MappingFields...),
		createdAt:   now,
		updatedAt:   now,
		activityAt:  now,
		size:        size,
	}
	p.seq = c.seq.Add(1)
	if in.Publish != nil && *in.Publish {
		p.status, p.publishedAt = "PUBLISHED", now
	}
	p.refresh()
	n.posts[p.id] = p
	n.hadPosts = true
	c.hasPosts.Store(true)
	if p.published() {
		c.event(n, "post.published", a, p.object(), nil, p.target())
	}
	return p, nil
}

// owner is the owner of a post a makes or changes: a, or ownerID for an
// admin (or the bot).
func (c *Community) owner(a Actor, ownerID string) (string, error) {
	if ownerID == "" || ownerID == a.MemberID {
		return a.MemberID, nil
	}
	if !a.admin() {
		return "", forbidden("only an admin or the app's bot may post for another member (input.ownerId); leave ownerId empty to post as %q", clip(a.MemberID))
	}
	if c.member != nil {
		if _, ok := c.member(a.NetworkID, ownerID); !ok {
			return "", &Error{Code: CodeNotFound, Message: "input.ownerId: member " + clipQ(ownerID) + " not found; give the id of a member of the network"}
		}
	}
	return ownerID, nil
}

// UpdatePost changes post id as a: its owner or an admin. The fields in
// in replace the post's; publishing a draft emits post.published, any
// other change post.updated (with the post before it as oldObject).
func (c *Community) UpdatePost(a Actor, id string, in PostInput) (map[string]any, error) {
	var out map[string]any
	err := c.write(a, func(n *network) error {
		p, err := n.visiblePost(a, id)
		if err != nil {
			return err
		}
		if p.ownerID != a.MemberID && !a.admin() {
			return forbidden("member %q may update only their own posts, and post %q is %q's", clip(a.MemberID), clip(id), clip(p.ownerID))
		}
		owner := p.ownerID
		if in.OwnerID != "" && in.OwnerID != p.ownerID {
			if owner, err = c.owner(a, in.OwnerID); err != nil {
				return err
			}
		}
		size := p.size
		if in.MappingFields != nil {
			if size, err = checkFields(in.MappingFields); err != nil {
				return err
			}
			size += len(p.postTypeID) + len(p.spaceID)
		}
		if size > p.size {
			if err := c.reserve("posts", 0, size-p.size); err != nil {
				return err
			}
		} else {
			c.release(0, p.size-size)
		}
		old := p.object()
		wasPublished := p.published()
		now := c.now()
		p.size, p.ownerID, p.updatedAt, p.activityAt = size, owner, now, now
		if in.MappingFields != nil {
			p.fields = append([]MappingField(nil), in.MappingFields...)
		}
		publish := in.Publish == nil || *in.Publish
		switch {
		case publish && !wasPublished:
			p.status, p.publishedAt = "PUBLISHED", now
		case !publish:
			p.status = "DRAFTED"
		}
		p.refresh()
		if s := n.spaces[p.spaceID]; s != nil && p.parent == nil && p.published() != wasPublished {
			if p.published() {
				s.postsCount++
			} else {
				s.postsCount--
			}
			s.refresh()
		}
		if p.published() && !wasPublished {
			c.event(n, "post.published", a, p.object(), nil, p.target())
		} else {
			c.event(n, "post.updated", a, p.object(), old, p.target())
		}
		out = p.viewFor(a.MemberID)
		return nil
	})
	return out, err
}

// DeletePost deletes post id and its replies as a: its owner, a
// moderator or an admin. The post then answers 110, and post.deleted is
// emitted with the post as it was.
func (c *Community) DeletePost(a Actor, id string) error {
	return c.write(a, func(n *network) error {
		p, err := n.visiblePost(a, id)
		if err != nil {
			return err
		}
		if p.ownerID != a.MemberID && !a.moderator() {
			return forbidden("member %q may delete only their own posts, and post %q is %q's; moderators and admins may delete any", clip(a.MemberID), clip(id), clip(p.ownerID))
		}
		object := p.object()
		if parent := p.parent; parent != nil {
			parent.replies = without(parent.replies, p)
			for q := parent; q != nil; q = q.parent {
				q.totalReplies -= 1 + p.totalReplies
				q.refresh()
			}
		} else {
			n.top = without(n.top, p)
			n.bySpace[p.spaceID] = without(n.bySpace[p.spaceID], p)
			if s := n.spaces[p.spaceID]; s != nil && p.published() {
				s.postsCount--
				s.refresh()
			}
		}
		c.bury(n, p)
		c.event(n, "post.deleted", a, object, nil, p.target())
		return nil
	})
}

// bury removes p and its replies from n, leaving their ids gone; each
// keeps one object of the community's bound, for its tombstone.
func (c *Community) bury(n *network, p *post) {
	for _, r := range p.replies {
		c.bury(n, r)
	}
	reactions := 0
	for _, r := range p.reactions {
		reactions += len(r.by)
	}
	c.release(reactions, p.size)
	delete(n.posts, p.id)
	n.gone[p.id] = true
}

// visiblePost is post id as a may see it: a draft is its owner's and
// the moderators', and a private space's posts are its members' (and the
// moderators').
func (n *network) visiblePost(a Actor, id string) (*post, error) {
	if n == nil {
		return nil, unknown("post", id)
	}
	p := n.posts[id]
	if p == nil {
		if n.gone[id] {
			return nil, gone("post", id)
		}
		return nil, unknown("post", id)
	}
	if !p.published() && p.ownerID != a.MemberID && !a.moderator() {
		return nil, forbidden("post %q is a draft of another member", clip(id))
	}
	if s := n.spaces[p.spaceID]; s != nil && !s.canRead(a) {
		return nil, forbidden("post %q is in private space %q, which member %q is not a member of", clip(id), clip(p.spaceID), clip(a.MemberID))
	}
	return p, nil
}

// clipQ is s clipped and quoted.
func clipQ(s string) string { return "\"" + clip(s) + "\"" }
