package tribetest

// Tribe's core objects, stateful: posts and replies, reactions, spaces
// and their members, members' profiles and apps' settings, kept by
// package community and answered at step 2 of the resolve order
// (resolve.go): the root fields that read or change them are the root
// objects' own fields, and an object the community holds answers its
// fields from the community's value of it (Post.replies and
// Space.members from its lists). An id the community never held goes on
// to the store and the mock, as before.

import (
	"errors"
	"maps"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// newCommunity makes the server's community, seeded from the fixtures'
// Post and Space objects (in the first network, unless they name
// another).
func (s *Server) newCommunity() error {
	s.comm = community.New(community.Options{Now: s.Now, Emit: s.emitEvent, Member: s.communityMember})
	f := s.cfg.fixtures
	seed := community.Seed{Spaces: f.Objects["Space"], Posts: f.Objects["Post"]}
	if len(f.Networks) > 0 {
		seed.Network = f.Networks[0].ID
	}
	if len(seed.Spaces)+len(seed.Posts) == 0 {
		return nil
	}
	if err := s.comm.Seed(seed); err != nil {
		return errors.New("tribetest: fixtures' " + strings.TrimPrefix(err.Error(), "community: "))
	}
	return nil
}

// communityMember is the community's view of member id of network
// networkID. It takes s.mu: the community calls it with a lock of its
// own held, and the server never calls the community with s.mu held.
func (s *Server) communityMember(networkID, id string) (community.MemberInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nr := s.st.netByID[networkID]
	if nr == nil {
		return community.MemberInfo{}, false
	}
	m := s.st.memberIn(nr, id)
	if m == nil {
		return community.MemberInfo{}, false
	}
	info := community.MemberInfo{ID: m.ID, Name: m.Name, Username: m.Username, Email: m.Email, RoleID: m.RoleID, Status: m.Status}
	if r := nr.roleByID[m.RoleID]; r != nil {
		info.Role = r.Type
	}
	return info, true
}

// actor is who a request acts as, for the community.
func actor(a *authState) community.Actor {
	if a == nil || a.member == nil || a.net == nil {
		return community.Actor{}
	}
	m := a.member
	act := community.Actor{NetworkID: a.net.net.ID, MemberID: m.ID, RoleID: m.RoleID, Status: m.Status, Bot: m.Bot}
	if r := a.net.roleByID[m.RoleID]; r != nil {
		act.Role = r.Type
	}
	return act
}

// communityError is err as the GraphQL error of a field.
func communityError(err error) error {
	var ce *community.Error
	if errors.As(err, &ce) {
		return &apiError{code: ce.Code, message: ce.Message}
	}
	return err
}

// answer is a community value of a field, or the error; an unknown id
// passes the field on to the store and the mock.
func answer(v any, err error) (any, error) {
	if err != nil {
		if community.IsUnknown(err) {
			return mockIt{}, nil
		}
		return nil, communityError(err)
	}
	return v, nil
}

// stateObj is an object the community holds: its fields answer from
// the community's value (mockObj.data), the others are mocked; a post's
// replies and a space's members page the community's lists.
type stateObj struct {
	mockObj
	s     *Server
	actor community.Actor
}

func (o *stateObj) field(name string, args map[string]any) (any, error) {
	switch {
	case o.def.Name == "Post" && name == "replies":
		return answer(o.s.postsConn(o.def.Fields.ForName(name).Type, args, func(cut community.Cut) (community.Page, error) {
			return o.s.comm.Replies(o.actor, o.id, community.PostQueryOf(args), cut)
		}))
	case o.def.Name == "Space" && name == "members":
		return answer(o.s.postsConn(o.def.Fields.ForName(name).Type, args, func(cut community.Cut) (community.Page, error) {
			return o.s.comm.SpaceMembers(o.actor, o.id, nil, false, cut)
		}))
	}
	return o.mockObj.field(name, args)
}

// object is the community's value v of type typ as an object.
func (s *Server) object(typ string, v map[string]any, a community.Actor) object {
	def := s.schema.Types[typ]
	id, _ := v["id"].(string)
	return &stateObj{mockObj: mockObj{def: def, id: id, seed: automock.EntitySeed(typ, id), data: v}, s: s, actor: a}
}

// plain is a value of type typ with data v, such as an Action.
func (s *Server) plain(typ string, v map[string]any) object {
	return &mockObj{def: s.schema.Types[typ], seed: automock.HashString(0, typ), data: v}
}

// succeeded is the Action of a change that was made.
func (s *Server) succeeded() (any, error) {
	return s.plain("Action", map[string]any{"status": "succeeded"}), nil
}

// postsConn is a page of a community list as the connection type t
// (PaginatedPost, PaginatedSpaceMember…), cut by the field's limit,
// offset, after and before, as the mock's connections are.
func (s *Server) postsConn(t *ast.Type, args map[string]any, list func(community.Cut) (community.Page, error)) (any, error) {
	def := s.schema.Types[t.Name()]
	if def == nil {
		return mockIt{}, nil
	}
	page, err := list(func(total int) (int, int, error) {
		start, stop, err := automock.Page(args, total, func(c string) int { return automock.CursorIndex(c, total) })
		if err != nil {
			return 0, 0, &apiError{code: codeInvalidParam, message: err.Error()}
		}
		return start, stop, nil
	})
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, err
	}
	nodes := make([]any, len(page.Items))
	edges := make([]any, len(page.Items))
	for i, n := range page.Items {
		nodes[i] = n
		edges[i] = map[string]any{"cursor": automock.Cursor(page.Start + i), "node": n}
	}
	info := map[string]any{"hasNextPage": page.Start+len(page.Items) < page.Total, "hasPreviousPage": page.Start > 0, "endCursor": nil, "startCursor": nil}
	if len(nodes) > 0 {
		info["startCursor"], info["endCursor"] = automock.Cursor(page.Start), automock.Cursor(page.Start+len(nodes)-1)
	}
	data := map[string]any{"totalCount": page.Total, "nodes": nodes, "edges": edges, "pageInfo": info}
	return &mockObj{def: def, seed: automock.HashString(0, def.Name), data: data}, nil
}

// stateQuery answers the Query fields the community keeps, and passes
// the others on.
func (s *Server) stateQuery(auth *authState, fd string, args map[string]any) (any, error) {
	c := s.comm
	a := actor(auth)
	str := func(k string) string { return graphql.StringArg(args, k) }
	conn := func(list func(community.Cut) (community.Page, error)) (any, error) {
		return answer(s.postsConn(s.schema.Query.Fields.ForName(fd).Type, args, list))
	}
	switch fd {
	case "post":
		if !c.HasPosts() {
			return mockIt{}, nil
		}
		v, err := c.Post(a, str("id"))
		return answer(s.objectOf("Post", v, err, a))
	case "posts":
		if !c.HasPosts() && !c.HasSpaces() {
			return mockIt{}, nil
		}
		return conn(func(cut community.Cut) (community.Page, error) { return c.Posts(a, community.PostQueryOf(args), cut) })
	case "replies":
		if !c.HasPosts() {
			return mockIt{}, nil
		}
		return conn(func(cut community.Cut) (community.Page, error) {
			return c.Replies(a, str("postId"), community.PostQueryOf(args), cut)
		})
	case "space":
		if !c.HasSpaces() {
			return mockIt{}, nil
		}
		v, err := c.Space(a, str("id"), str("slug"))
		return answer(s.objectOf("Space", v, err, a))
	case "spaces":
		if !c.HasSpaces() {
			return mockIt{}, nil
		}
		return conn(func(cut community.Cut) (community.Page, error) { return c.Spaces(a, community.SpaceQueryOf(args), cut) })
	case "spaceMembers":
		if !c.HasSpaces() {
			return mockIt{}, nil
		}
		roles := community.PostQueryOf(map[string]any{"spaceIds": args["roleIds"]}).SpaceIDs
		reverse, _ := args["reverse"].(bool)
		return conn(func(cut community.Cut) (community.Page, error) {
			return c.SpaceMembers(a, str("spaceId"), roles, reverse, cut)
		})
	case "getAppNetworkSettings":
		return answer(c.AppSettings(a, str("appId")))
	}
	return mockIt{}, nil
}

// objectOf is v as an object of type typ, or err.
func (s *Server) objectOf(typ string, v map[string]any, err error, a community.Actor) (any, error) {
	if err != nil {
		return nil, err
	}
	return s.object(typ, v, a), nil
}

// stateMutation answers the Mutation fields the community keeps, and
// passes the others on.
func (s *Server) stateMutation(auth *authState, fd string, args map[string]any) (any, error) {
	c := s.comm
	a := actor(auth)
	str := func(k string) string { return graphql.StringArg(args, k) }
	input, _ := args["input"].(map[string]any)
	action := func(err error) (any, error) {
		if err != nil {
			return answer(nil, err)
		}
		return s.succeeded()
	}
	switch fd {
	case "createPost":
		v, err := c.CreatePost(a, str("spaceId"), community.PostInputOf(input))
		return answer(s.objectOf("Post", v, err, a))
	case "createReply":
		v, err := c.CreateReply(a, str("postId"), community.PostInputOf(input))
		return answer(s.objectOf("Post", v, err, a))
	case "updatePost":
		v, err := c.UpdatePost(a, str("id"), community.PostInputOf(input))
		return answer(s.objectOf("Post", v, err, a))
	case "deletePost":
		return action(c.DeletePost(a, str("id")))
	case "addReaction":
		return action(c.AddReaction(a, str("postId"), graphql.StringArg(input, "reaction")))
	case "removeReaction":
		return action(c.RemoveReaction(a, str("postId"), str("reaction")))
	case "createSpace":
		v, err := c.CreateSpace(a, community.SpaceInputOf(input))
		return answer(s.objectOf("Space", v, err, a))
	case "updateSpace":
		v, err := c.UpdateSpace(a, str("id"), community.SpaceInputOf(input))
		return answer(s.objectOf("Space", v, err, a))
	case "deleteSpace":
		return action(c.DeleteSpace(a, str("id")))
	case "joinSpace":
		return action(c.JoinSpace(a, str("spaceId")))
	case "leaveSpace":
		return action(c.LeaveSpace(a, str("spaceId")))
	case "updateMember":
		return s.updateMember(auth, a, str("id"), input)
	case "updateAppNetworkSettings":
		v, err := c.UpdateAppSettings(a, str("appId"), str("settings"))
		if err != nil {
			return nil, communityError(err)
		}
		return s.plain("AppAction", map[string]any{"status": "succeeded", "data": v}), nil
	case "installApp", "uninstallApp", "globalTestAppWebhook", "interactWithApps":
		return s.appMutation(auth, a, fd, args)
	}
	return mockIt{}, nil
}

// updateMember changes a member's profile: the community checks and
// tells of it, and the fixtures' member takes the change, so that every
// field and lookup (members(query:), a login by username) sees it.
func (s *Server) updateMember(auth *authState, a community.Actor, id string, input map[string]any) (any, error) {
	in := community.MemberInputOf(input)
	if id == "" {
		id = a.MemberID
	}
	s.mu.Lock()
	var nr *netRec
	if auth != nil {
		nr = auth.net
	}
	var bad *apiError
	if nr != nil {
		if in.RoleID != nil && nr.role(*in.RoleID) == nil {
			bad = &apiError{code: codeInvalidParam, message: "input.roleId " + strconvQuote(*in.RoleID) + " is not a role of the network; give the id of one of its roles"}
		}
		if in.Username != nil {
			if m := nr.byUsername[strings.ToLower(*in.Username)]; m != nil && m.ID != id {
				bad = &apiError{code: codeInvalidParam, message: "input.username " + strconvQuote(*in.Username) + " is another member's; choose another"}
			}
		}
		if in.Email != nil && *in.Email != "" {
			if m := nr.byEmail[strings.ToLower(*in.Email)]; m != nil && m.ID != id {
				bad = &apiError{code: codeInvalidParam, message: "input.email is another member's; give another"}
			}
		}
	}
	s.mu.Unlock()
	if bad != nil {
		return nil, bad
	}
	if _, err := s.comm.UpdateMember(a, id, in); err != nil {
		return nil, communityError(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if nr == nil {
		return mockIt{}, nil
	}
	old := s.st.memberIn(nr, id)
	if old == nil {
		return nil, errNotFound("member " + id)
	}
	m := *old
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&m.Name, in.Name)
	set(&m.Username, in.Username)
	set(&m.Tagline, in.Tagline)
	set(&m.Locale, in.Locale)
	set(&m.Email, in.Email)
	if in.RoleID != nil {
		m.RoleID = nr.role(*in.RoleID).ID
	}
	m.UpdatedAt = s.Now()
	s.replaceMember(nr, old, &m)
	return memberObj{m: &m, nr: nr}, nil
}

// replaceMember puts m in the place of old in the fixtures' state,
// keeping the first value of each member to put back on reset; s.mu is
// held.
func (s *Server) replaceMember(nr *netRec, old, m *Member) {
	if _, ok := s.originals[m.ID]; !ok {
		s.originals[m.ID] = old
	}
	s.st.members[m.ID] = m
	if i := indexOf(nr.members, old); i >= 0 {
		nr.members = append(nr.members[:i:i], append([]*Member{m}, nr.members[i+1:]...)...)
	}
	for _, ix := range []struct {
		idx      map[string]*Member
		old, new string
	}{
		{nr.byUsername, strings.ToLower(old.Username), strings.ToLower(m.Username)},
		{nr.byEmail, strings.ToLower(old.Email), strings.ToLower(m.Email)},
		{nr.byExternal, old.ExternalID, m.ExternalID},
	} {
		if ix.idx[ix.old] == old {
			delete(ix.idx, ix.old)
		}
		if ix.new != "" {
			ix.idx[ix.new] = m
		}
	}
}

func indexOf(l []*Member, m *Member) int {
	for i, x := range l {
		if x == m {
			return i
		}
	}
	return -1
}

// resetCommunity puts the community and the members updateMember changed
// back as the fixtures have them.
func (s *Server) resetCommunity() {
	s.comm.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, orig := range s.originals {
		cur := s.st.members[id]
		if cur == nil {
			continue
		}
		if nr := s.st.netByID[cur.NetworkID]; nr != nil {
			s.replaceMember(nr, cur, orig)
		}
	}
	clear(s.originals)
}

// stateRef is the object of type def and id the community holds, or
// nil: its value, with data over it.
func (rc *reqCtx) stateRef(def *ast.Definition, id string, data map[string]any) object {
	c := rc.s.comm
	var v map[string]any
	var err error
	a := actor(rc.auth)
	switch {
	case def.Name == "Post" && c.HasPosts():
		v, err = c.Post(a, id)
	case def.Name == "Space" && c.HasSpaces():
		v, err = c.Space(a, id, "")
	default:
		return nil
	}
	if err != nil || v == nil {
		return nil
	}
	if data != nil {
		merged := maps.Clone(v)
		maps.Copy(merged, data)
		v = merged
	}
	return rc.s.object(def.Name, v, a)
}

// stateData is the data of the object of type typ and id: the store's,
// with a member's profile changes (those the fixtures' Member has no
// field for: profilePictureId, bannerId, fields) over it.
func (rc *reqCtx) stateData(typ, id string) map[string]any {
	stored := rc.s.store.data(typ, id)
	if typ != "Member" || rc.auth == nil || rc.auth.net == nil {
		return stored
	}
	p := rc.s.comm.Profile(rc.auth.net.net.ID, id)
	if p == nil {
		return stored
	}
	if stored == nil {
		return p
	}
	merged := maps.Clone(stored)
	maps.Copy(merged, p)
	return merged
}
