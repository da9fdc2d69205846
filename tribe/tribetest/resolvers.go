package tribetest

import (
	"encoding/base64"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// rootObject resolves the Query type's fields for one request.
type rootObject struct {
	s    *Server
	rec  *Request
	auth *authState
}

func (q *rootObject) typeName() string { return q.s.schema.Query.Name }

func (q *rootObject) ident() (string, uint64) { return "", rootSeed(q.typeName(), q.auth) }

// rootSeed is the seed of a root type's mocked fields: one per network.
func rootSeed(typ string, auth *authState) uint64 {
	h := hashString(0, typ)
	if auth != nil && auth.net != nil {
		h = hashString(h, auth.net.net.ID)
	}
	return h
}

// opRoot is the Mutation type: mocked, overridden, needing a Bearer
// token.
type opRoot struct {
	def  *ast.Definition
	auth *authState
}

func (o *opRoot) typeName() string        { return o.def.Name }
func (o *opRoot) ident() (string, uint64) { return "", rootSeed(o.def.Name, o.auth) }

func (o *opRoot) field(string, map[string]any) (any, error) {
	if o.auth.member == nil {
		if o.auth.err != nil {
			return nil, o.auth.err
		}
		return nil, errInvalidToken()
	}
	return mockIt{}, nil
}

func (q *rootObject) field(name string, args map[string]any) (any, error) {
	switch name {
	case "limitedToken":
		return q.limitedToken(args)
	case "__schema":
		return &schemaObj{schema: q.s.schema}, nil
	case "__type":
		return q.s.introspectType(stringArg(args, "name")), nil
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
	return mockIt{}, nil
}

// limitedToken mints an app token (https://developers.bettermode.com/docs/guide/graphql/authentication/app).
func (q *rootObject) limitedToken(args map[string]any) (any, error) {
	app := q.auth.app
	if app == nil { // authenticate refuses this before execution
		return nil, errInvalidToken()
	}
	networkID := stringArg(args, "networkId")
	entityID := stringArg(args, "entityId")
	permCtx := strings.ToUpper(stringArg(args, "context"))
	impersonate := stringArg(args, "impersonateMemberId")

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
	id, username := stringArg(args, "id"), stringArg(args, "username")
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
// order, or reversed; then after/before cursors, offset and limit.
func (s *Server) membersPage(nr *netRec, args map[string]any) (any, error) {
	limit, ok1 := intArg(args, "limit")
	offset, ok2 := intArg(args, "offset")
	if !ok1 || !ok2 || limit < 0 || offset < 0 {
		return nil, &apiError{code: codeInvalidParam, message: "limit and offset must be non-negative 32-bit integers"}
	}
	search := strings.ToLower(stringArg(args, "query"))
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

	start, end := 0, len(all)
	if after := stringArg(args, "after"); after != "" {
		i := cursorIndex(all, after)
		if i < 0 {
			return nil, &apiError{code: codeInvalidParam, message: "invalid cursor in after"}
		}
		start = i + 1
	}
	if before := stringArg(args, "before"); before != "" {
		i := cursorIndex(all, before)
		if i < 0 {
			return nil, &apiError{code: codeInvalidParam, message: "invalid cursor in before"}
		}
		end = i
		if stringArg(args, "after") == "" && end-limit-offset > start {
			start = end - limit - offset // the page just before the cursor
		}
	}
	start = min(start+offset, end)
	stop := min(start+limit, end)
	page := all[start:max(start, stop)]

	edges := make([]any, len(page))
	nodes := make([]any, len(page))
	for i, m := range page {
		mo := memberObj{m: m, nr: nr}
		nodes[i] = mo
		edges[i] = edgeObj{cursor: memberCursor(m), node: mo}
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

// stringArg is a String or ID argument, "" when absent or null.
func stringArg(args map[string]any, name string) string {
	switch v := args[name].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
	}
	return ""
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
			out = append(out, stringArg(map[string]any{"v": l[i]}, "v"))
		}
	case []string:
		out = append(out, l...)
	default:
		out = append(out, stringArg(args, name))
	}
	return out
}

// intArg is an Int argument (0 when absent); false when out of range.
func intArg(args map[string]any, name string) (int, bool) {
	var f float64
	switch v := args[name].(type) {
	case nil:
		return 0, true
	case int64:
		f = float64(v)
	case int:
		f = float64(v)
	case float64:
		f = v
	default:
		return 0, false
	}
	if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}
