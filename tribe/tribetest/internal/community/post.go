package community

import (
	"maps"
	"time"
)

// post is a post or a reply, guarded by its network's lock. view is
// rebuilt on every change, so that readers share it without a lock of
// their own.
type post struct {
	id          string
	seq         uint64 // creation order, for ties
	networkID   string
	spaceID     string
	ownerID     string
	createdByID string
	postTypeID  string
	status      string // PUBLISHED or DRAFTED
	parent      *post  // nil for a top-level post
	seeded      bool   // from a Seed: what it leaves out stays mocked
	fields      []MappingField
	createdAt   time.Time
	updatedAt   time.Time
	publishedAt time.Time // zero until published
	activityAt  time.Time

	replies      []*post // live direct replies, in creation order
	totalReplies int     // live replies at any depth

	reactions      []*reaction // in the order of first use
	reactionsCount int

	extra map[string]any // a seed's other fields, shown as they are
	size  int            // bytes counted against the community's bound

	view map[string]any
}

// reaction is one reaction on a post and who gave it.
type reaction struct {
	name string
	by   map[string]bool
}

func (p *post) published() bool { return p.status == "PUBLISHED" }

// ancestors are the ids of the posts p replies to, nearest first.
func (p *post) ancestors() []any {
	var ids []any
	for q := p.parent; q != nil; q = q.parent {
		ids = append(ids, q.id)
	}
	return ids
}

// refresh rebuilds p's view from its state.
func (p *post) refresh() {
	v := make(map[string]any, len(p.extra)+40)
	maps.Copy(v, p.extra)
	mapping, custom := fieldsView(p.fields)
	title, hasTitle := fieldText(p.fields, "title")
	content, hasContent := fieldText(p.fields, "content")
	short, more := shorten(content)
	member := func(id string) map[string]any { return map[string]any{"member": id, "space": p.spaceID} }
	v["id"] = p.id
	v["networkId"] = p.networkID
	if p.spaceID != "" {
		v["spaceId"] = p.spaceID
		v["space"] = p.spaceID
	}
	if p.postTypeID != "" {
		v["postTypeId"] = p.postTypeID
	}
	if p.ownerID != "" {
		v["ownerId"] = p.ownerID
		v["owner"] = member(p.ownerID)
	}
	if p.createdByID != "" {
		v["createdById"] = p.createdByID
		v["createdBy"] = member(p.createdByID)
	}
	v["status"] = p.status
	v["mappingFields"] = mapping
	v["fields"] = custom
	if hasTitle {
		v["title"] = title
	} else if !p.seeded {
		v["title"] = nil
	}
	if hasContent {
		v["shortContent"] = short
		v["hasMoreContent"] = more
	} else if !p.seeded {
		v["shortContent"] = nil
		v["hasMoreContent"] = false
	}
	v["createdAt"] = stamp(p.createdAt)
	v["updatedAt"] = stamp(p.updatedAt)
	v["lastActivityAt"] = stamp(p.activityAt)
	v["publishedAt"] = nil
	if !p.publishedAt.IsZero() && p.published() {
		v["publishedAt"] = stamp(p.publishedAt)
	}
	v["repliesCount"] = len(p.replies)
	v["totalRepliesCount"] = p.totalReplies
	v["reactionsCount"] = p.reactionsCount
	v["reactions"] = p.reactionsView("")
	v["repliedToId"], v["repliedTo"] = nil, nil
	v["repliedToIds"] = []any{}
	if p.parent != nil {
		v["repliedToId"], v["repliedTo"] = p.parent.id, p.parent.id
		v["repliedToIds"] = p.ancestors()
	}
	v["isAnonymous"] = false
	v["isHidden"] = false
	for _, k := range []string{"attachmentIds", "embedIds", "imageIds", "mentionedMembers", "pinnedInto"} {
		if _, ok := p.extra[k]; !ok {
			v[k] = []any{}
		}
	}
	p.view = v
}

// reactionsView is the post's reactions as PostReactionDetail values,
// reacted for member viewer.
func (p *post) reactionsView(viewer string) []any {
	out := make([]any, 0, len(p.reactions))
	for _, r := range p.reactions {
		out = append(out, map[string]any{"reaction": r.name, "count": len(r.by), "reacted": viewer != "" && r.by[viewer]})
	}
	return out
}

// viewFor is p's view as member viewer sees it: reacted says whether
// they gave each reaction.
func (p *post) viewFor(viewer string) map[string]any {
	for _, r := range p.reactions {
		if r.by[viewer] {
			v := maps.Clone(p.view)
			v["reactions"] = p.reactionsView(viewer)
			return v
		}
	}
	return p.view
}

// object is p as a webhook event's object.
func (p *post) object() map[string]any {
	o := map[string]any{
		"id":             p.id,
		"networkId":      p.networkID,
		"spaceId":        p.spaceID,
		"postTypeId":     p.postTypeID,
		"ownerId":        p.ownerID,
		"createdById":    p.createdByID,
		"status":         p.status,
		"isReply":        p.parent != nil,
		"mappingFields":  p.view["mappingFields"],
		"title":          p.view["title"],
		"shortContent":   p.view["shortContent"],
		"repliesCount":   len(p.replies),
		"reactionsCount": p.reactionsCount,
		"createdAt":      p.view["createdAt"],
		"updatedAt":      p.view["updatedAt"],
		"publishedAt":    p.view["publishedAt"],
	}
	if p.parent != nil {
		o["repliedToId"] = p.parent.id
		o["repliedToIds"] = p.ancestors()
	}
	return o
}

// target is what an event on p is about.
func (p *post) target() map[string]any {
	return map[string]any{"networkId": p.networkID, "spaceId": p.spaceID, "postId": p.id, "postTypeId": p.postTypeID, "memberId": p.ownerID}
}
