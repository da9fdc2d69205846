package graphql

import (
	"encoding/json"

	"github.com/vektah/gqlparser/v2/ast"
)

// varSnapshot is the values some variables had, to tell whether a later
// request's are the same: what a result cached with a query depends on.
// Scalars (the usual case) are kept as they are and compared with ==,
// without encoding them; other values are compared by their JSON
// encoding.
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

// appendVarNames appends the names of the variables v is or holds.
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

// hasVariables reports whether v is or holds a variable.
func hasVariables(v *ast.Value) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.Variable {
		return true
	}
	for _, c := range v.Children {
		if hasVariables(c.Value) {
			return true
		}
	}
	return false
}
