package graphql

import (
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// ArgumentValues is f's arguments (GraphQL, section 6.4.1,
// CoerceArgumentValues): literal values, variables (absent ones left out)
// and defaults, as ast.Field.ArgumentMap without its panics. A value that
// cannot be read is an error with code.
func ArgumentValues(f *ast.Field, vars map[string]any, code string) (map[string]any, error) {
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
					return nil, argError{code: code, message: "argument " + def.Name + ": " + err.Error()}
				}
				out[def.Name] = v
				continue
			}
		}
		if def.DefaultValue != nil {
			v, err := def.DefaultValue.Value(vars)
			if err != nil {
				return nil, argError{code: code, message: "argument " + def.Name + ": " + err.Error()}
			}
			out[def.Name] = v
		}
	}
	return out, nil
}

// argError is an argument that cannot be read: a [CodedError].
type argError struct{ code, message string }

func (e argError) Error() string        { return e.message }
func (e argError) ErrorCode() string    { return e.code }
func (e argError) ErrorMessage() string { return e.message }

// StringArg is a String or ID argument of args, "" when absent or null.
func StringArg(args map[string]any, name string) string {
	switch v := args[name].(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
	}
	return ""
}

// IntArg is an Int argument of args (0 when absent or null); false when it
// is not an integer within 32 bits.
func IntArg(args map[string]any, name string) (int, bool) {
	var f float64
	switch v := args[name].(type) {
	case nil:
		return 0, true
	case int64:
		f = float64(v)
	case int:
		f = float64(v)
	case float64:
		f = v
	default:
		return 0, false
	}
	if f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}
