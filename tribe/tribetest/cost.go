package tribetest

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// An operation's cost (package graphql's Query.Cost) bounds the fields it
// could resolve, with the lists of this server as long as they can be:
// members(limit:) as many members as the largest network has;
// Network.roles the most roles a network has; a mocked connection's page
// min(limit, the mocked total, the largest network's members, the most
// stored objects of a type); any other list the most of the mocked list
// length, the largest network's members, the longest list in the store
// and the most roles.

const (
	// defaultMaxCost is the default cost limit: well above what the
	// queries of an app and a full introspection query cost, well below
	// what would take the server long to answer.
	defaultMaxCost = 50000
	// defaultMaxResponseBytes is the default bound on an answer's size.
	defaultMaxResponseBytes = 8 << 20
	// minResponseBytes is the least bound WithResponseSizeLimit takes:
	// room for the error that replaces an answer too large.
	minResponseBytes = 1 << 10
)

// listBounds are how long the server's lists can be, as they stood when
// a cost was computed: a graphql.Bounds (as *listBounds, the same pointer
// while they stay the same), compared with == to reuse a cached cost.
type listBounds struct {
	members int // the most members a network has
	roles   int // the most roles a network has
	list    int // a list: members, mocked list length, longest stored list
	page    int // a connection's page: members, mocked total, stored objects of a type
}

func (b listBounds) ListItems(f *ast.Field) int {
	if f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Network" && f.Name == "roles" {
		return b.roles
	}
	return max(b.list, b.roles)
}

func (b listBounds) PageItems(f *ast.Field) int {
	if f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Query" && f.Name == "members" {
		return b.members
	}
	return b.page
}

// queryCost is the cost of op with vars, cached with q while neither the
// variables nor the server's lists change it.
func (s *Server) queryCost(q *graphql.Query, op *ast.OperationDefinition, vars map[string]any) int {
	return q.Cost(op, vars, s.cfg.maxCost, s.boundsFn)
}

// listBounds are the bounds of lists and pages as they stand: the same
// pointer as last time while they are the same.
func (s *Server) listBounds() graphql.Bounds {
	perType, list := s.store.bounds()
	m := s.memberBound()
	b := listBounds{
		members: m,
		roles:   s.maxRoles,
		list:    max(m, s.cfg.mockListLen, list),
		page:    max(m, s.cfg.mockPageTotal, perType),
	}
	if last := s.lastBounds.Load(); last != nil && *last == b {
		return last
	}
	changed := b // allocated only here, when the bounds changed
	s.lastBounds.Store(&changed)
	return &changed
}

// memberBound is the number of members of the largest network, which no
// page of members can pass.
func (s *Server) memberBound() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, nr := range s.st.networks {
		n = max(n, len(nr.members))
	}
	return n
}
