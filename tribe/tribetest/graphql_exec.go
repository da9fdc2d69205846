package tribetest

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

// object is a GraphQL object value: its type name and its fields. A field
// answers nil for null, or a string (also for enums, IDs), int, bool,
// time.Time (DateTime), []any, or another object.
type object interface {
	typeName() string
	field(name string, args map[string]any) (any, error)
}

// executor runs one validated operation over the AST, writing the data
// straight to JSON in buf. A non-null field that fails truncates buf back to
// the start of its nearest nullable parent, which is written as null
// (GraphQL spec, "Handling Field Errors").
type executor struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	buf    []byte
	errs   []gqlError
	path   []pathElem
	// pathBuf backs path while it is short.
	pathBuf [16]pathElem
	// max bounds buf (0: no bound); once buf passes it, tooBig is set
	// and execution stops.
	max    int
	tooBig bool
	// rc is the request's context for overrides, the store and mocking;
	// nil: objects answer alone.
	rc *reqCtx
	// plan is what the requests of the query share.
	plan *queryPlan
}

// full reports whether the answer passed its bound; from then on every
// field fails at once.
func (e *executor) full() bool {
	if !e.tooBig && e.max > 0 && len(e.buf) > e.max {
		e.tooBig = true
	}
	return e.tooBig
}

// pathElem is one step of a response path: a key, or a list index.
type pathElem struct {
	key     string
	index   int
	isIndex bool
}

// collected is one response key with the fields merged under it.
type collected struct {
	key     string
	fields  []*ast.Field
	jsonKey []byte // "key":
	memo    *fieldMemo
}

// fieldMemo is what executing a collected field remembers: for a static
// query (queryPlan), across its requests.
type fieldMemo struct {
	// sub is the sub-selection collected on the last object type.
	sub atomic.Pointer[subFieldsEntry]
	// args are the argument values, when they take no variable.
	args atomic.Pointer[map[string]any]
}

type subFieldsEntry struct {
	typeName string
	sub      []collected
}

// run executes op's selection set on root and reports whether data is
// non-null.
func (e *executor) run(op *ast.OperationDefinition, root object) bool {
	fields := e.collect(root.typeName(), op.SelectionSet, nil, nil)
	mark := len(e.buf)
	if !e.executeFields(root, fields) {
		e.buf = append(e.buf[:mark], "null"...)
		return false
	}
	return true
}

// collect is the spec's CollectFields: @skip/@include, fragments whose
// type condition applies, fields merged by response key, in order.
func (e *executor) collect(typeName string, set ast.SelectionSet, out []collected, visited map[string]bool) []collected {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !e.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			merged := false
			for i := range out {
				if out[i].key == key {
					out[i].fields = append(out[i].fields, s)
					merged = true
					break
				}
			}
			if !merged {
				out = append(out, collected{key: key, fields: []*ast.Field{s}, jsonKey: append(appendJSONString(nil, key), ':'), memo: &fieldMemo{}})
			}
		case *ast.InlineFragment:
			if !e.included(s.Directives) || !e.applies(s.TypeCondition, typeName) {
				continue
			}
			out = e.collect(typeName, s.SelectionSet, out, visited)
		case *ast.FragmentSpread:
			if !e.included(s.Directives) || visited[s.Name] {
				continue
			}
			if visited == nil {
				visited = map[string]bool{}
			}
			visited[s.Name] = true
			frag := e.doc.Fragments.ForName(s.Name)
			if frag == nil || !e.applies(frag.TypeCondition, typeName) {
				continue
			}
			out = e.collect(typeName, frag.SelectionSet, out, visited)
		}
	}
	return out
}

// included applies @skip and @include.
func (e *executor) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		v, err := arg.Value.Value(e.vars)
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

// applies reports whether a fragment on cond applies to an object of type
// typeName.
func (e *executor) applies(cond, typeName string) bool {
	if cond == "" || cond == typeName {
		return true
	}
	def := e.schema.Types[cond]
	if def == nil || !def.IsAbstractType() {
		return false
	}
	for _, p := range e.schema.GetPossibleTypes(def) {
		if p.Name == typeName {
			return true
		}
	}
	return false
}

// executeFields writes obj's fields as a JSON object; false means a
// non-null field failed and obj must be null.
func (e *executor) executeFields(obj object, fields []collected) bool {
	start := len(e.buf)
	e.buf = append(e.buf, '{')
	failed := false
	for i, c := range fields {
		if e.full() {
			return false
		}
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = append(e.buf, c.jsonKey...)
		e.path = append(e.path, pathElem{key: c.key})
		// After a failure, siblings still run, for their errors.
		if !e.executeField(obj, c) {
			failed = true
		}
		e.path = e.path[:len(e.path)-1]
	}
	if failed {
		e.buf = e.buf[:start]
		return false
	}
	e.buf = append(e.buf, '}')
	return true
}

func (e *executor) executeField(obj object, c collected) bool {
	f := c.fields[0]
	if f.Name == "__typename" {
		e.buf = appendJSONString(e.buf, obj.typeName())
		return true
	}
	if f.Definition == nil {
		e.addError(f, newGQLError(codeInvalidRequest, "unknown field "+f.Name))
		return e.complete(&ast.Type{}, &c, nil, true)
	}
	if o, ok := obj.(*mockObj); ok && e.rc != nil {
		if buf, done := e.rc.appendMockLeaf(e.buf, o, f.Definition); done {
			e.buf = buf
			return true
		}
	}
	args, err := e.argumentValues(&c)
	var v any
	if err == nil {
		v, err = e.resolve(obj, f.Definition, args)
	}
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) {
			e.addError(f, newGQLError(ae.code, ae.message))
		} else {
			e.addError(f, newGQLError(codeServer, err.Error()))
		}
		return e.complete(f.Definition.Type, &c, nil, true)
	}
	return e.complete(f.Definition.Type, &c, v, false)
}

// complete writes v as a value of type t; false means t is non-null and v
// could not be completed, so null propagates to the parent.
func (e *executor) complete(t *ast.Type, c *collected, v any, errored bool) bool {
	fields := c.fields
	if t.NonNull {
		if v == nil {
			if !errored {
				e.addError(fields[0], newGQLError(codeServer, "Cannot return null for non-nullable field "+fieldCoordinate(fields[0])))
			}
			return false
		}
		return e.completeValue(t, c, v)
	}
	if v == nil {
		e.buf = append(e.buf, "null"...)
		return true
	}
	mark := len(e.buf)
	if !e.completeValue(t, c, v) {
		e.buf = append(e.buf[:mark], "null"...)
	}
	return true
}

func (e *executor) completeValue(t *ast.Type, c *collected, v any) bool {
	fields := c.fields
	if t.Elem != nil {
		list, ok := v.([]any)
		if p, isRef := v.(*[]any); isRef {
			list, ok = *p, true
		}
		if !ok {
			e.addError(fields[0], newGQLError(codeServer, "internal error: "+fieldCoordinate(fields[0])+" is not a list"))
			return false
		}
		e.buf = append(e.buf, '[')
		failed := false
		for i, item := range list {
			if e.full() {
				return false
			}
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.path = append(e.path, pathElem{index: i, isIndex: true})
			if !e.complete(t.Elem, c, item, false) {
				failed = true
			}
			e.path = e.path[:len(e.path)-1]
		}
		e.buf = append(e.buf, ']')
		return !failed
	}
	switch x := v.(type) {
	case object:
		return e.executeFields(x, e.subFields(x.typeName(), c))
	case string:
		e.buf = appendJSONString(e.buf, x)
	case *string:
		e.buf = appendJSONString(e.buf, *x)
	case *mockStr:
		e.buf = x.appendJSON(e.buf)
	case *time.Time:
		e.buf = appendDateTime(e.buf, *x)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(x), 10)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case time.Time:
		e.buf = appendDateTime(e.buf, x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			e.addError(fields[0], newGQLError(codeServer, "internal error: "+fieldCoordinate(fields[0])+" is not a finite number"))
			return false
		}
		e.buf = strconv.AppendFloat(e.buf, x, 'g', -1, 64)
	case rawJSON:
		e.buf = append(e.buf, x...)
	default:
		e.addError(fields[0], newGQLError(codeServer, fmt.Sprintf("internal error: %s has a %T", fieldCoordinate(fields[0]), v)))
		return false
	}
	return true
}

// argumentValues is the arguments of c's field, remembered when they
// take no variable. Overrides get a copy.
func (e *executor) argumentValues(c *collected) (map[string]any, error) {
	if p := c.memo.args.Load(); p != nil {
		return *p, nil
	}
	f := c.fields[0]
	args, err := argumentValues(f, e.vars)
	if err == nil && !argsUseVariables(f) {
		c.memo.args.Store(&args)
	}
	return args, err
}

// rootFields collects op's selections on the root type typeName: once for
// every request of a static query.
func (e *executor) rootFields(op *ast.OperationDefinition, typeName string) []collected {
	if e.plan == nil || !e.plan.static {
		return e.collect(typeName, op.SelectionSet, nil, nil)
	}
	if v, ok := e.plan.roots.Load(op); ok {
		return v.([]collected)
	}
	v, _ := e.plan.roots.LoadOrStore(op, e.collect(typeName, op.SelectionSet, nil, nil))
	return v.([]collected)
}

// argsUseVariables reports whether an argument of f takes a variable.
func argsUseVariables(f *ast.Field) bool {
	for _, a := range f.Arguments {
		if hasVariables(a.Value) {
			return true
		}
	}
	return false
}

// subFields collects the selections of c's fields on an object of type
// typeName, remembered for the last type: the objects of a list share
// them, and so do the requests of a static query.
func (e *executor) subFields(typeName string, c *collected) []collected {
	if p := c.memo.sub.Load(); p != nil && p.typeName == typeName {
		return p.sub
	}
	var sub []collected
	for _, f := range c.fields {
		sub = e.collect(typeName, f.SelectionSet, sub, nil)
	}
	c.memo.sub.Store(&subFieldsEntry{typeName: typeName, sub: sub})
	return sub
}

func (e *executor) addError(f *ast.Field, ge gqlError) {
	if e.tooBig {
		return
	}
	ge = ge.at(f.Position)
	ge.Path = make([]any, len(e.path))
	for i, p := range e.path {
		if p.isIndex {
			ge.Path[i] = p.index
		} else {
			ge.Path[i] = p.key
		}
	}
	e.errs = append(e.errs, ge)
}

func fieldCoordinate(f *ast.Field) string {
	if f.ObjectDefinition != nil {
		return f.ObjectDefinition.Name + "." + f.Name
	}
	return f.Name
}

// formatDateTime is how DateTime values are written: ISO 8601 in UTC with
// milliseconds, as Tribe does.
func formatDateTime(t time.Time) string {
	return t.UTC().Format(dateTimeLayout)
}

// appendDateTime appends t as formatDateTime does, quoted, without
// time.Format's layout parsing for years 0 to 9999.
func appendDateTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return appendJSONString(b, formatDateTime(t))
	}
	h, mi, s := t.Clock()
	pad := func(b []byte, v, width int) []byte {
		var tmp [4]byte
		for i := width - 1; i >= 0; i-- {
			tmp[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, tmp[:width]...)
	}
	b = append(b, '"')
	b = pad(b, y, 4)
	b = append(b, '-')
	b = pad(b, int(mo), 2)
	b = append(b, '-')
	b = pad(b, d, 2)
	b = append(b, 'T')
	b = pad(b, h, 2)
	b = append(b, ':')
	b = pad(b, mi, 2)
	b = append(b, ':')
	b = pad(b, s, 2)
	b = append(b, '.')
	b = pad(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z', '"')
}

// dateTimeLayout is formatDateTime's layout.
const dateTimeLayout = "2006-01-02T15:04:05.000Z"

// argumentValues is ast.Field.ArgumentMap without its panics: literal
// values, variables (absent ones left out) and defaults.
func argumentValues(f *ast.Field, vars map[string]any) (map[string]any, error) {
	if len(f.Definition.Arguments) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(f.Definition.Arguments))
	for _, def := range f.Definition.Arguments {
		if arg := f.Arguments.ForName(def.Name); arg != nil {
			if arg.Value.Kind == ast.Variable {
				if v, ok := vars[arg.Value.Raw]; ok {
					out[def.Name] = v
					continue
				}
			} else {
				v, err := arg.Value.Value(vars)
				if err != nil {
					return nil, &apiError{code: codeInvalidParam, message: "argument " + def.Name + ": " + err.Error()}
				}
				out[def.Name] = v
				continue
			}
		}
		if def.DefaultValue != nil {
			v, err := def.DefaultValue.Value(vars)
			if err != nil {
				return nil, &apiError{code: codeInvalidParam, message: "argument " + def.Name + ": " + err.Error()}
			}
			out[def.Name] = v
		}
	}
	return out, nil
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, and <, >, & are left as they are.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
