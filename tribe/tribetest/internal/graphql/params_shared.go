package graphql

import "sync"

// maxSharedVars is the longest variables text that sharedVars keeps.
const maxSharedVars = 1 << 10

// sharedVars keeps the variables objects that requests sent, by their
// JSON text, so that a request sending a text seen before gets the map
// decoded then rather than decoding its own: a client sends the same
// variables again and again. Only the objects of scalars that the fast
// path decoded are kept (their values are strings, float64s, bools and
// nils, so nothing in them can be changed in place), and each map is
// shared read-only. It keeps at most max texts, dropping an arbitrary
// one to make room, so no client can grow it without bound. Safe for
// concurrent use.
type sharedVars struct {
	mu   sync.Mutex
	max  int
	vars map[string]map[string]any
}

// get is the variables decoded from text, or nil.
func (sv *sharedVars) get(text []byte) map[string]any {
	sv.mu.Lock()
	vars := sv.vars[string(text)] // looked up without a copy
	sv.mu.Unlock()
	return vars
}

// put keeps vars, decoded from text; a nil sv keeps nothing.
func (sv *sharedVars) put(text []byte, vars map[string]any) {
	if sv == nil || sv.max <= 0 || len(text) > maxSharedVars {
		return
	}
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if _, ok := sv.vars[string(text)]; ok {
		return
	}
	if len(sv.vars) >= sv.max {
		for k := range sv.vars { // an arbitrary one: map order is random
			delete(sv.vars, k)
			break
		}
	}
	if sv.vars == nil {
		sv.vars = make(map[string]map[string]any)
	}
	sv.vars[string(text)] = vars
}

// len is the number of texts kept.
func (sv *sharedVars) len() int {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return len(sv.vars)
}
