package tribetest

// The resolve order: how the server answers a field of a GraphQL
// request, the graphql.Resolver it gives the engine. A field of an object
// is answered by, in this order:
//
//  1. an override: a Resolver of Server.Resolve, or a stub of
//     Server.Stub;
//  2. the object's own field: the fixtures' values of a member, a network
//     or a role, and the fields the server implements (limitedToken,
//     authMember, member, members…), in objects.go and resolvers.go;
//  3. the store: the value Store holds for the object's type and id, or
//     the data an override answered for it;
//  4. a mocked value, made up from the field's type and the object's
//     identity (mockvalue.go, with package automock).
//
// An object's own field answers mockIt{} to pass the field on to the
// store and the mock. AppendLeaves is the same order for the scalar
// leaves of a mocked object with nothing stored and no override: the
// mocked values, written straight into the answer.
//
// State the server keeps (objects an app created, counts that follow)
// slots in at step 2: a root field that reads or changes it is the root
// object's own field (rootObject, opRoot), and an object it holds is an
// object whose own fields answer from it, passing the others on with
// mockIt{}. Overrides still win, and an id the state has never seen is
// still mocked.

import (
	"errors"
	"fmt"
	"maps"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// mockIt is what an object's field answers when it has no value of its
// own: the store then answers, else a mocked value.
type mockIt struct{}

// Resolve answers field fd of obj: an override, else obj's own answer,
// else the store's value, else a mocked one.
func (rc *reqCtx) Resolve(gobj graphql.Object, f *graphql.Field, args map[string]any) (any, error) {
	obj, fd := gobj.(object), f.Def
	if r := rc.s.resolverFor(obj.TypeName(), fd.Name); r != nil {
		return rc.callResolver(r, obj, fd, args)
	}
	v, err := obj.field(fd.Name, args)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case mockIt:
		return rc.fallback(obj, fd, rc.fieldInfo(f), args)
	case nil:
		// A fixture's empty value: the store may hold one.
		if id, seed := seedOf(obj); id != "" {
			if d := rc.dataOf(obj, id); d != nil && d[fd.Name] != nil {
				return rc.fromData(fd.Type, d[fd.Name], automock.Mix(seed^rc.fieldInfo(f).Hash))
			}
		}
	}
	return v, nil
}

// fieldInfo is what mocking needs to know of f, kept with f.
func (rc *reqCtx) fieldInfo(f *graphql.Field) *automock.FieldInfo {
	if fi, ok := f.Aux().(*automock.FieldInfo); ok {
		return fi
	}
	fi := rc.s.mock.Field(f.Def)
	f.SetAux(fi)
	return fi
}

// AppendLeaves writes the values of fields[from:] of obj while they are
// leaves it can write: mocked ones (appendLeaf), or the own values of an
// object whose fields are fixed (appendOwnLeaf); a run of them in one
// call.
func (rc *reqCtx) AppendLeaves(b []byte, obj graphql.Object, fields []graphql.Selection, from int) ([]byte, int) {
	o, mocked := obj.(*mockObj)
	var fixed fixedFields
	if !mocked {
		var ok bool
		if fixed, ok = obj.(fixedFields); !ok {
			return b, from
		}
	}
	for i := from; i < len(fields); i++ {
		c := &fields[i]
		f := c.Field()
		if f == nil {
			return b, i
		}
		mark := len(b)
		b = c.AppendKey(b, i == 0)
		var done bool
		if mocked {
			b, done = rc.appendLeaf(b, o, f)
		} else {
			b, done = rc.appendOwnLeaf(b, fixed, f)
		}
		if !done {
			return b[:mark], i
		}
	}
	return b, len(fields)
}

// fixedFields is an object whose own fields change nothing when asked
// for (a fixture, a page of a connection): AppendLeaves may ask for one
// before, and as well as, Resolve.
type fixedFields interface {
	object
	fixedFields()
}

// appendOwnLeaf writes leaf field f of obj when obj answers it itself (as
// Resolve would): no override, a scalar or enum field without arguments
// that is not a list, and a value graphql.AppendValue writes (nil, mockIt
// and the rest are Resolve's to answer).
func (rc *reqCtx) appendOwnLeaf(b []byte, obj fixedFields, f *graphql.Field) ([]byte, bool) {
	fi := rc.fieldInfo(f) // what it needs of f, in one place
	if fi.List || fi.HasArgs || !fi.Leaf {
		return b, false
	}
	if rc.s.resolverFor(obj.TypeName(), fi.Name) != nil {
		return b, false
	}
	v, err := obj.field(fi.Name, nil)
	if err != nil {
		return b, false
	}
	return graphql.AppendValue(b, v)
}

// appendLeaf writes the mocked value of leaf field f of o, when it is
// one: no override, no stored value, a scalar or enum that is not a list.
// It is the executor's path for most mocked fields, with nothing boxed.
func (rc *reqCtx) appendLeaf(b []byte, o *mockObj, f *graphql.Field) ([]byte, bool) {
	fi := rc.fieldInfo(f) // what it needs of f, in one place
	if fi.List {
		return b, false
	}
	if fi.Name == "id" && (o.madeUp || o.id != "") {
		if !o.madeUp || rc.s.resolverFor(o.def.Name, fi.Name) != nil {
			return b, false // its own id, or an override's
		}
		b = append(b, '"')
		b = append(b, o.gen[:]...)
		return append(b, '"'), true
	}
	if !fi.Leaf {
		return b, false
	}
	if o.data != nil {
		if _, ok := o.data[fi.Name]; ok {
			return b, false
		}
	}
	if rc.s.resolverFor(o.def.Name, fi.Name) != nil {
		return b, false
	}
	seed := automock.Mix(o.seed ^ fi.Hash)
	if fi.Enum {
		def := fi.Named
		if len(def.EnumValues) == 0 {
			return b, false
		}
		return graphql.AppendString(b, def.EnumValues[seed%uint64(len(def.EnumValues))].Name), true
	}
	return rc.appendScalar(b, o.def.Name, fi, seed, o.seed), true
}

// fallback is the store's value of fd (whose FieldInfo is fi) on obj, or
// a mocked one.
func (rc *reqCtx) fallback(obj object, fd *ast.FieldDefinition, fi *automock.FieldInfo, args map[string]any) (any, error) {
	var id string
	var seed uint64
	if o, ok := obj.(*mockObj); ok {
		seed = o.seed // its data is its own: no need to write its id out
	} else {
		id, seed = seedOf(obj)
	}
	fseed := automock.Mix(seed ^ fi.Hash)
	if d := rc.dataOf(obj, id); d != nil {
		if v, ok := d[fd.Name]; ok {
			return rc.fromData(fd.Type, v, fseed)
		}
	}
	return rc.mockValue(obj, fd, fi, args, fd.Type, fseed, seed)
}

// storedData is an object whose store data the object itself holds
// (true), rather than the store under its type and id.
type storedData interface {
	stored() (map[string]any, bool)
}

// dataOf is the stored data of obj: its own, or the store's under its
// type and id.
func (rc *reqCtx) dataOf(obj object, id string) map[string]any {
	if sd, ok := obj.(storedData); ok {
		d, _ := sd.stored()
		return d
	}
	if id == "" {
		return nil
	}
	return rc.stateData(obj.TypeName(), id)
}

// sibling is the value of obj's scalar field name as a query would see
// it (without overrides): obj's own, the store's, or mocked.
func (rc *reqCtx) sibling(obj object, name string) string {
	v, err := obj.field(name, nil)
	if _, ok := v.(mockIt); ok && err == nil {
		def := rc.s.schema.Types[obj.TypeName()]
		if def == nil {
			return ""
		}
		fd := def.Fields.ForName(name)
		if fd == nil {
			return ""
		}
		v, err = rc.fallback(obj, fd, rc.s.mock.Field(fd), nil)
	}
	if err != nil {
		return ""
	}
	s, _ := asString(v)
	return s
}

// callResolver runs an override and converts its answer; a panic in it is
// a field error.
func (rc *reqCtx) callResolver(r Resolver, obj object, fd *ast.FieldDefinition, args map[string]any) (v any, err error) {
	id, seed := seedOf(obj)
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &apiError{code: codeServer, message: fmt.Sprintf("the resolver of %s.%s panicked: %v", obj.TypeName(), fd.Name, p)}
		}
	}()
	args = maps.Clone(args) // the executor's are shared
	if args == nil {
		args = map[string]any{}
	}
	out, err := r(ResolveContext{Context: rc.ctx, Type: obj.TypeName(), Field: fd.Name, ParentID: id, Caller: rc.caller(), Store: rc.s.store}, args)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return nil, &apiError{code: fe.Code, message: fe.Message}
		}
		return nil, err
	}
	return rc.fromData(fd.Type, out, rc.s.mock.FieldSeed(seed, fd))
}
