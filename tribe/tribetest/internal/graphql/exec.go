package graphql

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
)

// Object is a value of an object type, as a [Resolver] answers one.
type Object interface {
	// TypeName is the name of the object's concrete type.
	TypeName() string
}

// Resolver answers the fields of the objects an operation reaches: every
// field but __typename and introspection's (__schema, __type and the
// fields of their types), which the engine answers itself.
//
// A field's value is nil (null), a string, *string, int, *int, bool, float64,
// time.Time or *time.Time (a DateTime), [RawJSON], an [Appender], an
// [Object], or a []any or *[]any of such values for a list. An error is
// answered as a field error, with its code when it is a [CodedError].
type Resolver interface {
	// Resolve answers field f of obj, with the field's arguments: shared
	// with other requests, to be read only.
	Resolve(obj Object, f *Field, args map[string]any) (any, error)
	// AppendLeaves writes fields[from:] of obj, each with its key
	// ([Selection.AppendKey]), straight to b as JSON members while it
	// can (a mock's made-up scalars), and returns b and the index of the
	// first field it did not write (from when none, len(fields) when
	// all). The engine answers that field (Resolve), and asks again from
	// the next: a run of leaves takes one call. It is asked first,
	// before the fields' arguments are computed, and only for fields
	// whose [Selection.Field] is not nil.
	AppendLeaves(b []byte, obj Object, fields []Selection, from int) ([]byte, int)
}

// Field is a field of a query as a [Resolver] is asked for it: its
// definition, and a slot where the resolver may keep what it derives from
// the definition, for the field's next objects and the query's next
// requests (gqlgen's field context and graphql-go's resolvable fields keep
// the like). A Field is shared by concurrent requests.
type Field struct {
	Def *ast.FieldDefinition
	aux atomic.Value
}

// Aux is what the resolver kept with f (SetAux), or nil.
func (f *Field) Aux() any { return f.aux.Load() }

// SetAux keeps v with f; v's dynamic type must be the same at every call.
func (f *Field) SetAux(v any) { f.aux.Store(v) }

// Execution is one request's execution of an operation of a [Query].
type Execution struct {
	// Vars are the operation's variables, from [Query.Coerce].
	Vars map[string]any
	// Root is the root object, of the operation's type.
	Root Object
	// Fields are the root fields, from [Query.RootFields].
	Fields []Selection
	// Resolver answers the fields.
	Resolver Resolver
	// Buf is where the data is written: the answer is appended to it.
	Buf []byte
	// Max bounds the answer in bytes (0: no bound).
	Max int
}

// Result is what an execution answered.
type Result struct {
	// Data is Buf with the data appended: an object, or null when a
	// non-null root field failed.
	Data []byte
	// Errors are the field errors, in the order they happened.
	Errors []Error
	// TooBig is set when the answer passed Max: execution stopped there,
	// and Data and Errors are incomplete.
	TooBig bool
}

// Execute runs x's fields on its root object and writes the data to its
// buffer (GraphQL, section 6.3, ExecuteSelectionSet). A field that fails
// is null, with an error; a non-null field that fails nulls its nearest
// nullable parent (section 6.4.4, "Handling Field Errors").
func (q *Query) Execute(x Execution) Result {
	// An executor of an earlier execution, for its path's room.
	e, _ := q.schema.executors.Get().(*executor)
	if e == nil {
		e = &executor{path: make([]pathElem, 0, 16)}
	}
	*e = executor{schema: q.schema, doc: q.doc, vars: x.Vars, r: x.Resolver, buf: x.Buf, max: x.Max, path: e.path[:0]}
	mark := len(e.buf)
	if !e.executeFields(x.Root, x.Fields) {
		e.buf = append(e.buf[:mark], "null"...)
	}
	res := Result{Data: e.buf, Errors: e.errs, TooBig: e.tooBig}
	path := e.path[:cap(e.path)]
	clear(path)
	*e = executor{path: path[:0]} // holding nothing of this execution's
	q.schema.executors.Put(e)
	return res
}

// executor runs one validated operation over the AST, writing the data
// straight to JSON in buf. A non-null field that fails truncates buf back to
// the start of its nearest nullable parent, which is written as null.
type executor struct {
	schema *Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	r      Resolver
	buf    []byte
	errs   []Error
	path   []pathElem // where the executor is in the answer
	// max bounds buf (0: no bound); once buf passes it, tooBig is set
	// and execution stops.
	max    int
	tooBig bool
}

// full reports whether the answer, n bytes long, passed its bound; from
// then on every field fails at once.
func (e *executor) full(n int) bool {
	if !e.tooBig && e.max > 0 && n > e.max {
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

// executeFields writes obj's fields as a JSON object; false means a
// non-null field failed and obj must be null.
func (e *executor) executeFields(obj Object, fields []Selection) bool {
	start := len(e.buf)
	io, intro := obj.(introObject)
	// b is e.buf while leaves are written: a local, which takes no write
	// barrier; e.buf is brought up to date around every other field.
	b := append(e.buf, '{')
	failed := false
	for i := 0; i < len(fields); i++ {
		if !intro {
			// A run of leaves the resolver writes itself: they cannot
			// fail, and need no place in the path. The bound is checked
			// after the run, which is no longer than the query.
			if b, i = e.r.AppendLeaves(b, obj, fields, i); i == len(fields) {
				break
			}
		}
		if e.full(len(b)) {
			e.buf = b
			return false
		}
		c := &fields[i]
		e.buf = c.AppendKey(b, i == 0)
		e.path = append(e.path, pathElem{key: c.Key})
		// After a failure, siblings still run, for their errors.
		if !e.executeField(obj, io, intro, c) {
			failed = true
		}
		e.path = e.path[:len(e.path)-1]
		b = e.buf
	}
	if failed {
		e.buf = b[:start]
		return false
	}
	e.buf = append(b, '}')
	return true
}

// executeField writes field c of obj, which the resolver could not write
// as a leaf: an introspection object (io, when intro) answers its own
// fields, the resolver the others.
func (e *executor) executeField(obj Object, io introObject, intro bool, c *Selection) bool {
	f := c.Fields[0]
	if f.Name == "__typename" {
		e.buf = AppendString(e.buf, obj.TypeName())
		return true
	}
	if f.Definition == nil {
		e.addError(f, NewError(e.schema.Codes.Invalid, "unknown field "+f.Name))
		return e.complete(&ast.Type{}, c, nil, true)
	}
	args, err := e.argumentValues(c)
	var v any
	if err == nil {
		switch {
		case intro:
			v, err = io.field(f.Name, args)
		case f.ObjectDefinition == e.schema.AST.Query && (f.Name == "__schema" || f.Name == "__type"):
			v = e.schema.introspect(f.Name, args)
		default:
			v, err = e.r.Resolve(obj, &c.memo.field, args)
		}
	}
	if err != nil {
		var ce CodedError
		if errors.As(err, &ce) {
			e.addError(f, NewError(ce.ErrorCode(), ce.ErrorMessage()))
		} else {
			e.addError(f, NewError(e.schema.Codes.Internal, err.Error()))
		}
		return e.complete(f.Definition.Type, c, nil, true)
	}
	return e.complete(f.Definition.Type, c, v, false)
}

// complete writes v as a value of type t; false means t is non-null and v
// could not be completed, so null propagates to the parent.
func (e *executor) complete(t *ast.Type, c *Selection, v any, errored bool) bool {
	if t.NonNull {
		if v == nil {
			if !errored {
				e.addError(c.Fields[0], NewError(e.schema.Codes.Internal, "Cannot return null for non-nullable field "+fieldCoordinate(c.Fields[0])))
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

func (e *executor) completeValue(t *ast.Type, c *Selection, v any) bool {
	f := c.Fields[0]
	if t.Elem != nil {
		list, ok := v.([]any)
		if p, isRef := v.(*[]any); isRef {
			list, ok = *p, true
		}
		if !ok {
			e.addError(f, NewError(e.schema.Codes.Internal, "internal error: "+fieldCoordinate(f)+" is not a list"))
			return false
		}
		e.buf = append(e.buf, '[')
		failed := false
		for i, item := range list {
			if e.full(len(e.buf)) {
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
	if x, ok := v.(Object); ok {
		return e.executeFields(x, e.subFields(x.TypeName(), c))
	}
	buf, ok := AppendValue(e.buf, v)
	if ok {
		e.buf = buf
		return true
	}
	if x, isFloat := v.(float64); isFloat && (math.IsInf(x, 0) || math.IsNaN(x)) {
		e.addError(f, NewError(e.schema.Codes.Internal, "internal error: "+fieldCoordinate(f)+" is not a finite number"))
		return false
	}
	e.addError(f, NewError(e.schema.Codes.Internal, fmt.Sprintf("internal error: %s has a %T", fieldCoordinate(f), v)))
	return false
}

// argumentValues is the arguments of c's field, remembered when they
// take no variable, and for the variables of the last request when they
// take some: variables that Query.Coerce answers from its cache are the
// same map, read-only.
func (e *executor) argumentValues(c *Selection) (map[string]any, error) {
	if p := c.memo.args.Load(); p != nil {
		return *p, nil
	}
	if p := c.memo.varArgs.Load(); p != nil && sameMap(p.vars, e.vars) {
		return p.args, nil
	}
	f := c.Fields[0]
	args, err := ArgumentValues(f, e.vars, e.schema.Codes.BadVariable)
	switch {
	case err != nil:
	case !argsUseVariables(f):
		c.memo.args.Store(&args)
	case e.vars != nil:
		c.memo.varArgs.Store(&varArgs{vars: e.vars, args: args})
	}
	return args, err
}

// sameMap reports whether a and b are the same map (not equal maps: one).
func sameMap(a, b map[string]any) bool {
	return len(a) == len(b) && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
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

func (e *executor) addError(f *ast.Field, ge Error) {
	if e.tooBig {
		return
	}
	ge = ge.At(f.Position)
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
