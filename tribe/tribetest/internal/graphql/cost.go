package graphql

import (
	"math"
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// The cost of an operation is the number of fields that executing it
// could resolve: every field counts one, and the selections under a list
// count once per item. It is an upper bound, computed from the query
// before execution:
//   - aliases count each, and fragment spreads (named and inline) are
//     counted where they are spread, @skip and @include notwithstanding;
//   - introspection lists count the schema's own elements: __Schema.types
//     the types, __Type.fields the fields of that very type, and so on;
//   - a connection's page ([Schema.Connection]) counts min(limit, what
//     [Bounds].PageItems allows), a list what [Bounds].ListItems allows.
//
// The walk is bounded whatever the query: a selection set is counted once
// for each kind of value it applies to (its cost is remembered), and the
// count stops as soon as it passes the limit.

// Bounds say how many items the lists and pages of the objects a
// [Resolver] answers can hold, for the cost of an operation. A cost is
// cached with its query with the Bounds it used, and used again while the
// Bounds of later requests are == to them: the dynamic type of a Bounds
// must be comparable, and its value must change when the lists it bounds
// may grow.
type Bounds interface {
	// ListItems is the most items list field f can hold.
	ListItems(f *ast.Field) int
	// PageItems is the most nodes a page of f, a connection field (or the
	// nodes or edges field of a connection), can hold.
	PageItems(f *ast.Field) int
}

// costKind is the kind of value a selection set applies to, where that
// changes how long its lists are.
type costKind uint8

const (
	costPlain     costKind = iota // an object of the API's own types
	costPage                      // a connection's page: n items
	costSchema                    // __Schema
	costType                      // __Type: a named type (def) or a wrapper (t)
	costField                     // __Field fd
	costInput                     // __InputValue of type t
	costDirective                 // __Directive dd
)

// costCtx is the value a selection set applies to.
type costCtx struct {
	kind costKind
	n    int                      // costPage
	def  *ast.Definition          // costType, named
	t    *ast.Type                // costType wrapper; costInput
	fd   *ast.FieldDefinition     // costField
	dd   *ast.DirectiveDefinition // costDirective
}

// key identifies what the cost of a selection set in c depends on.
// Wrapping types are told apart by their text, so [String!] in one field
// and in another count as one.
func (c costCtx) key() (elem any, n int) {
	switch c.kind {
	case costPage:
		return nil, c.n
	case costType, costInput:
		if c.def != nil {
			return c.def, 0
		}
		if c.t != nil {
			return c.t.String(), 0
		}
	case costField:
		return c.fd, 0
	case costDirective:
		return c.dd, 0
	}
	return nil, 0
}

// costKey is a memo entry: a selection set's owner (an *ast.Field or an
// *ast.FragmentDefinition) and the value it applies to.
type costKey struct {
	node any
	kind costKind
	elem any
	n    int
}

// opCost is the cost of an operation as cached with its query.
type opCost struct {
	cost   int
	bounds Bounds      // the bounds it used; nil when none
	vars   varSnapshot // the variables it depends on, and their values
}

// coster computes the cost of one operation.
type coster struct {
	schema *Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	limit  int
	bounds func() Bounds
	memo   map[costKey]int

	usedVars bool
	varNames []string // the variables the cost depends on
	seen     Bounds   // nil until bound() is called
}

// sat bounds every intermediate count, so that sums and products of
// counts never overflow.
const sat = math.MaxInt / 2

func satAdd(a, b int) int {
	if a >= sat-b {
		return sat
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= sat/b {
		return sat
	}
	return a * b
}

// Cost is the cost of op with vars: exact up to limit, and some number
// over limit once it passes it. bounds says how long lists are; it is
// called only when a list is met. The cost is cached with q, and used
// again while neither the variables it depends on nor the bounds change.
func (q *Query) Cost(op *ast.OperationDefinition, vars map[string]any, limit int, bounds func() Bounds) int {
	if oc := q.costs.load(q.doc, op); oc != nil {
		if (oc.bounds == nil || oc.bounds == bounds()) && oc.vars.matches(vars) {
			return oc.cost
		}
	}
	c := &coster{schema: q.schema, doc: q.doc, vars: vars, limit: limit, bounds: bounds}
	cost := c.set(op.SelectionSet, costCtx{kind: costPlain})
	oc := opCost{cost: cost, bounds: c.seen}
	if c.usedVars {
		slices.Sort(c.varNames)
		oc.vars = snapshotVars(slices.Compact(c.varNames), vars)
	}
	q.costs.store(q.doc, op, oc) // the last variables' cost, for the next request
	return cost
}

// CostError is the refusal of an operation whose cost passes the limit,
// with code.
func CostError(code string, cost, limit int) Error {
	if cost >= sat {
		cost = limit + 1
	}
	return NewError(code, "query cost too high: cost at least "+strconv.Itoa(cost)+
		" exceeds the limit "+strconv.Itoa(limit)+
		" (fields to resolve, times the sizes of lists); ask for fewer fields or smaller pages")
}

func (c *coster) set(set ast.SelectionSet, ctx costCtx) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, c.field(s, ctx))
		case *ast.InlineFragment:
			total = satAdd(total, c.set(s.SelectionSet, ctx))
		case *ast.FragmentSpread:
			def := s.Definition
			if def == nil {
				def = c.doc.Fragments.ForName(s.Name)
			}
			if def != nil {
				total = satAdd(total, c.memoSet(def, def.SelectionSet, ctx))
			}
		}
		if total > c.limit {
			return total
		}
	}
	return total
}

// memoSet is set, remembered per owner node and value.
func (c *coster) memoSet(node any, set ast.SelectionSet, ctx costCtx) int {
	elem, n := ctx.key()
	k := costKey{node: node, kind: ctx.kind, elem: elem, n: n}
	if v, ok := c.memo[k]; ok {
		if v < 0 { // a fragment cycle, which validation refuses
			return sat
		}
		return v
	}
	if c.memo == nil {
		c.memo = map[costKey]int{}
	}
	c.memo[k] = -1
	v := c.set(set, ctx)
	c.memo[k] = v
	return v
}

// field is 1 for f plus, for a composite f, its selection set once per
// value it may resolve to.
func (c *coster) field(f *ast.Field, ctx costCtx) int {
	if len(f.SelectionSet) == 0 || f.Definition == nil {
		return 1
	}
	total := 1
	add := func(n int, sub costCtx) bool {
		if n > 0 {
			total = satAdd(total, satMul(n, c.memoSet(f, f.SelectionSet, sub)))
		}
		return total <= c.limit
	}
	switch ctx.kind {
	case costSchema, costType, costField, costInput, costDirective:
		c.introspectionField(f, ctx, add)
	default:
		c.plainField(f, ctx, add)
	}
	return total
}

// plainField counts a field of the API's own types.
func (c *coster) plainField(f *ast.Field, ctx costCtx, add func(int, costCtx) bool) {
	parent, query := "", c.schema.AST.Query
	if f.ObjectDefinition != nil {
		parent = f.ObjectDefinition.Name
	}
	t := f.Definition.Type
	switch {
	case f.ObjectDefinition == query && f.Name == "__schema":
		add(1, costCtx{kind: costSchema})
	case f.ObjectDefinition == query && f.Name == "__type":
		c.noteVars(f)
		args, err := ArgumentValues(f, c.vars, "")
		if err == nil {
			c.addNamed(c.schema.AST.Types[StringArg(args, "name")], add)
		}
	case c.schema.Connection(parent) != nil && (f.Name == "edges" || f.Name == "nodes"):
		n := ctx.n
		if ctx.kind != costPage {
			n = c.bound().PageItems(f)
		}
		add(n, costCtx{kind: costPlain})
	case t.Elem == nil && c.schema.Connection(t.Name()) != nil:
		// A page of at most limit items; no limit: all.
		n := c.bound().PageItems(f)
		c.noteVars(f)
		if args, err := ArgumentValues(f, c.vars, ""); err == nil && args["limit"] != nil {
			if limit, ok := IntArg(args, "limit"); ok && limit >= 0 {
				n = min(n, limit)
			}
		}
		add(1, costCtx{kind: costPage, n: n})
	case t.Elem != nil:
		add(c.bound().ListItems(f), costCtx{kind: costPlain})
	default:
		add(1, costCtx{kind: costPlain})
	}
}

func (c *coster) bound() Bounds {
	if c.seen == nil {
		c.seen = c.bounds()
	}
	return c.seen
}

// noteVars records the variables f's arguments take: the cost depends on
// their values.
func (c *coster) noteVars(f *ast.Field) {
	for _, a := range f.Arguments {
		c.varNames = appendVarNames(c.varNames, a.Value)
	}
	if len(c.varNames) > 0 {
		c.usedVars = true
	}
}
