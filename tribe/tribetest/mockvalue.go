package tribetest

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// Mocked values: every field the server has no answer of its own for (no
// fixture value, no override, nothing in the store) is made up from its
// type and the identity of the object it belongs to, by package automock:
// the same query gives the same data on every run and on every server
// with the same fixtures. An object of a type with an id field is
// identified by its type and id, wherever it appears; another object by
// the identity of its parent and the path to it. References to members,
// roles and the network are the caller's network's fixtures.

// identified is an object with an identity: its id ("" for none) and the
// seed its mocked fields are hashed from.
type identified interface {
	ident() (id string, seed uint64)
}

// seedOf is obj's seed: its own, or one from its type name.
func seedOf(obj object) (string, uint64) {
	if o, ok := obj.(identified); ok {
		return o.ident()
	}
	return "", automock.HashString(0, obj.TypeName())
}

// mockObj is an object of any type the server has no code for: its
// fields come from data (the store's value, or an override's answer),
// else are mocked.
type mockObj struct {
	def  *ast.Definition
	id   string
	seed uint64
	data map[string]any // read-only; nil when none
	// gen, when madeUp, is a made-up id (automock.GenEntity) not made a
	// string yet: most objects of a page are only ever asked for it to
	// write it into the answer.
	gen    [10]byte
	madeUp bool
}

func (o *mockObj) TypeName() string               { return o.def.Name }
func (o *mockObj) ident() (string, uint64)        { return o.idString(), o.seed }
func (o *mockObj) stored() (map[string]any, bool) { return o.data, true }

// idString is o's id, written out when it was made up.
func (o *mockObj) idString() string {
	if o.madeUp {
		o.id, o.madeUp = string(o.gen[:]), false
	}
	return o.id
}

func (o *mockObj) field(name string, _ map[string]any) (any, error) {
	if name == "id" && o.idString() != "" {
		return &o.id, nil
	}
	return mockIt{}, nil
}

// mockValue mocks a value of type t for field fd of obj (fi: what
// mocking knows of fd); seed is the field's, objSeed the object's.
func (rc *reqCtx) mockValue(obj object, fd *ast.FieldDefinition, fi *automock.FieldInfo, args map[string]any, t *ast.Type, seed, objSeed uint64) (any, error) {
	if t.Elem != nil {
		n := rc.s.cfg.mockListLen
		out := make([]any, n)
		for i := range out {
			v, err := rc.mockValue(obj, fd, fi, args, t.Elem, automock.HashIndex(seed, i), objSeed)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	def := fi.Named
	if def == nil {
		return nil, nil
	}
	switch def.Kind {
	case ast.Scalar:
		return rc.scalarValue(obj.TypeName(), fi, seed, objSeed).Box(), nil
	case ast.Enum:
		if len(def.EnumValues) == 0 {
			return nil, nil
		}
		return &def.EnumValues[seed%uint64(len(def.EnumValues))].Name, nil
	}
	if fi.Conn != nil {
		return rc.connection(obj, args, def, fi.Conn, seed)
	}
	// An id the object is asked for by, or names in a sibling field.
	id := ""
	if t == fd.Type { // the field's own value, not a list item
		if v := graphql.StringArg(args, "id"); v != "" && fi.HasID {
			id = v
		} else if sib := fi.LinkObj; sib != "" {
			id = rc.sibling(obj, sib)
			if id == "" {
				return nil, nil
			}
		}
	}
	return rc.makeObject(def, fi.HasID, id, seed), nil
}

// scalarValue mocks a value of fi's scalar type for field fi of an object
// of type typ: a linked id (linkedID), else automock's.
func (rc *reqCtx) scalarValue(typ string, fi *automock.FieldInfo, seed, objSeed uint64) automock.Value {
	if id, ok := rc.linkedID(fi, seed); ok {
		return automock.IDValue(id, seed)
	}
	return automock.Scalar(fi, typ, seed, objSeed)
}

// appendScalar appends scalarValue(typ, fi, seed, objSeed) as JSON.
func (rc *reqCtx) appendScalar(b []byte, typ string, fi *automock.FieldInfo, seed, objSeed uint64) []byte {
	if id, ok := rc.linkedID(fi, seed); ok {
		return automock.AppendID(b, id, seed)
	}
	return automock.AppendScalar(b, fi, typ, seed, objSeed)
}

// linkedID is, for field fi when it names an object by its id (an ID or
// String field of fi.LinkID), the id of the fixture it names, or "" for
// a made-up one, automock.GenID(seed); false for another field.
func (rc *reqCtx) linkedID(fi *automock.FieldInfo, seed uint64) (string, bool) {
	t := fi.LinkID
	switch {
	case t != "" && fi.Scalar == automock.ID:
		if ps := fi.LinkTypes; len(ps) > 0 { // abstract
			t = ps[seed%uint64(len(ps))].Name
		}
	case t != "" && fi.Scalar == automock.String:
	default:
		return "", false
	}
	id, _ := rc.fixtureRefID(t, seed)
	return id, true
}

// makeObject is the object of type def (a concrete type chosen by seed if
// abstract) with id id, or a new id from seed when its type has one;
// hasID is the caller's mock.HasID(def), for a concrete def.
func (rc *reqCtx) makeObject(def *ast.Definition, hasID bool, id string, seed uint64) object {
	if def.IsAbstractType() {
		ps := rc.s.mock.Possible(def.Name)
		if len(ps) == 0 {
			return nil
		}
		def = ps[seed%uint64(len(ps))]
		hasID = rc.s.mock.HasID(def)
	}
	if !hasID {
		return rc.newObj(mockObj{def: def, seed: seed})
	}
	if id == "" {
		if def.Name == "Member" {
			if ms := rc.members(); len(ms) > 0 { // a member of the caller's network
				return rc.memberAt(int(seed % uint64(len(ms))))
			}
		}
		fixture, ok := rc.fixtureRefID(def.Name, seed)
		if !ok && rc.s.store.empty() {
			// A made-up id, of no fixture and nothing stored: written
			// out when asked for.
			gen, eseed := automock.GenEntity(def.Name, seed)
			return rc.newObj(mockObj{def: def, seed: eseed, gen: gen, madeUp: true})
		}
		id = fixture
		if !ok {
			id = automock.GenID(seed)
		}
	}
	return rc.ref(def, id, nil)
}

// fixtureRefID is the id of a new reference to an object of type typ
// when the caller's fixtures have one: a member, a role or the network;
// false when the reference is a made-up id, automock.GenID(seed).
func (rc *reqCtx) fixtureRefID(typ string, seed uint64) (string, bool) {
	if nr := rc.net(); nr != nil {
		switch typ {
		case "Member":
			if ms := rc.members(); len(ms) > 0 {
				return ms[seed%uint64(len(ms))].ID, true
			}
		case "Network":
			return nr.net.ID, true
		case "Role":
			if rs := nr.net.Roles; len(rs) > 0 {
				return rs[seed%uint64(len(rs))].ID, true
			}
		}
	}
	return "", false
}

// ref is the object of concrete type def with id id: a fixture's (a
// member, network or role), or one of the store (data over the store's
// value), or a mocked one.
func (rc *reqCtx) ref(def *ast.Definition, id string, data map[string]any) object {
	switch def.Name {
	case "Member":
		if m := rc.fixtureMember(id); m != nil {
			return memberObj{m: m, nr: rc.net()}
		}
	case "Network":
		if nr := rc.net(); nr != nil && nr.net.ID == id {
			return rc.network()
		}
	case "Role":
		if nr := rc.net(); nr != nil {
			if r := nr.roleByID[id]; r != nil {
				return roleObj{r}
			}
		}
	}
	if o := rc.stateRef(def, id, data); o != nil {
		return o
	}
	stored := rc.s.store.data(def.Name, id)
	switch {
	case data == nil:
		data = stored
	case stored != nil:
		merged := make(map[string]any, len(stored)+len(data))
		for k, v := range stored {
			merged[k] = v
		}
		for k, v := range data {
			merged[k] = v
		}
		data = merged
	}
	return rc.newObj(mockObj{def: def, id: id, seed: automock.EntitySeed(def.Name, id), data: data})
}
