package tribetest

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

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
			c, err := rc.fromData(t.Elem, x, automock.HashIndex(seed, i))
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
		ps := rc.s.mock.Possible(def.Name)
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
	if ci := rc.s.mock.Connection(concrete.Name); ci != nil && data != nil {
		return rc.newObj(mockObj{def: concrete, seed: seed, data: data}), nil
	}
	if id != "" && rc.s.mock.HasID(concrete) {
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
			return graphql.FormatDateTime(x), nil
		}
		if f, ok := num(); ok && name == "ID" && f == math.Trunc(f) {
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		}
		return bad()
	}
	switch x := v.(type) {
	case string, bool, time.Time:
		return x, nil
	case graphql.RawJSON:
		return x, nil
	}
	if f, ok := num(); ok {
		return f, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return bad()
	}
	return graphql.RawJSON(b), nil
}
