package tribetest

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Automatic mocking: every field the server has no answer of its own for
// (no fixture value, no override, nothing in the store) is made up from
// its type and the identity of the object it belongs to, by hashing: the
// same query gives the same data on every run and on every server with
// the same fixtures. An object of a type with an id field is identified by
// its type and id, wherever it appears; another object by the identity of
// its parent and the path to it.

// mockIt is what an object's field answers when it has no value of its
// own: the executor then looks in the store and mocks the rest.
type mockIt struct{}

// rawJSON is a value written to the answer as it is (a JSON scalar).
type rawJSON []byte

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
	return "", hashString(0, obj.typeName())
}

// mix is the finalizer of splitmix64: a fixed, well-spread hash step.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// hashString folds s into h (FNV-1a, then mixed).
func hashString(h uint64, s string) uint64 {
	h ^= 0xcbf29ce484222325
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return mix(h)
}

// hashIndex folds a list index into h.
func hashIndex(h uint64, i int) uint64 { return mix(h ^ (uint64(i)+1)*0x9e3779b97f4a7c15) }

// entitySeed is the seed of the object of type typ with id id.
func entitySeed(typ, id string) uint64 { return hashString(hashString(1, typ), id) }

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// genID is a stable 10-character id, shaped like Tribe's.
func genID(seed uint64) string {
	var b [10]byte
	return string(appendGenID(b[:0], seed))
}

// appendGenID appends genID(seed).
func appendGenID(b []byte, seed uint64) []byte {
	h := seed
	for i := range 10 {
		b = append(b, idAlphabet[h%62])
		h /= 62
		if h == 0 {
			h = mix(seed + uint64(i))
		}
	}
	return b
}

// mockInfo is what mocking needs to know of the schema, computed once per
// server.
type mockInfo struct {
	schema *ast.Schema
	// possible are the concrete types of each abstract type, by name.
	possible map[string][]*ast.Definition
	// conns are the connection types (fields pageInfo and edges or
	// nodes), by name.
	conns map[string]*connInfo
	// hasID are the composite types with an id field.
	hasID map[string]bool
	// linkObj maps a field x whose type has an id to its sibling ID field
	// xId; linkID maps xId to the type of x.
	linkObj map[*ast.FieldDefinition]string
	linkID  map[*ast.FieldDefinition]string
	// fields is the above per field, looked up once per mocked value.
	fields map[*ast.FieldDefinition]*fieldInfo
}

// fieldInfo is what mocking a field's value needs to know of its type.
type fieldInfo struct {
	named   *ast.Definition // the field's named type; nil if unknown
	conn    *connInfo       // a connection type
	hasID   bool            // a composite type with an id field
	linkObj string          // the sibling xId naming this field's object
	linkID  string          // for xId: the type of the sibling x
	hash    uint64          // of the field's name
	scalar  scalarKind      // for a scalar type
	special bool            // a String shaped by the field's name
}

// scalarKind is how a scalar is mocked.
type scalarKind uint8

const (
	scalarOther scalarKind = iota // "Name N"
	scalarID
	scalarInt
	scalarFloat
	scalarBoolean
	scalarString
	scalarDateTime // a scalar whose name says date or time
	scalarJSON     // JSON, JSONObject, Object, Map, Any
)

func scalarKindOf(name string) scalarKind {
	switch name {
	case "ID":
		return scalarID
	case "Int":
		return scalarInt
	case "Float":
		return scalarFloat
	case "Boolean":
		return scalarBoolean
	case "String":
		return scalarString
	}
	lower := strings.ToLower(name)
	switch {
	case strings.Contains(lower, "date") || strings.Contains(lower, "time"):
		return scalarDateTime
	case strings.Contains(lower, "json") || lower == "object" || lower == "map" || lower == "any":
		return scalarJSON
	}
	return scalarOther
}

// fieldSeed is the seed of field fd of an object whose seed is seed.
func (mi *mockInfo) fieldSeed(seed uint64, fd *ast.FieldDefinition) uint64 {
	return mix(seed ^ mi.field(fd).hash)
}

// field is fd's fieldInfo.
func (mi *mockInfo) field(fd *ast.FieldDefinition) *fieldInfo {
	if fi := mi.fields[fd]; fi != nil {
		return fi
	}
	return mi.newFieldInfo(fd) // a field of an introspection type
}

func (mi *mockInfo) newFieldInfo(fd *ast.FieldDefinition) *fieldInfo {
	name := fd.Type.Name()
	return &fieldInfo{
		named:   mi.schema.Types[name],
		conn:    mi.conns[name],
		hasID:   mi.hasID[name],
		linkObj: mi.linkObj[fd],
		linkID:  mi.linkID[fd],
		hash:    hashString(0, fd.Name),
		scalar:  scalarKindOf(name),
		special: mockSpecial("T", fd.Name, 0, 0) != "",
	}
}

type connInfo struct {
	node     *ast.Definition // the type of nodes / edges.node
	edge     *ast.Definition // nil without edges
	pageInfo *ast.Definition
}

func newMockInfo(schema *ast.Schema) *mockInfo {
	mi := &mockInfo{
		schema:   schema,
		possible: map[string][]*ast.Definition{},
		conns:    map[string]*connInfo{},
		hasID:    map[string]bool{},
		linkObj:  map[*ast.FieldDefinition]string{},
		linkID:   map[*ast.FieldDefinition]string{},
	}
	for name, def := range schema.Types {
		switch def.Kind {
		case ast.Union, ast.Interface:
			ps := slices.Clone(schema.GetPossibleTypes(def))
			slices.SortFunc(ps, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
			mi.possible[name] = ps
		}
		if (def.Kind == ast.Object || def.Kind == ast.Interface) && def.Fields.ForName("id") != nil {
			mi.hasID[name] = true
		}
	}
	for name, def := range schema.Types {
		if def.Kind != ast.Object && def.Kind != ast.Interface {
			continue
		}
		if ci := connectionOf(schema, def); ci != nil {
			mi.conns[name] = ci
		}
		for _, fd := range def.Fields {
			if fd.Type.Elem != nil || !mi.composite(fd.Type.Name()) {
				continue
			}
			sib := def.Fields.ForName(fd.Name + "Id")
			if sib == nil || sib.Type.Elem != nil || (sib.Type.Name() != "ID" && sib.Type.Name() != "String") {
				continue
			}
			mi.linkObj[fd] = sib.Name
			mi.linkID[sib] = fd.Type.Name()
		}
	}
	mi.fields = map[*ast.FieldDefinition]*fieldInfo{}
	for _, def := range schema.Types {
		for _, fd := range def.Fields {
			mi.fields[fd] = mi.newFieldInfo(fd)
		}
	}
	return mi
}

// composite reports whether the named type is an object, interface or union.
func (mi *mockInfo) composite(name string) bool {
	def := mi.schema.Types[name]
	return def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union)
}

// connectionOf recognises a connection type: pageInfo and nodes or
// edges{node}.
func connectionOf(schema *ast.Schema, def *ast.Definition) *connInfo {
	pi := def.Fields.ForName("pageInfo")
	if def.Kind != ast.Object || pi == nil || pi.Type.Elem != nil {
		return nil
	}
	ci := &connInfo{pageInfo: schema.Types[pi.Type.Name()]}
	if n := def.Fields.ForName("nodes"); n != nil && n.Type.Elem != nil {
		ci.node = schema.Types[n.Type.Name()]
	}
	if e := def.Fields.ForName("edges"); e != nil && e.Type.Elem != nil {
		ci.edge = schema.Types[e.Type.Name()]
		if ci.edge != nil {
			if n := ci.edge.Fields.ForName("node"); n != nil && n.Type.Elem == nil && ci.node == nil {
				ci.node = schema.Types[n.Type.Name()]
			}
		}
	}
	if ci.node == nil || ci.pageInfo == nil {
		return nil
	}
	return ci
}

// mockObj is an object of any type the server has no code for: its
// fields come from data (the store's value, or an override's answer),
// else are mocked.
type mockObj struct {
	def  *ast.Definition
	id   string
	seed uint64
	data map[string]any // read-only; nil when none
}

func (o *mockObj) typeName() string               { return o.def.Name }
func (o *mockObj) ident() (string, uint64)        { return o.id, o.seed }
func (o *mockObj) stored() (map[string]any, bool) { return o.data, true }

func (o *mockObj) field(name string, _ map[string]any) (any, error) {
	if name == "id" && o.id != "" {
		return &o.id, nil
	}
	return mockIt{}, nil
}

// storedData is an object whose store data the object itself holds
// (true), rather than the store under its type and id.
type storedData interface {
	stored() (map[string]any, bool)
}

// resolve answers field fd of obj: an override, else obj's own answer,
// else the store's value, else a mocked one.
func (e *executor) resolve(obj object, fd *ast.FieldDefinition, args map[string]any) (any, error) {
	rc := e.rc
	if rc == nil {
		return obj.field(fd.Name, args)
	}
	if r := rc.s.resolverFor(obj.typeName(), fd.Name); r != nil {
		return rc.callResolver(r, obj, fd, args)
	}
	v, err := obj.field(fd.Name, args)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case mockIt:
		return rc.fallback(obj, fd, args)
	case nil:
		// A fixture's empty value: the store may hold one.
		if id, seed := seedOf(obj); id != "" {
			if d := rc.dataOf(obj, id); d != nil && d[fd.Name] != nil {
				return rc.fromData(fd.Type, d[fd.Name], rc.s.mock.fieldSeed(seed, fd))
			}
		}
	}
	return v, nil
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
	return rc.s.store.data(obj.typeName(), id)
}

// fallback is the store's value of fd on obj, or a mocked one.
func (rc *reqCtx) fallback(obj object, fd *ast.FieldDefinition, args map[string]any) (any, error) {
	id, seed := seedOf(obj)
	fseed := rc.s.mock.fieldSeed(seed, fd)
	if d := rc.dataOf(obj, id); d != nil {
		if v, ok := d[fd.Name]; ok {
			return rc.fromData(fd.Type, v, fseed)
		}
	}
	return rc.mockValue(obj, fd, args, fd.Type, fseed, seed)
}

// sibling is the value of obj's scalar field name as a query would see
// it (without overrides): obj's own, the store's, or mocked.
func (rc *reqCtx) sibling(obj object, name string) string {
	v, err := obj.field(name, nil)
	if _, ok := v.(mockIt); ok && err == nil {
		def := rc.s.schema.Types[obj.typeName()]
		if def == nil {
			return ""
		}
		fd := def.Fields.ForName(name)
		if fd == nil {
			return ""
		}
		v, err = rc.fallback(obj, fd, nil)
	}
	if err != nil {
		return ""
	}
	s, _ := asString(v)
	return s
}

// mockValue mocks a value of type t for field fd of obj; seed is the
// field's, objSeed the object's.
func (rc *reqCtx) mockValue(obj object, fd *ast.FieldDefinition, args map[string]any, t *ast.Type, seed, objSeed uint64) (any, error) {
	if t.Elem != nil {
		n := rc.s.cfg.mockListLen
		out := make([]any, n)
		for i := range out {
			v, err := rc.mockValue(obj, fd, args, t.Elem, hashIndex(seed, i), objSeed)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	fi := rc.s.mock.field(fd)
	def := fi.named
	if def == nil {
		return nil, nil
	}
	switch def.Kind {
	case ast.Scalar:
		return rc.mockScalar(obj, fd, fi, def.Name, seed, objSeed), nil
	case ast.Enum:
		if len(def.EnumValues) == 0 {
			return nil, nil
		}
		return &def.EnumValues[seed%uint64(len(def.EnumValues))].Name, nil
	}
	if fi.conn != nil {
		return rc.connection(obj, fd, args, def, fi.conn, seed)
	}
	// An id the object is asked for by, or names in a sibling field.
	id := ""
	if t == fd.Type { // the field's own value, not a list item
		if v := stringArg(args, "id"); v != "" && fi.hasID {
			id = v
		} else if sib := fi.linkObj; sib != "" {
			id = rc.sibling(obj, sib)
			if id == "" {
				return nil, nil
			}
		}
	}
	return rc.makeObject(def, id, seed), nil
}

// makeObject is the object of type def (a concrete type chosen by seed if
// abstract) with id id, or a new id from seed when its type has one.
func (rc *reqCtx) makeObject(def *ast.Definition, id string, seed uint64) object {
	if def.IsAbstractType() {
		ps := rc.s.mock.possible[def.Name]
		if len(ps) == 0 {
			return nil
		}
		def = ps[seed%uint64(len(ps))]
	}
	if !rc.s.mock.hasID[def.Name] {
		return rc.newObj(mockObj{def: def, seed: seed})
	}
	if id == "" {
		if def.Name == "Member" {
			if ms := rc.members(); len(ms) > 0 { // a member of the caller's network
				return rc.memberAt(int(seed % uint64(len(ms))))
			}
		}
		id = rc.refID(def.Name, seed)
	}
	return rc.ref(def, id, nil)
}

// refID is an id for a new reference to an object of type typ: a member,
// role or the network of the caller's fixtures for those types, else a
// made-up id.
func (rc *reqCtx) refID(typ string, seed uint64) string {
	if id, ok := rc.fixtureRefID(typ, seed); ok {
		return id
	}
	return genID(seed)
}

// fixtureRefID is refID when it is a fixture's id; false when refID is
// genID(seed).
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
	return rc.newObj(mockObj{def: def, id: id, seed: entitySeed(def.Name, id), data: data})
}

// mockScalar is a plausible value of scalar type name for field fd.
func (rc *reqCtx) mockScalar(obj object, fd *ast.FieldDefinition, fi *fieldInfo, name string, seed, objSeed uint64) any {
	return rc.scalarValue(obj.typeName(), fd, fi, name, seed, objSeed).value()
}

// scalarVal is a mocked scalar before it is boxed or written: one of its
// kinds, with the parts that kind needs.
type scalarVal struct {
	kind scalarKind
	str  string  // scalarID, scalarString, scalarOther; scalarJSON: the name
	seed uint64  // scalarID without str: genID(seed); special: its seed
	ms   mockStr // scalarString without str
	// special: scalarString mockSpecial(ms.typ, ms.field, ms.num, seed)
	special bool
	n       int       // scalarInt
	f       float64   // scalarFloat
	b       bool      // scalarBoolean
	t       time.Time // scalarDateTime
	num     uint64    // scalarJSON
}

// scalarValue mocks a value of scalar type name for field fd of an object
// of type typ.
func (rc *reqCtx) scalarValue(typ string, fd *ast.FieldDefinition, fi *fieldInfo, name string, seed, objSeed uint64) scalarVal {
	field := fd.Name
	num := objSeed % 1000
	v := scalarVal{kind: fi.scalar}
	switch fi.scalar {
	case scalarID:
		if t := fi.linkID; t != "" {
			if ps := rc.s.mock.possible[t]; len(ps) > 0 { // abstract
				t = ps[seed%uint64(len(ps))].Name
			}
			// A made-up id is written as genID(v.seed), not kept.
			if id, ok := rc.fixtureRefID(t, seed); ok {
				v.str = id
			} else {
				v.seed = seed
			}
		} else {
			v.seed = seed
		}
	case scalarInt:
		if strings.HasSuffix(field, "Count") || strings.HasSuffix(field, "count") {
			v.n = int(seed % 20)
		} else {
			v.n = int(seed % 100)
		}
	case scalarFloat:
		v.f = float64(seed%10000) / 100
	case scalarBoolean:
		v.b = seed&1 == 1
	case scalarString:
		switch {
		case fi.linkID != "":
			v.str = rc.refID(fi.linkID, seed)
		case fi.special:
			// Written by appendMockSpecial, not kept.
			v.special, v.seed, v.ms = true, seed, mockStr{typ: typ, field: field, num: num}
		default:
			v.ms = mockStr{typ: typ, field: field, num: num}
		}
	case scalarDateTime:
		v.t = fixtureEpoch().Add(time.Duration(seed%(365*24*3600)) * time.Second)
	case scalarJSON:
		v.str, v.num = name, num
	default:
		v.str = name + " " + strconv.FormatUint(seed%1000, 10)
	}
	return v
}

// value is v boxed for the executor.
func (v scalarVal) value() any {
	switch v.kind {
	case scalarID:
		if v.str == "" {
			return genID(v.seed)
		}
		return v.str
	case scalarInt:
		return v.n
	case scalarFloat:
		return v.f
	case scalarBoolean:
		return v.b
	case scalarString:
		if v.special {
			return mockSpecial(v.ms.typ, v.ms.field, v.ms.num, v.seed)
		}
		if v.str == "" {
			ms := v.ms
			return &ms
		}
		return v.str
	case scalarDateTime:
		return v.t
	case scalarJSON:
		return rawJSON(v.appendJSON(nil))
	}
	return v.str
}

// appendJSON appends v as JSON.
func (v scalarVal) appendJSON(b []byte) []byte {
	switch v.kind {
	case scalarID:
		if v.str == "" {
			b = append(b, '"')
			b = appendGenID(b, v.seed)
			return append(b, '"')
		}
	case scalarInt:
		return strconv.AppendInt(b, int64(v.n), 10)
	case scalarFloat:
		return strconv.AppendFloat(b, v.f, 'g', -1, 64)
	case scalarBoolean:
		return strconv.AppendBool(b, v.b)
	case scalarString:
		if v.special {
			b = append(b, '"')
			b = appendMockSpecial(b, v.ms.typ, v.ms.field, v.ms.num, v.seed)
			return append(b, '"')
		}
		if v.str == "" {
			return v.ms.appendJSON(b)
		}
	case scalarDateTime:
		return appendDateTime(b, v.t)
	case scalarJSON:
		b = append(b, `{"key":"`...)
		b = append(b, v.str...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, v.num, 10)
		return append(b, `"}`...)
	}
	return appendJSONString(b, v.str)
}

// appendMockLeaf writes the mocked value of leaf field fd of o, when it is
// one: no override, no stored value, a scalar or enum that is not a list.
// It is the executor's path for most mocked fields, with nothing boxed.
func (rc *reqCtx) appendMockLeaf(b []byte, o *mockObj, fd *ast.FieldDefinition) ([]byte, bool) {
	if fd.Type.Elem != nil || (fd.Name == "id" && o.id != "") {
		return b, false
	}
	fi := rc.s.mock.field(fd)
	def := fi.named
	if def == nil || (def.Kind != ast.Scalar && def.Kind != ast.Enum) {
		return b, false
	}
	if o.data != nil {
		if _, ok := o.data[fd.Name]; ok {
			return b, false
		}
	}
	if rc.s.resolverFor(o.def.Name, fd.Name) != nil {
		return b, false
	}
	seed := mix(o.seed ^ fi.hash)
	if def.Kind == ast.Enum {
		if len(def.EnumValues) == 0 {
			return b, false
		}
		return appendJSONString(b, def.EnumValues[seed%uint64(len(def.EnumValues))].Name), true
	}
	return rc.scalarValue(o.def.Name, fd, fi, def.Name, seed, o.seed).appendJSON(b), true
}

// mockSpecial is a string shaped by the field's name (an email, a URL, a
// path, a slug, a locale, a domain, a color), or "".
func mockSpecial(typ, field string, num, seed uint64) string {
	return string(appendMockSpecial(nil, typ, field, num, seed))
}

// appendMockSpecial appends mockSpecial(typ, field, num, seed), which
// needs no JSON escaping (typ is a GraphQL name).
func appendMockSpecial(b []byte, typ, field string, num, seed uint64) []byte {
	// GraphQL names are ASCII: EqualFold compares them as ToLower would.
	suffix := func(sfx string) bool {
		return len(field) >= len(sfx) && strings.EqualFold(field[len(field)-len(sfx):], sfx)
	}
	is := func(name string) bool { return strings.EqualFold(field, name) }
	switch {
	case suffix("email"):
		b = appendLowerName(b, typ)
		b = strconv.AppendUint(b, num, 10)
		return append(b, "@example.com"...)
	case is("relativeurl") || suffix("path"):
		b = append(b, '/')
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case suffix("url"):
		b = append(b, "https://example.com/"...)
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case is("slug") || is("username") || is("key"):
		b = appendLowerName(b, typ)
		b = append(b, '-')
		return strconv.AppendUint(b, num, 10)
	case is("locale"):
		return append(b, "en-US"...)
	case is("language") || is("lang"):
		return append(b, "en"...)
	case suffix("domain"):
		b = appendLowerName(b, typ)
		b = append(b, '-')
		b = strconv.AppendUint(b, num, 10)
		return append(b, ".example.com"...)
	case suffix("color"):
		b = append(b, '#')
		return strconv.AppendUint(b, 0x100000+seed%0xefffff, 16)
	}
	return b
}

// appendLowerName appends name, a GraphQL name (ASCII), in lower case.
func appendLowerName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// mockStr is the readable string "Type N field", written to the answer
// without being built first.
type mockStr struct {
	typ, field string
	num        uint64
}

func (m mockStr) String() string {
	return m.typ + " " + strconv.FormatUint(m.num, 10) + " " + m.field
}

// appendJSON appends m as a JSON string; typ and field are GraphQL names
// (letters, digits and _), which need no escaping.
func (m mockStr) appendJSON(b []byte) []byte {
	b = append(b, '"')
	b = append(b, m.typ...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, m.num, 10)
	b = append(b, ' ')
	b = append(b, m.field...)
	return append(b, '"')
}

// fromData converts a stored or override value v (JSON-like: maps, lists,
// strings, numbers, booleans, or objects of the server's own) into a
// value of type t for the executor.
func (rc *reqCtx) fromData(t *ast.Type, v any, seed uint64) (any, error) {
	if v == nil {
		return nil, nil
	}
	if t.Elem != nil {
		var list []any
		switch l := v.(type) {
		case []any:
			list = l
		case []map[string]any:
			list = make([]any, len(l))
			for i := range l {
				list[i] = l[i]
			}
		case []string:
			list = make([]any, len(l))
			for i := range l {
				list[i] = l[i]
			}
		default:
			list = []any{v} // a single value stands for a list of one
		}
		out := make([]any, len(list))
		for i, x := range list {
			c, err := rc.fromData(t.Elem, x, hashIndex(seed, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	if o, ok := v.(object); ok {
		return o, nil
	}
	def := rc.s.schema.Types[t.NamedType]
	if def == nil {
		return nil, nil
	}
	switch def.Kind {
	case ast.Scalar:
		return scalarFromData(def.Name, v)
	case ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			return nil, &apiError{code: codeServer, message: "stored value " + clip(strconv.Quote(toString(v))) + " is not a value of enum " + def.Name}
		}
		return s, nil
	}
	var data map[string]any
	id := ""
	switch x := v.(type) {
	case map[string]any:
		data = x
		id, _ = x["id"].(string)
	case string:
		id = x
	default:
		return nil, &apiError{code: codeServer, message: "stored value for type " + def.Name + " is not an object"}
	}
	concrete := def
	if def.IsAbstractType() {
		ps := rc.s.mock.possible[def.Name]
		if len(ps) == 0 {
			return nil, nil
		}
		concrete = ps[seed%uint64(len(ps))]
		if tn, ok := data["__typename"].(string); ok {
			if i := slices.IndexFunc(ps, func(p *ast.Definition) bool { return p.Name == tn }); i >= 0 {
				concrete = ps[i]
			}
		}
	}
	if ci := rc.s.mock.conns[concrete.Name]; ci != nil && data != nil {
		return rc.newObj(mockObj{def: concrete, seed: seed, data: data}), nil
	}
	if id != "" && rc.s.mock.hasID[concrete.Name] {
		return rc.ref(concrete, id, data), nil
	}
	return rc.newObj(mockObj{def: concrete, seed: seed, data: data}), nil
}

func toString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// scalarFromData converts v to a value of the scalar type name.
func scalarFromData(name string, v any) (any, error) {
	bad := func() (any, error) {
		return nil, &apiError{code: codeServer, message: "stored value " + clip(toString(v)) + " is not a " + name}
	}
	num := func() (float64, bool) {
		switch x := v.(type) {
		case float64:
			return x, true
		case json.Number:
			f, err := x.Float64()
			return f, err == nil
		case int:
			return float64(x), true
		case int64:
			return float64(x), true
		case int32:
			return float64(x), true
		case float32:
			return float64(x), true
		}
		return 0, false
	}
	switch name {
	case "Int":
		f, ok := num()
		if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
			return bad()
		}
		return int(f), nil
	case "Float":
		f, ok := num()
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return bad()
		}
		return f, nil
	case "Boolean":
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return b, nil
	case "String", "ID":
		switch x := v.(type) {
		case string:
			return x, nil
		case time.Time:
			return formatDateTime(x), nil
		}
		if f, ok := num(); ok && name == "ID" && f == math.Trunc(f) {
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		}
		return bad()
	}
	switch x := v.(type) {
	case string, bool, time.Time:
		return x, nil
	case rawJSON:
		return x, nil
	}
	if f, ok := num(); ok {
		return f, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return bad()
	}
	return rawJSON(b), nil
}

// A mocked connection (a type with pageInfo and edges or nodes): a list
// of totalCount items, in an order of their own, paged by limit, offset,
// after and before (cursors of this server), reverse flipping the order.
// Its items are the store's objects of its node type for a field of the
// Query type when the store has any, the caller's network's members for
// a connection of members, else mocked objects whose identity is the
// connection's and their position.

// smallPage is the most nodes a connObj holds without a second
// allocation.
const smallPage = 4

type connObj struct {
	def         *ast.Definition
	ci          *connInfo
	seed        uint64
	total       int
	nodes       []any
	small       [smallPage]any // nodes' backing array for a small page
	start       int            // the position of nodes[0]
	hasNext     bool
	hasPrevious bool
}

func (o *connObj) typeName() string        { return o.def.Name }
func (o *connObj) ident() (string, uint64) { return "", o.seed }

func (o *connObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "totalCount":
		return o.total, nil
	case "nodes":
		return &o.nodes, nil // not boxed again
	case "edges":
		if o.ci.edge == nil {
			return nil, nil
		}
		edges := make([]any, len(o.nodes))
		for i := range o.nodes {
			edges[i] = &edgeMock{def: o.ci.edge, cursor: mockCursor(o.start + i), node: o.nodes[i].(object), seed: hashIndex(o.seed^0xed9e, i)}
		}
		return edges, nil
	case "pageInfo":
		p := &pageMock{def: o.ci.pageInfo, seed: hashString(o.seed, "pageInfo"), hasNext: o.hasNext, hasPrevious: o.hasPrevious}
		if n := len(o.nodes); n > 0 {
			p.start, p.end = mockCursor(o.start), mockCursor(o.start+n-1)
		}
		return p, nil
	}
	return mockIt{}, nil
}

type edgeMock struct {
	def    *ast.Definition
	cursor string
	node   object
	seed   uint64
}

func (o *edgeMock) typeName() string        { return o.def.Name }
func (o *edgeMock) ident() (string, uint64) { return "", o.seed }

func (o *edgeMock) field(name string, _ map[string]any) (any, error) {
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
	start, end           string
	hasNext, hasPrevious bool
}

func (o *pageMock) typeName() string        { return o.def.Name }
func (o *pageMock) ident() (string, uint64) { return "", o.seed }

func (o *pageMock) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "endCursor":
		return optString(o.end), nil
	case "startCursor":
		return optString(o.start), nil
	case "hasNextPage":
		return o.hasNext, nil
	case "hasPreviousPage":
		return o.hasPrevious, nil
	}
	return mockIt{}, nil
}

// mockCursor is the cursor of position i of a mocked connection.
func mockCursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("pos:" + strconv.Itoa(i)))
}

func mockCursorIndex(c string, total int) int {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), "pos:")
	if err != nil || !ok {
		return -1
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= total {
		return -1
	}
	return i
}

// page applies after, before, offset and limit to a list of total items
// (the rules of members): the positions [start, stop) of the page.
func page(args map[string]any, total int, cursorIndex func(string) int) (start, stop int, err error) {
	limit, ok1 := intArg(args, "limit")
	offset, ok2 := intArg(args, "offset")
	if !ok1 || !ok2 || limit < 0 || offset < 0 {
		return 0, 0, &apiError{code: codeInvalidParam, message: "limit and offset must be non-negative 32-bit integers"}
	}
	if _, ok := args["limit"]; !ok || args["limit"] == nil {
		limit = total
	}
	start, end := 0, total
	after := stringArg(args, "after")
	if after != "" {
		i := cursorIndex(after)
		if i < 0 {
			return 0, 0, &apiError{code: codeInvalidParam, message: "invalid cursor in after"}
		}
		start = i + 1
	}
	if before := stringArg(args, "before"); before != "" {
		i := cursorIndex(before)
		if i < 0 {
			return 0, 0, &apiError{code: codeInvalidParam, message: "invalid cursor in before"}
		}
		end = i
		if after == "" && end-limit-offset > start {
			start = end - limit - offset // the page just before the cursor
		}
	}
	start = min(start+offset, end)
	stop = max(start, min(start+limit, end))
	return start, stop, nil
}

// connection mocks a page of the connection type def for field fd of obj.
func (rc *reqCtx) connection(obj object, fd *ast.FieldDefinition, args map[string]any, def *ast.Definition, ci *connInfo, seed uint64) (any, error) {
	var ids []string
	var members []*Member
	total := rc.s.cfg.mockPageTotal
	switch {
	case obj.typeName() == rc.s.schema.Query.Name && rc.s.store.count(ci.node.Name) > 0:
		ids = rc.s.store.ids(ci.node.Name)
		total = len(ids)
	case ci.node.Name == "Member" && len(rc.members()) > 0:
		members = rc.members()
		total = len(members)
	}
	reverse, _ := args["reverse"].(bool)
	start, stop, err := page(args, total, func(c string) int { return mockCursorIndex(c, total) })
	if err != nil {
		return nil, err
	}
	c := &connObj{def: def, ci: ci, seed: seed, total: total, start: start, hasNext: stop < total, hasPrevious: start > 0}
	if stop-start <= smallPage {
		c.nodes = c.small[: 0 : stop-start]
	} else {
		c.nodes = make([]any, 0, stop-start)
	}
	for p := start; p < stop; p++ {
		i := p
		if reverse {
			i = total - 1 - p
		}
		var node object
		switch {
		case ids != nil:
			node = rc.ref(ci.node, ids[i], nil)
		case members != nil:
			node = rc.memberAt(i)
		default:
			node = rc.makeObject(ci.node, "", hashIndex(seed, i))
		}
		if node == nil { // an abstract type without concrete types
			return nil, nil
		}
		c.nodes = append(c.nodes, node)
	}
	return c, nil
}
