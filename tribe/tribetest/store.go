package tribetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
)

// maxStoreObjects bounds the objects a [Store] holds.
const maxStoreObjects = 100000

// Store holds objects of any type of the server's schema by type and id:
// seeded from the fixtures' objects, by [Store.Set] (from Go, an override,
// or the admin API's POST /__admin/objects). A stored object's fields
// answer wherever an object of that type and id appears (a field the
// value lacks is mocked); a field of the Query type whose type is a
// connection of that type (a type with pageInfo and nodes or edges) lists
// the stored objects, in the order they were first stored.
//
// Values are JSON-like: map[string]any with field names as keys; a field
// of an object type holds an object (a map, with "id" for a type that has
// one, and "__typename" to choose among the types of a union or
// interface) or just its id (a string); lists are []any. A Store is safe
// for concurrent use; it holds at most 100000 objects.
type Store struct {
	schema *ast.Schema

	mu    sync.RWMutex
	types map[string]*storeType
	n     int
	// any is n > 0, read without the lock: most servers store nothing,
	// and every mocked object asks.
	any     atomic.Bool
	maxList int // the longest list in a stored value
}

type storeType struct {
	order []string
	objs  map[string]map[string]any // read-only once stored
}

func newStore(schema *ast.Schema) *Store {
	return &Store{schema: schema, types: map[string]*storeType{}}
}

// Set stores value as the object of type typeName with id id, replacing
// any value stored before. Its id field is id. The value is copied (as
// JSON: Go values are stored as encoding/json encodes them). The type must
// be an object type of the schema with an id field, and every key of
// value one of its fields.
func (st *Store) Set(typeName, id string, value map[string]any) error {
	if err := st.check(typeName, id); err != nil {
		return err
	}
	def := st.schema.Types[typeName]
	for k := range value {
		if k != "__typename" && def.Fields.ForName(k) == nil {
			return fmt.Errorf("tribetest: Store.Set(%q, %q): type %s has no field %q; use the names of its fields as keys", clip(typeName), clip(id), typeName, clip(k))
		}
	}
	v, longest, err := copyJSON(value)
	if err != nil {
		return fmt.Errorf("tribetest: Store.Set(%q, %q): the value cannot be stored as JSON: %v; give maps, lists, strings, numbers and booleans", clip(typeName), clip(id), err)
	}
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	m["id"] = id
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.types[typeName]
	if t == nil {
		t = &storeType{objs: map[string]map[string]any{}}
		st.types[typeName] = t
	}
	if _, ok := t.objs[id]; !ok {
		if st.n >= maxStoreObjects {
			return fmt.Errorf("tribetest: Store.Set(%q, %q): the store holds %d objects already; delete some or clear the store", clip(typeName), clip(id), maxStoreObjects)
		}
		st.n++
		st.any.Store(true)
		t.order = append(t.order, id)
	}
	t.objs[id] = m
	st.maxList = max(st.maxList, longest)
	return nil
}

// check refuses a type that is not an object type with an id, and an empty
// or long id.
func (st *Store) check(typeName, id string) error {
	def := st.schema.Types[typeName]
	switch {
	case def == nil:
		return fmt.Errorf("tribetest: Store: the schema has no type %q; give the name of one of its object types", clip(typeName))
	case def.Kind != ast.Object || def.Fields.ForName("id") == nil:
		return fmt.Errorf("tribetest: Store: type %s is not an object type with an id field; store objects of such types only", clip(typeName))
	case id == "":
		return fmt.Errorf("tribetest: Store: an object of type %s needs an id; give a non-empty id", clip(typeName))
	case len(id) > maxIDLen:
		return fmt.Errorf("tribetest: Store: the id of an object of type %s is longer than %d bytes; shorten it", clip(typeName), maxIDLen)
	}
	return nil
}

// Get returns a copy of the value stored for type typeName and id id.
func (st *Store) Get(typeName, id string) (map[string]any, bool) {
	d := st.data(typeName, id)
	if d == nil {
		return nil, false
	}
	v, _, err := copyJSON(d)
	if err != nil {
		return nil, false
	}
	return v.(map[string]any), true
}

// IDs returns the ids of the stored objects of type typeName, in the order
// they were first stored.
func (st *Store) IDs(typeName string) []string { return st.ids(typeName) }

// Delete removes the object of type typeName with id id, if stored.
func (st *Store) Delete(typeName, id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := st.types[typeName]
	if t == nil || t.objs[id] == nil {
		return
	}
	delete(t.objs, id)
	t.order = slices.DeleteFunc(t.order, func(s string) bool { return s == id })
	st.n--
	st.any.Store(st.n > 0)
}

// Clear removes every stored object, those of the fixtures included.
func (st *Store) Clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.types = map[string]*storeType{}
	st.n, st.maxList = 0, 0
	st.any.Store(false)
}

// data is the stored value, shared and read-only, or nil.
func (st *Store) data(typeName, id string) map[string]any {
	if !st.any.Load() {
		return nil
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	if t := st.types[typeName]; t != nil {
		return t.objs[id]
	}
	return nil
}

// empty reports whether the store holds nothing, without its lock.
func (st *Store) empty() bool { return !st.any.Load() }

func (st *Store) ids(typeName string) []string {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if t := st.types[typeName]; t != nil {
		return slices.Clone(t.order)
	}
	return nil
}

func (st *Store) count(typeName string) int {
	if !st.any.Load() {
		return 0
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	if t := st.types[typeName]; t != nil {
		return len(t.order)
	}
	return 0
}

// bounds are the most objects of one type and the longest stored list,
// for the cost of a query.
func (st *Store) bounds() (perType, list int) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, t := range st.types {
		perType = max(perType, len(t.order))
	}
	return perType, st.maxList
}

// copyJSON copies v through encoding/json (numbers as json.Number), and
// reports its longest list.
func copyJSON(v any) (any, int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, 0, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, 0, err
	}
	return out, longestList(out), nil
}

func longestList(v any) int {
	n := 0
	switch x := v.(type) {
	case []any:
		n = len(x)
		for _, e := range x {
			n = max(n, longestList(e))
		}
	case map[string]any:
		for _, e := range x {
			n = max(n, longestList(e))
		}
	}
	return n
}
