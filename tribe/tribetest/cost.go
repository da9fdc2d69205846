package tribetest

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

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
//   - members(limit:) counts limit members, or the members of the largest
//     network when it has fewer; Network.roles the most roles a network
//     has; a mocked connection (pageInfo with nodes or edges) min(limit,
//     its page bound: the mocked total, the largest network's members, the
//     most stored objects of a type); any other list the most of the
//     mocked list length, the largest network's members and the longest
//     list in the store.
//
// The walk is bounded whatever the query: a selection set is counted once
// for each kind of value it applies to (its cost is remembered), and the
// count stops as soon as it passes the limit.

// defaultMaxCost is the default cost limit: well above what the queries
// of an app and a full introspection query cost, well below what would
// take the server long to answer.
const defaultMaxCost = 50000

// defaultMaxResponseBytes is the default bound on an answer's size.
const defaultMaxResponseBytes = 8 << 20

// minResponseBytes is the least bound WithResponseSizeLimit takes: room
// for the error that replaces an answer too large.
const minResponseBytes = 1 << 10

// costKind is the kind of value a selection set applies to, where that
// changes how long its lists are.
type costKind uint8

const (
	costPlain     costKind = iota // an object of the API's own types
	costPage                      // a page of members: n items
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

// opCost is the cost of an operation as cached with its parsed query.
type opCost struct {
	cost   int
	bounds costBounds  // the bounds it used; used false when none
	vars   varSnapshot // the variables it depends on, and their values
}

// costBounds are how long the server's lists can be, as they stood when
// a cost was computed.
type costBounds struct {
	used    bool
	members int // the most members a network has
	list    int // a list: members, mocked list length, longest stored list
	page    int // a connection's page: members, mocked total, stored objects of a type
}

// coster computes the cost of one operation.
type coster struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	limit  int
	roles  int // the most roles a network has
	bounds func() costBounds
	conns  map[string]*connInfo
	memo   map[costKey]int

	usedVars bool
	varNames []string   // the variables the cost depends on
	seen     costBounds // used false until bound() is called
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

// cost returns the cost of op's selection set on the Query type: exact up
// to the limit, and some number over the limit once it is passed.
func (c *coster) cost(op *ast.OperationDefinition) int {
	c.seen = costBounds{}
	return c.set(op.SelectionSet, costCtx{kind: costPlain})
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
	case costSchema:
		switch f.Name {
		case "types":
			for _, def := range c.schema.Types {
				if !add(1, costCtx{kind: costType, def: def}) {
					break
				}
			}
		case "queryType":
			c.addNamed(c.schema.Query, add)
		case "mutationType":
			c.addNamed(c.schema.Mutation, add)
		case "subscriptionType":
			c.addNamed(c.schema.Subscription, add)
		case "directives":
			for _, dd := range c.schema.Directives {
				if !add(1, costCtx{kind: costDirective, dd: dd}) {
					break
				}
			}
		}
	case costType:
		c.typeField(f, ctx, add)
	case costField:
		switch f.Name {
		case "args":
			for _, a := range ctx.fd.Arguments {
				if !add(1, costCtx{kind: costInput, t: a.Type}) {
					break
				}
			}
		case "type":
			c.addType(ctx.fd.Type, add)
		}
	case costInput:
		if f.Name == "type" {
			c.addType(ctx.t, add)
		}
	case costDirective:
		if f.Name == "args" {
			for _, a := range ctx.dd.Arguments {
				if !add(1, costCtx{kind: costInput, t: a.Type}) {
					break
				}
			}
		}
	default:
		c.plainField(f, ctx, add)
	}
	return total
}

// typeField counts a field of __Type: its lists are the type's own.
func (c *coster) typeField(f *ast.Field, ctx costCtx, add func(int, costCtx) bool) {
	d := ctx.def
	if d == nil { // a wrapper: only ofType is not null
		if f.Name == "ofType" && ctx.t != nil {
			inner := ctx.t.Elem
			if ctx.t.NonNull {
				cp := *ctx.t
				cp.NonNull = false
				inner = &cp
			}
			if inner != nil {
				c.addType(inner, add)
			}
		}
		return
	}
	switch f.Name {
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return
		}
		for _, fd := range d.Fields {
			if strings.HasPrefix(fd.Name, "__") { // as typeObj leaves them out
				continue
			}
			if !add(1, costCtx{kind: costField, fd: fd}) {
				return
			}
		}
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return
		}
		for _, n := range d.Interfaces {
			if !c.addNamed(c.schema.Types[n], add) {
				return
			}
		}
	case "possibleTypes":
		if d.IsAbstractType() {
			for _, p := range c.schema.GetPossibleTypes(d) {
				if !c.addNamed(p, add) {
					return
				}
			}
		}
	case "enumValues":
		if d.Kind == ast.Enum {
			add(len(d.EnumValues), costCtx{kind: costPlain})
		}
	case "inputFields":
		if d.Kind != ast.InputObject {
			return
		}
		for _, fd := range d.Fields {
			if !add(1, costCtx{kind: costInput, t: fd.Type}) {
				return
			}
		}
	}
}

// plainField counts a field of the API's own types.
func (c *coster) plainField(f *ast.Field, ctx costCtx, add func(int, costCtx) bool) {
	parent := ""
	if f.ObjectDefinition != nil {
		parent = f.ObjectDefinition.Name
	}
	switch {
	case parent == "Query" && f.Name == "__schema":
		add(1, costCtx{kind: costSchema})
	case parent == "Query" && f.Name == "__type":
		c.noteVars(f)
		args, err := argumentValues(f, c.vars)
		if err == nil {
			c.addNamed(c.schema.Types[stringArg(args, "name")], add)
		}
	case parent == "Query" && f.Name == "members":
		c.noteVars(f)
		args, err := argumentValues(f, c.vars)
		limit, ok := intArg(args, "limit")
		if err == nil && ok && limit >= 0 {
			add(1, costCtx{kind: costPage, n: min(limit, c.bound().members)})
		}
	case (parent == "PaginatedMember" || c.conns[parent] != nil) && (f.Name == "edges" || f.Name == "nodes"):
		n := ctx.n
		if ctx.kind != costPage {
			n = c.bound().page
		}
		add(n, costCtx{kind: costPlain})
	case parent == "Network" && f.Name == "roles":
		add(c.roles, costCtx{kind: costPlain})
	case c.conns[f.Definition.Type.Name()] != nil && f.Definition.Type.Elem == nil:
		// A mocked connection: a page of at most limit items.
		n := c.bound().page
		c.noteVars(f)
		if args, err := argumentValues(f, c.vars); err == nil && args["limit"] != nil {
			if limit, ok := intArg(args, "limit"); ok && limit >= 0 {
				n = min(n, limit)
			}
		}
		add(1, costCtx{kind: costPage, n: n})
	case f.Definition.Type.Elem != nil:
		add(max(c.bound().list, c.roles), costCtx{kind: costPlain})
	default:
		add(1, costCtx{kind: costPlain})
	}
}

func (c *coster) bound() costBounds {
	if !c.seen.used {
		c.seen = c.bounds()
	}
	return c.seen
}

// addNamed counts the __Type of def; nil answers null, which counts
// nothing.
func (c *coster) addNamed(def *ast.Definition, add func(int, costCtx) bool) bool {
	if def == nil {
		return true
	}
	return add(1, costCtx{kind: costType, def: def})
}

// addType counts the __Type of t, as typeOf resolves it.
func (c *coster) addType(t *ast.Type, add func(int, costCtx) bool) bool {
	if t.NonNull || t.Elem != nil {
		return add(1, costCtx{kind: costType, t: t})
	}
	return c.addNamed(c.schema.Types[t.NamedType], add)
}

// costCache holds the costs of a parsed query's operations.
type costCache struct{ m sync.Map } // *ast.OperationDefinition → opCost

// queryCost is the cost of op with vars: from pq's cache when neither the
// variables nor the number of members changed it.
func (s *Server) queryCost(pq *parsedQuery, op *ast.OperationDefinition, vars map[string]any) int {
	if v, ok := pq.costs.m.Load(op); ok {
		oc := v.(opCost)
		if (!oc.bounds.used || oc.bounds == s.costBounds()) && oc.vars.matches(vars) {
			return oc.cost
		}
	}
	c := &coster{schema: s.schema, doc: pq.doc, vars: vars, limit: s.cfg.maxCost, roles: s.maxRoles, bounds: s.costBounds, conns: s.mock.conns}
	cost := c.cost(op)
	oc := opCost{cost: cost, bounds: c.seen}
	if c.usedVars {
		slices.Sort(c.varNames)
		oc.vars = snapshotVars(slices.Compact(c.varNames), vars)
	}
	pq.costs.m.Store(op, oc) // the last variables' cost, for the next request
	return cost
}

// varSnapshot is the values some variables had, to tell whether a later
// request's are the same. Scalars (the usual case) are kept as they are
// and compared with ==, without encoding them; other values are compared
// by their JSON encoding.
type varSnapshot struct {
	names  []string
	vals   []any  // the values, when all are scalars (absentVar if unset)
	key    string // else their JSON encoding
	encErr bool   // the values could not be encoded: never matches
}

// absentVar stands for a variable the request does not set.
type absentVar struct{}

func snapshotVars(names []string, vars map[string]any) varSnapshot {
	v := varSnapshot{names: names}
	if len(names) == 0 {
		return v
	}
	if vals, ok := scalarVars(names, vars); ok {
		v.vals = vals
		return v
	}
	v.key, v.encErr = jsonVarKey(names, vars)
	return v
}

// matches reports whether vars give v's variables the values v holds.
func (v varSnapshot) matches(vars map[string]any) bool {
	if len(v.names) == 0 {
		return true
	}
	if v.encErr {
		return false
	}
	if v.vals != nil {
		for i, n := range v.names {
			x, ok := vars[n]
			if !ok {
				x = absentVar{}
			}
			if !isScalarVar(x) || x != v.vals[i] {
				return false
			}
		}
		return true
	}
	key, err := jsonVarKey(v.names, vars)
	return !err && key == v.key
}

// scalarVars returns the values of names in vars, if all are scalars.
func scalarVars(names []string, vars map[string]any) ([]any, bool) {
	vals := make([]any, len(names))
	for i, n := range names {
		x, ok := vars[n]
		if !ok {
			x = absentVar{}
		}
		if !isScalarVar(x) {
			return nil, false
		}
		vals[i] = x
	}
	return vals, true
}

// isScalarVar reports whether x is a value == compares safely and
// exactly.
func isScalarVar(x any) bool {
	switch x.(type) {
	case nil, absentVar, bool, string, int, int32, int64, float64:
		return true
	}
	return false
}

// jsonVarKey is the values of names in vars, JSON-encoded; err when they
// cannot be encoded.
func jsonVarKey(names []string, vars map[string]any) (key string, err bool) {
	vals := make([]any, len(names))
	for i, n := range names {
		vals[i] = vars[n]
	}
	b, e := json.Marshal(vals)
	if e != nil {
		return "", true
	}
	return string(b), false
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

func appendVarNames(names []string, v *ast.Value) []string {
	if v == nil {
		return names
	}
	if v.Kind == ast.Variable {
		return append(names, v.Raw)
	}
	for _, ch := range v.Children {
		names = appendVarNames(names, ch.Value)
	}
	return names
}

// costBounds are the bounds of lists and pages as they stand.
func (s *Server) costBounds() costBounds {
	perType, list := s.store.bounds()
	m := s.memberBound()
	return costBounds{
		used:    true,
		members: m,
		list:    max(m, s.cfg.mockListLen, list),
		page:    max(m, s.cfg.mockPageTotal, perType),
	}
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

// errTooComplex is the refusal of an operation over the cost limit.
func errTooComplex(cost, limit int) gqlError {
	if cost >= sat {
		cost = limit + 1
	}
	return newGQLError(codeInvalidRequest, "query too complex: cost at least "+strconv.Itoa(cost)+
		" exceeds the limit "+strconv.Itoa(limit)+
		" (fields to resolve, times the sizes of lists); ask for fewer fields or smaller pages")
}

// errTooLarge replaces an answer over the size limit.
func errTooLarge(limit int) gqlError {
	return newGQLError(codeInvalidRequest, fmt.Sprintf(
		"response too large: more than %d bytes; ask for fewer fields or smaller pages", limit))
}
