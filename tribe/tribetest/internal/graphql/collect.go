package graphql

import (
	"sync"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
)

// Selection is one response key of a selection set, with the fields
// merged under it (GraphQL, section 6.3.2, CollectFields), in the order
// of the query.
type Selection struct {
	// Key is the response key: the alias, else the field's name.
	Key string
	// Fields are the fields merged under Key; Fields[0] names the field.
	Fields  []*ast.Field
	jsonKey []byte // ,"key":
	memo    *fieldMemo
	field   *Field // Field(), kept here: read for every object
}

// AppendKey appends s's key as a member of a JSON object, "key":, after
// a comma unless it is the object's first.
func (s *Selection) AppendKey(b []byte, first bool) []byte {
	if first {
		return append(b, s.jsonKey[1:]...)
	}
	return append(b, s.jsonKey...)
}

// Field is s's field as a [Resolver] is asked for it, or nil when the
// engine answers it itself: __typename, or a field the schema does not
// know (an error).
func (s *Selection) Field() *Field { return s.field }

// fieldMemo is what executing a selection remembers: for a static query
// (queryPlan), across its requests.
type fieldMemo struct {
	// field is the field as resolvers see it.
	field Field
	// sub are the sub-selections collected on each object type met, at
	// most maxSubTypes of them.
	sub atomic.Pointer[[]subFields]
	// args are the argument values, when they take no variable.
	args atomic.Pointer[map[string]any]
	// varArgs are the argument values of the last variables, when they
	// take some: the same while requests send the same values, which
	// Query.Coerce answers with the same map.
	varArgs atomic.Pointer[varArgs]
}

type subFields struct {
	typeName string
	sub      []Selection
}

// maxSubTypes bounds the object types whose sub-selections a field keeps.
const maxSubTypes = 8

type varArgs struct {
	vars map[string]any
	args map[string]any
}

// queryPlan is the part of executing a query shared by its requests: its
// operations' root fields collected, when no @skip or @include takes a
// variable (and, in their fieldMemo, their sub-selections and the
// arguments that take no variable).
type queryPlan struct {
	once   sync.Once
	static bool // no @skip or @include takes a variable
	roots  opMap[[]Selection]
}

// Included reports whether the directives of a field, fragment spread or
// inline fragment keep it, given the operation's variables: false when
// @skip(if: true) or @include(if: false) is among them (GraphQL, section
// 3.13). It is the one evaluation of those directives, for execution and
// complexity alike. An argument that is not a boolean (a variable left
// unset) keeps the selection.
func Included(dirs ast.DirectiveList, vars map[string]any) bool {
	return included(dirs, vars, nil)
}

// included is Included, appending to read, when not nil, the names of the
// variables the directives' if arguments read.
func included(dirs ast.DirectiveList, vars map[string]any, read *[]string) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		if read != nil {
			*read = appendVarNames(*read, arg.Value)
		}
		v, err := arg.Value.Value(vars)
		b, ok := v.(bool)
		if err != nil || !ok {
			continue
		}
		if d.Name == "skip" && b || d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// directives are the directives of a selection.
func directives(sel ast.Selection) ast.DirectiveList {
	switch s := sel.(type) {
	case *ast.Field:
		return s.Directives
	case *ast.InlineFragment:
		return s.Directives
	case *ast.FragmentSpread:
		return s.Directives
	}
	return nil
}

// collect is the spec's CollectFields for an object of type typeName:
// @skip/@include, fragments whose type condition applies, fields merged
// by response key, in order.
func (e *executor) collect(typeName string, set ast.SelectionSet, out []Selection, visited map[string]bool) []Selection {
	for _, sel := range set {
		if !Included(directives(sel), e.vars) {
			continue
		}
		switch s := sel.(type) {
		case *ast.Field:
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			if i := findKey(out, key); i >= 0 {
				out[i].Fields = append(out[i].Fields, s)
				continue
			}
			sel := Selection{Key: key, Fields: []*ast.Field{s}, jsonKey: append(AppendString([]byte{','}, key), ':'), memo: &fieldMemo{field: Field{Def: s.Definition}}}
			if s.Definition != nil && s.Name != "__typename" {
				sel.field = &sel.memo.field
			}
			out = append(out, sel)
		case *ast.InlineFragment:
			if e.schema.applies(s.TypeCondition, typeName) {
				out = e.collect(typeName, s.SelectionSet, out, visited)
			}
		case *ast.FragmentSpread:
			if visited[s.Name] {
				continue
			}
			if visited == nil {
				visited = map[string]bool{}
			}
			visited[s.Name] = true
			frag := e.doc.Fragments.ForName(s.Name)
			if frag != nil && e.schema.applies(frag.TypeCondition, typeName) {
				out = e.collect(typeName, frag.SelectionSet, out, visited)
			}
		}
	}
	return out
}

// findKey is the index of key in out, or -1.
func findKey(out []Selection, key string) int {
	for i := range out {
		if out[i].Key == key {
			return i
		}
	}
	return -1
}

// RootFields collects op's selections on the root type typeName, with
// vars: once for every request of a query whose @skip and @include take
// no variable.
func (q *Query) RootFields(op *ast.OperationDefinition, typeName string, vars map[string]any) []Selection {
	q.plan.once.Do(func() { q.plan.static = !directivesUseVariables(q.doc) })
	e := &executor{schema: q.schema, doc: q.doc, vars: vars}
	if !q.plan.static {
		return e.collect(typeName, op.SelectionSet, nil, nil)
	}
	if v := q.plan.roots.load(q.doc, op); v != nil {
		return *v
	}
	return q.plan.roots.loadOrStore(q.doc, op, e.collect(typeName, op.SelectionSet, nil, nil))
}

// subFields collects the selections of c's fields on an object of type
// typeName, remembered per type (the members of a union take turns): the
// objects of a list share them, and so do the requests of a static query.
func (e *executor) subFields(typeName string, c *Selection) []Selection {
	known := c.memo.sub.Load()
	if known != nil {
		for i := range *known {
			if (*known)[i].typeName == typeName {
				return (*known)[i].sub
			}
		}
	}
	var sub []Selection
	for _, f := range c.Fields {
		sub = e.collect(typeName, f.SelectionSet, sub, nil)
	}
	var more []subFields
	if known != nil && len(*known) < maxSubTypes {
		more = append(more, *known...)
	}
	more = append(more, subFields{typeName: typeName, sub: sub})
	c.memo.sub.Store(&more)
	return sub
}

// directivesUseVariables reports whether an @skip or @include of doc
// takes a variable.
func directivesUseVariables(doc *ast.QueryDocument) bool {
	dirs := func(ds ast.DirectiveList) bool {
		for _, d := range ds {
			for _, a := range d.Arguments {
				if hasVariables(a.Value) {
					return true
				}
			}
		}
		return false
	}
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			if dirs(directives(sel)) {
				return true
			}
			switch s := sel.(type) {
			case *ast.Field:
				if walk(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if walk(s.SelectionSet) {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if walk(f.SelectionSet) {
			return true
		}
	}
	return false
}
