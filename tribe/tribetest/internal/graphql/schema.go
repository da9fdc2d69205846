package graphql

import (
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
)

// Schema is a schema ready to serve: the rules derived from it, computed
// once, and the codes of the errors the engine answers. It is read-only
// once built, and safe for concurrent use.
type Schema struct {
	AST   *ast.Schema
	Codes Codes
	// possible are the concrete types of each abstract type, by name,
	// sorted by name.
	possible map[string][]*ast.Definition
	conns    map[string]*Connection
	// executors are executors between executions, kept for the room
	// they have.
	executors sync.Pool
}

// Connection is a paginated connection type: an object type with a
// pageInfo field, and a list of nodes, or of edges with a node (as Relay's
// https://relay.dev/graphql/connections.htm, or Tribe's PaginatedSpace
// with nodes, edges and totalCount).
type Connection struct {
	Node     *ast.Definition // the type of nodes, or of edges' node
	Edge     *ast.Definition // the type of edges; nil without edges
	PageInfo *ast.Definition
}

// NewSchema prepares s to be served, with codes for the engine's errors.
func NewSchema(s *ast.Schema, codes Codes) *Schema {
	sc := &Schema{AST: s, Codes: codes, possible: map[string][]*ast.Definition{}, conns: map[string]*Connection{}}
	for name, def := range s.Types {
		switch def.Kind {
		case ast.Union, ast.Interface:
			ps := slices.Clone(s.GetPossibleTypes(def))
			slices.SortFunc(ps, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
			sc.possible[name] = ps
		}
		if c := connectionOf(s, def); c != nil {
			sc.conns[name] = c
		}
	}
	return sc
}

// Connection is the connection type named name, or nil when that type is
// not one. It is the one rule for "is this type a connection" that the
// cost, the complexity and mocks share.
func (s *Schema) Connection(name string) *Connection { return s.conns[name] }

// PossibleTypes are the concrete types of the abstract type named name,
// sorted by name; nil for another type.
func (s *Schema) PossibleTypes(name string) []*ast.Definition { return s.possible[name] }

// connectionOf recognises a connection type: an object type with a
// pageInfo object, and a list of nodes, or a list of edges with a node.
func connectionOf(schema *ast.Schema, def *ast.Definition) *Connection {
	if def.Kind != ast.Object {
		return nil
	}
	pi := def.Fields.ForName("pageInfo")
	if pi == nil || pi.Type.Elem != nil {
		return nil
	}
	c := &Connection{PageInfo: schema.Types[pi.Type.Name()]}
	if n := def.Fields.ForName("nodes"); n != nil && n.Type.Elem != nil {
		c.Node = schema.Types[n.Type.Name()]
	}
	if e := def.Fields.ForName("edges"); e != nil && e.Type.Elem != nil {
		c.Edge = schema.Types[e.Type.Name()]
		if c.Edge != nil {
			if n := c.Edge.Fields.ForName("node"); n != nil && n.Type.Elem == nil && c.Node == nil {
				c.Node = schema.Types[n.Type.Name()]
			}
		}
	}
	if c.Node == nil || c.PageInfo == nil {
		return nil
	}
	return c
}

// applies reports whether a fragment on cond applies to an object of type
// typeName.
func (s *Schema) applies(cond, typeName string) bool {
	if cond == "" || cond == typeName {
		return true
	}
	for _, p := range s.possible[cond] {
		if p.Name == typeName {
			return true
		}
	}
	return false
}
