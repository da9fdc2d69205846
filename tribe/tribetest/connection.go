package tribetest

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// A mocked connection (a type with pageInfo and edges or nodes): a list
// of totalCount items, in an order of their own, paged by limit, offset,
// after and before (cursors of this server, automock.Page), reverse
// flipping the order. Its items are the store's objects of its node type
// for a field of the Query type when the store has any, the caller's
// network's members for a connection of members, else mocked objects
// whose identity is the connection's and their position.

// smallPage is the most nodes a connObj holds without a second
// allocation.
const smallPage = 10

type connObj struct {
	def         *ast.Definition
	ci          *graphql.Connection
	seed        uint64
	total       int
	nodes       []any
	small       [smallPage]any // nodes' backing array for a small page
	start       int            // the position of nodes[0]
	hasNext     bool
	hasPrevious bool
	page        pageMock // its pageInfo, made when asked for
}

func (o *connObj) TypeName() string        { return o.def.Name }
func (o *connObj) ident() (string, uint64) { return "", o.seed }

func (*connObj) fixedFields() {}

func (o *connObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "totalCount":
		return &o.total, nil // not boxed
	case "nodes":
		return &o.nodes, nil // not boxed again
	case "edges":
		if o.ci.Edge == nil {
			return nil, nil
		}
		edges := make([]any, len(o.nodes))
		for i := range o.nodes {
			edges[i] = &edgeObj{typeName: o.ci.Edge.Name, cursor: automock.Cursor(o.start + i), node: o.nodes[i].(object), seed: automock.HashIndex(o.seed^0xed9e, i)}
		}
		return edges, nil
	case "pageInfo":
		p := &o.page
		if p.def == nil {
			*p = pageMock{def: o.ci.PageInfo, seed: automock.HashString(o.seed, "pageInfo"), hasNext: o.hasNext, hasPrevious: o.hasPrevious}
			if n := len(o.nodes); n > 0 {
				p.start, p.end = cursorValue(o.start), cursorValue(o.start+n-1)
				p.any = true
			}
		}
		return p, nil
	}
	return mockIt{}, nil
}

// cursorValue is the cursor of a position of a mocked connection,
// written into the answer without being built first.
type cursorValue int

func (c *cursorValue) AppendJSON(b []byte) []byte {
	b = append(b, '"')
	b = automock.AppendCursor(b, int(*c))
	return append(b, '"')
}

func (c *cursorValue) String() string { return automock.Cursor(int(*c)) }

// edgeObj is an edge of a connection, mocked or of the caller's
// network's members: its cursor and node, the rest of its fields mocked
// from seed.
type edgeObj struct {
	typeName string
	cursor   string
	node     object
	seed     uint64
}

func (o *edgeObj) TypeName() string        { return o.typeName }
func (o *edgeObj) ident() (string, uint64) { return "", o.seed }

func (o *edgeObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "cursor":
		return o.cursor, nil
	case "node":
		return o.node, nil
	}
	return mockIt{}, nil
}

type pageMock struct {
	def                  *ast.Definition
	seed                 uint64
	start, end           cursorValue
	any                  bool // the page has nodes: start and end are set
	hasNext, hasPrevious bool
}

func (o *pageMock) TypeName() string        { return o.def.Name }
func (o *pageMock) ident() (string, uint64) { return "", o.seed }

func (*pageMock) fixedFields() {}

func (o *pageMock) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "endCursor":
		if !o.any {
			return nil, nil
		}
		return &o.end, nil
	case "startCursor":
		if !o.any {
			return nil, nil
		}
		return &o.start, nil
	case "hasNextPage":
		return o.hasNext, nil
	case "hasPreviousPage":
		return o.hasPrevious, nil
	}
	return mockIt{}, nil
}

// connection mocks a page of the connection type def for a field of obj.
func (rc *reqCtx) connection(obj object, args map[string]any, def *ast.Definition, ci *graphql.Connection, seed uint64) (any, error) {
	var ids []string
	var members []*Member
	total := rc.s.cfg.mockPageTotal
	switch {
	case obj.TypeName() == rc.s.schema.Query.Name && rc.s.store.count(ci.Node.Name) > 0:
		ids = rc.s.store.ids(ci.Node.Name)
		total = len(ids)
	case ci.Node.Name == "Member" && len(rc.members()) > 0:
		members = rc.members()
		total = len(members)
	}
	reverse, _ := args["reverse"].(bool)
	start, stop, err := automock.Page(args, total, func(c string) int { return automock.CursorIndex(c, total) })
	if err != nil {
		return nil, &apiError{code: codeInvalidParam, message: err.Error()}
	}
	c := rc.newConn()
	*c = connObj{def: def, ci: ci, seed: seed, total: total, start: start, hasNext: stop < total, hasPrevious: start > 0}
	if stop-start <= smallPage {
		c.nodes = c.small[: 0 : stop-start]
	} else {
		c.nodes = make([]any, 0, stop-start)
	}
	var nodeHasID bool
	if ids == nil && members == nil {
		rc.reserve(stop - start) // mocked nodes, in one chunk
		nodeHasID = rc.s.mock.HasID(ci.Node)
	}
	for p := start; p < stop; p++ {
		i := p
		if reverse {
			i = total - 1 - p
		}
		var node object
		switch {
		case ids != nil:
			node = rc.ref(ci.Node, ids[i], nil)
		case members != nil:
			node = rc.memberAt(i)
		default:
			node = rc.makeObject(ci.Node, nodeHasID, "", automock.HashIndex(seed, i))
		}
		if node == nil { // an abstract type without concrete types
			return nil, nil
		}
		c.nodes = append(c.nodes, node)
	}
	return c, nil
}
