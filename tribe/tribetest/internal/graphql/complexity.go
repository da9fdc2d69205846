package graphql

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// Complexity is Bettermode's query complexity, as its "GraphQL rate
// limits" page states it
// (https://developers.bettermode.com/docs/guide/graphql/rate-limits):
//   - a scalar or enum field costs 0;
//   - an object field costs 1, plus what its selections cost;
//   - a list of scalars costs 1;
//   - a list of objects costs 5 × what one object costs (1 plus its
//     selections);
//   - a connection ([Schema.Connection]) costs 2 + page size × what one
//     node costs, the page size being the field's limit argument (else
//     first or last; else 10), and a node costing what its selections
//     under nodes and under edges.node cost, plus 1.
//
// Aliases count each; fragment spreads count where they are spread;
// @skip(if: true) and @include(if: false) leave a selection out
// ([Included]); __typename and introspection fields cost 0. The count
// saturates at 2^40, and the walk stops 64 levels deep (fragment cycles
// are refused by validation; this is a second guard).
func Complexity(s *Schema, op *ast.OperationDefinition, vars map[string]any) int {
	c := &complexityWalk{schema: s, vars: vars}
	return c.set(op.SelectionSet, 0)
}

// opComplexity is an operation's complexity as cached with its query, with
// the values of the variables it depended on.
type opComplexity struct {
	cx   int
	vars varSnapshot
}

// Complexity is [Complexity] of op with vars, cached with q for the next
// request with the same values of the variables it reads.
func (q *Query) Complexity(op *ast.OperationDefinition, vars map[string]any) int {
	if oc := q.cx.load(q.doc, op); oc != nil {
		if oc.vars.matches(vars) {
			return oc.cx
		}
	}
	c := &complexityWalk{schema: q.schema, vars: vars}
	cx := c.set(op.SelectionSet, 0)
	slices.Sort(c.varNames)
	q.cx.store(q.doc, op, opComplexity{cx: cx, vars: snapshotVars(slices.Compact(c.varNames), vars)})
	return cx
}

const (
	// defaultPageSize is the page size of a connection asked for without
	// a limit.
	defaultPageSize = 10
	// maxComplexity bounds the count, against overflow.
	maxComplexity = 1 << 40
	// maxComplexityDepth bounds the walk's depth.
	maxComplexityDepth = 64
)

type complexityWalk struct {
	schema   *Schema
	vars     map[string]any
	varNames []string // the variables the walk read
}

func (c *complexityWalk) set(set ast.SelectionSet, depth int) int {
	if depth > maxComplexityDepth {
		return 0
	}
	total := 0
	for _, sel := range set {
		if !included(directives(sel), c.vars, &c.varNames) {
			continue
		}
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, c.field(s, depth))
		case *ast.InlineFragment:
			total = satAdd(total, c.set(s.SelectionSet, depth+1))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = satAdd(total, c.set(s.Definition.SelectionSet, depth+1))
			}
		}
	}
	return min(total, maxComplexity)
}

// field returns what one field costs.
func (c *complexityWalk) field(f *ast.Field, depth int) int {
	if f.Definition == nil || len(f.Name) >= 2 && f.Name[:2] == "__" {
		return 0
	}
	t := f.Definition.Type
	isList := t.Elem != nil
	for t.Elem != nil {
		t = t.Elem
	}
	def := c.schema.AST.Types[t.NamedType]
	if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
		if isList {
			return 1
		}
		return 0
	}
	if !isList && c.schema.Connection(def.Name) != nil {
		node := 1
		for _, sel := range c.flatten(f.SelectionSet, depth+1) {
			switch sel.Name {
			case "nodes":
				node = satAdd(node, c.set(sel.SelectionSet, depth+2))
			case "edges":
				for _, e := range c.flatten(sel.SelectionSet, depth+2) {
					if e.Name == "node" {
						node = satAdd(node, c.set(e.SelectionSet, depth+3))
					}
				}
			}
		}
		return satAdd(2, satMul(c.pageSize(f), node))
	}
	one := satAdd(1, c.set(f.SelectionSet, depth+1))
	if isList {
		return satMul(5, one)
	}
	return one
}

// flatten returns the fields of a selection set with its fragments
// spread, the ones @skip or @include leave out left out.
func (c *complexityWalk) flatten(set ast.SelectionSet, depth int) []*ast.Field {
	if depth > maxComplexityDepth {
		return nil
	}
	var out []*ast.Field
	for _, sel := range set {
		if !included(directives(sel), c.vars, &c.varNames) {
			continue
		}
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, c.flatten(s.SelectionSet, depth+1)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, c.flatten(s.Definition.SelectionSet, depth+1)...)
			}
		}
	}
	return out
}

// pageSize is a connection field's limit (or first, or last) argument.
func (c *complexityWalk) pageSize(f *ast.Field) int {
	for _, name := range []string{"limit", "first", "last"} {
		if a := f.Arguments.ForName(name); a != nil {
			c.varNames = appendVarNames(c.varNames, a.Value)
			v, err := a.Value.Value(c.vars)
			if err != nil {
				continue
			}
			switch n := v.(type) {
			case int64:
				return clampPage(n)
			case float64:
				return clampPage(int64(n))
			case int:
				return clampPage(int64(n))
			}
		}
	}
	return defaultPageSize
}

func clampPage(n int64) int {
	return int(max(0, min(n, maxComplexity)))
}
