package tribetest

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// rootObject resolves the Query type's fields for one request.
type rootObject struct {
	s    *Server
	rec  *Request
	auth *authState
}

func (q *rootObject) TypeName() string { return q.s.schema.Query.Name }

func (q *rootObject) ident() (string, uint64) { return "", rootSeed(q.TypeName(), q.auth) }

// rootSeed is the seed of a root type's mocked fields: one per network.
func rootSeed(typ string, auth *authState) uint64 {
	h := automock.HashString(0, typ)
	if auth != nil && auth.net != nil {
		h = automock.HashString(h, auth.net.net.ID)
	}
	return h
}

// opRoot is the Mutation type: mocked, overridden, needing a Bearer
// token.
type opRoot struct {
	def  *ast.Definition
	auth *authState
	s    *Server
}

func (o *opRoot) TypeName() string        { return o.def.Name }
func (o *opRoot) ident() (string, uint64) { return "", rootSeed(o.def.Name, o.auth) }

func (o *opRoot) field(name string, args map[string]any) (any, error) {
	if o.auth.member == nil {
		if o.auth.err != nil {
			return nil, o.auth.err
		}
		return nil, errInvalidToken()
	}
	return o.s.stateMutation(o.auth, name, args)
}

func (q *rootObject) field(name string, args map[string]any) (any, error) {
	switch name {
	case "limitedToken":
		return q.limitedToken(args)
	}
	if q.auth.member == nil {
		if q.auth.err != nil {
			return nil, q.auth.err
		}
		return nil, errInvalidToken()
	}
	switch name {
	case "authMember":
		return memberObj{m: q.auth.member, nr: q.auth.net}, nil
	case "network":
		return q.network(), nil
	case "member":
		return q.member(args)
	case "members":
		return q.s.membersPage(q.auth.net, args)
	}
	return q.s.stateQuery(q.auth, name, args)
}

// limitedToken mints an app token (https://developers.bettermode.com/docs/guide/graphql/authentication/app).
func (q *rootObject) limitedToken(args map[string]any) (any, error) {
	app := q.auth.app
	if app == nil { // authenticate refuses this before execution
		return nil, errInvalidToken()
	}
	networkID := graphql.StringArg(args, "networkId")
	entityID := graphql.StringArg(args, "entityId")
	permCtx := strings.ToUpper(graphql.StringArg(args, "context"))
	impersonate := graphql.StringArg(args, "impersonateMemberId")

	s := q.s
	s.mu.Lock()
	nr := s.st.netByID[networkID]
	if nr == nil || !app.installed[networkID] {
		s.mu.Unlock()
		return nil, &apiError{code: codeForbidden, message: "Forbidden"}
	}
	var m *Member
	var err *apiError
	switch {
	case permCtx == "NETWORK" && entityID != networkID:
		err = &apiError{code: codeInvalidParam, message: "entityId must be the networkId when context is NETWORK"}
	case permCtx == "MEMBER" && s.st.memberIn(nr, entityID) == nil:
		err = errNotFound("member " + entityID)
	case impersonate != "":
		if m = s.st.memberIn(nr, impersonate); m == nil {
			err = errNotFound("member " + impersonate)
		}
	default:
		m = app.bots[networkID]
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	token, merr := s.mint(m, nr, app.app.ID)
	if merr != nil {
		return nil, &apiError{code: codeServer, message: "cannot sign the token"}
	}
	q.rec.MemberID, q.rec.NetworkID = m.ID, nr.net.ID
	tok := appTokenObj{accessToken: token}
	if !s.cfg.noGateway {
		// The server's own URL, never the request's Host: a client
		// must not choose where the gateway it is told of is.
		base := s.cfg.publicURL
		if base == "" {
			base = s.URL
		}
		tok.gatewayURL = base + gatewayPath + "/" + url.PathEscape(networkID)
	}
	return tok, nil
}

func (q *rootObject) network() any {
	s := q.s
	s.mu.Lock()
	defer s.mu.Unlock()
	nr := q.auth.net
	count := 0
	for _, m := range nr.members {
		if listed(m) {
			count++
		}
	}
	return networkObj{n: nr.net, nr: nr, membersCount: count, s: s}
}

func (q *rootObject) member(args map[string]any) (any, error) {
	id, username := graphql.StringArg(args, "id"), graphql.StringArg(args, "username")
	if id == "" && username == "" {
		return nil, &apiError{code: codeMissingParam, message: "member needs an id or a username"}
	}
	s := q.s
	s.mu.Lock()
	defer s.mu.Unlock()
	nr := q.auth.net
	var m *Member
	if id != "" {
		m = s.st.memberIn(nr, id)
	} else {
		m = nr.byUsername[strings.ToLower(username)]
	}
	if m == nil || (username != "" && !strings.EqualFold(m.Username, username)) {
		return nil, errNotFound("member")
	}
	return memberObj{m: m, nr: nr}, nil
}

// membersPage lists the members of network nr: filtered by query (name,
// username or email, case-insensitive), roleIds and status; in fixture
// order, or reversed; then paged by after/before cursors, offset and limit
// (automock.Page).
func (s *Server) membersPage(nr *netRec, args map[string]any) (any, error) {
	search := strings.ToLower(graphql.StringArg(args, "query"))
	roleIDs := stringListArg(args, "roleIds")
	var statuses []string
	for _, st := range stringListArg(args, "status") {
		for _, known := range memberStatuses() {
			if strings.EqualFold(st, known) {
				statuses = append(statuses, known)
			}
		}
	}
	reverse, _ := args["reverse"].(bool)

	s.mu.Lock()
	var all []*Member
	for _, m := range nr.members {
		if !listed(m) ||
			roleIDs != nil && !slices.Contains(roleIDs, m.RoleID) ||
			statuses != nil && !slices.Contains(statuses, m.Status) ||
			search != "" && !strings.Contains(strings.ToLower(m.Name), search) &&
				!strings.Contains(strings.ToLower(m.Username), search) &&
				!strings.Contains(strings.ToLower(m.Email), search) {
			continue
		}
		all = append(all, m)
	}
	s.mu.Unlock()
	if reverse {
		slices.Reverse(all)
	}

	start, stop, err := automock.Page(args, len(all), func(c string) int { return cursorIndex(all, c) })
	if err != nil {
		return nil, &apiError{code: codeInvalidParam, message: err.Error()}
	}
	page := all[start:stop]

	edges := make([]any, len(page))
	nodes := make([]any, len(page))
	edgeSeed := automock.HashString(0, "MemberEdge") // an edge's own fields are mocked alike
	for i, m := range page {
		mo := memberObj{m: m, nr: nr}
		nodes[i] = mo
		edges[i] = &edgeObj{typeName: "MemberEdge", cursor: memberCursor(m), node: mo, seed: edgeSeed}
	}
	pi := pageInfoObj{hasNextPage: stop < len(all)}
	if len(page) > 0 {
		pi.endCursor = memberCursor(page[len(page)-1])
	}
	return paginatedObj{edges: edges, nodes: nodes, pageInfo: pi, totalCount: len(all)}, nil
}

// listed reports whether a member appears in members and membersCount.
func listed(m *Member) bool { return m.Status != "DELETED" && m.Status != "REMOVED" }

func memberCursor(m *Member) string {
	return base64.RawURLEncoding.EncodeToString([]byte("member:" + m.ID))
}

func cursorIndex(all []*Member, cursor string) int {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	id, ok := strings.CutPrefix(string(b), "member:")
	if err != nil || !ok {
		return -1
	}
	return slices.IndexFunc(all, func(m *Member) bool { return m.ID == id })
}

// stringListArg is a list argument; nil when absent or null.
func stringListArg(args map[string]any, name string) []string {
	v, ok := args[name]
	if !ok || v == nil {
		return nil
	}
	out := []string{}
	switch l := v.(type) {
	case []any:
		for i := range l {
			out = append(out, graphql.StringArg(map[string]any{"v": l[i]}, "v"))
		}
	case []string:
		out = append(out, l...)
	default:
		out = append(out, graphql.StringArg(args, name))
	}
	return out
}
