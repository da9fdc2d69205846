package community

import (
	"cmp"
	"slices"
)

// Cut picks the page of a list of total items: the positions [start,
// stop), or an error for bad paging arguments. Package tribetest cuts
// with its connections' rule (limit, offset, after, before); nil takes
// every item.
type Cut func(total int) (start, stop int, err error)

// Page is a page of a list: Items are the objects at positions [Start,
// Start+len(Items)) of the Total the list holds.
type Page struct {
	Items []map[string]any
	Total int
	Start int
}

// cut applies cut to total items.
func cut(c Cut, total int) (int, int, error) {
	if c == nil {
		return 0, total, nil
	}
	start, stop, err := c(total)
	if err != nil {
		return 0, 0, err
	}
	if start < 0 || stop > total || start > stop {
		return 0, 0, invalid("the page [%d, %d) is outside the %d items", start, stop, total)
	}
	return start, stop, nil
}

// PostQuery selects and orders posts (the arguments of posts and
// replies).
type PostQuery struct {
	// SpaceIDs and PostTypeIDs, if set, keep the posts of those spaces
	// and types.
	SpaceIDs    []string
	PostTypeIDs []string
	// OrderBy is a value of PostListOrderByEnum: createdAt (the default),
	// publishedAt, updatedAt, lastActivityAt, reactionsCount,
	// repliesCount or totalRepliesCount; others order by createdAt.
	// The order is descending, newest or largest first; Reverse flips it.
	OrderBy string
	Reverse bool
}

// Post is post id as a sees it. A post the community never held is 110
// with [Error].Unknown set; a deleted one is 110; a draft of another
// member, or a post of a private space a is not a member of, 102.
func (c *Community) Post(a Actor, id string) (map[string]any, error) {
	if !c.hasPosts.Load() {
		if err := a.check(); err != nil {
			return nil, err
		}
		return nil, unknown("post", id)
	}
	var out map[string]any
	err := c.read(a, func(n *network) error {
		p, err := n.visiblePost(a, id)
		if err != nil {
			return err
		}
		out = p.viewFor(a.MemberID)
		return nil
	})
	return out, err
}

// Posts lists the top-level posts a sees (published ones, and a's own
// drafts; every draft for a moderator), as q selects and orders them,
// and returns the page cut picks. When the network never held a post of
// any space q names (or any post at all, without SpaceIDs), it is 110
// with [Error].Unknown set: package tribetest then answers mocked posts.
func (c *Community) Posts(a Actor, q PostQuery, pick Cut) (Page, error) {
	var out Page
	err := c.read(a, func(n *network) error {
		if n == nil {
			return unknown("posts of network", a.NetworkID)
		}
		var list []*post
		if len(q.SpaceIDs) == 0 {
			if !n.hadPosts {
				return unknown("posts of network", a.NetworkID)
			}
			list = n.top
		} else {
			seen := false
			for _, id := range q.SpaceIDs {
				l, ok := n.bySpace[id]
				seen = seen || ok || n.spaces[id] != nil || n.gone[id]
				list = append(list, l...)
			}
			if !seen {
				return unknown("posts of space", q.SpaceIDs[0])
			}
			if len(q.SpaceIDs) > 1 {
				slices.SortFunc(list, func(x, y *post) int { return cmp.Compare(x.seq, y.seq) })
			}
		}
		var err error
		out, err = n.page(a, list, q, pick)
		return err
	})
	return out, err
}

// Replies lists the direct replies to post postID that a sees, as
// [Community.Posts] lists posts.
func (c *Community) Replies(a Actor, postID string, q PostQuery, pick Cut) (Page, error) {
	var out Page
	err := c.read(a, func(n *network) error {
		p, err := n.visiblePost(a, postID)
		if err != nil {
			return err
		}
		out, err = n.page(a, p.replies, q, pick)
		return err
	})
	return out, err
}

// page keeps the posts of list (in creation order) that a sees and q
// selects, orders them and cuts the page.
func (n *network) page(a Actor, list []*post, q PostQuery, pick Cut) (Page, error) {
	keep := make([]*post, 0, len(list))
	for _, p := range list {
		if !p.published() && p.ownerID != a.MemberID && !a.moderator() {
			continue
		}
		if len(q.PostTypeIDs) > 0 && !slices.Contains(q.PostTypeIDs, p.postTypeID) {
			continue
		}
		if s := n.spaces[p.spaceID]; s != nil && !s.canRead(a) {
			continue
		}
		keep = append(keep, p)
	}
	if key := orderKey(q.OrderBy); key != nil {
		slices.SortStableFunc(keep, func(x, y *post) int { return cmp.Or(key(x, y), cmp.Compare(x.seq, y.seq)) })
	}
	if !q.Reverse {
		slices.Reverse(keep) // descending by default
	}
	start, stop, err := cut(pick, len(keep))
	if err != nil {
		return Page{}, err
	}
	out := Page{Total: len(keep), Start: start, Items: make([]map[string]any, 0, stop-start)}
	for _, p := range keep[start:stop] {
		out.Items = append(out.Items, p.viewFor(a.MemberID))
	}
	return out, nil
}

// orderKey compares two posts by a PostListOrderByEnum value, ascending;
// nil for the creation order.
func orderKey(orderBy string) func(x, y *post) int {
	switch orderBy {
	case "publishedAt":
		return func(x, y *post) int { return x.publishedAt.Compare(y.publishedAt) }
	case "updatedAt":
		return func(x, y *post) int { return x.updatedAt.Compare(y.updatedAt) }
	case "lastActivityAt":
		return func(x, y *post) int { return x.activityAt.Compare(y.activityAt) }
	case "reactionsCount":
		return func(x, y *post) int { return cmp.Compare(x.reactionsCount, y.reactionsCount) }
	case "repliesCount":
		return func(x, y *post) int { return cmp.Compare(len(x.replies), len(y.replies)) }
	case "totalRepliesCount":
		return func(x, y *post) int { return cmp.Compare(x.totalReplies, y.totalReplies) }
	}
	return nil
}
