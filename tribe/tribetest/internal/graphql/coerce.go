package graphql

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// coercedVars is an operation's variables as coerceVariables last
// answered them, for the raw values (scalars) they came from.
type coercedVars struct {
	raw varSnapshot
	n   int // how many variables raw holds
	out map[string]any
}

// maxCoercedVars bounds the variables whose coercion is kept.
const maxCoercedVars = 16

// Coerce is op's variables, raw as the request sent them, coerced to the
// types the operation declares (GraphQL, section 6.1.2, CoerceVariableValues),
// or the error of the first that cannot be: [Codes].MissingVariable for a
// non-null variable without a value, [Codes].BadVariable for a value of
// the wrong type. The answer is kept with q while requests send the same
// scalar values for op's variables; the map it returns is shared, and
// only read by the executor and the cost and complexity walks.
func (q *Query) Coerce(op *ast.OperationDefinition, raw map[string]any) (map[string]any, *Error) {
	if cv := q.coerced.load(q.doc, op); cv != nil {
		if len(raw) == cv.n && cv.raw.matches(raw) {
			return cv.out, nil
		}
	}
	out, ge := coerceVariables(q.schema, op, raw)
	if ge != nil || len(raw) > maxCoercedVars {
		return out, ge
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	if snap := snapshotVars(names, raw); len(names) == 0 || snap.vals != nil {
		q.coerced.store(q.doc, op, coercedVars{raw: snap, n: len(raw), out: out})
	}
	return out, nil
}

// coerceVariables is validator.VariableValues, recovering from its panics
// and giving its errors the schema's codes, after checkIntVariables.
func coerceVariables(s *Schema, op *ast.OperationDefinition, vars map[string]any) (out map[string]any, ge *Error) {
	defer func() {
		if p := recover(); p != nil {
			e := NewError(s.Codes.BadVariable, fmt.Sprintf("invalid variables: %v", p))
			out, ge = nil, &e
		}
	}()
	if vars == nil {
		vars = map[string]any{}
	}
	if e := checkIntVariables(s, op, vars); e != nil {
		return nil, e
	}
	out, err := validator.VariableValues(s.AST, op, vars)
	if err == nil {
		return out, nil
	}
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		e := NewError(s.Codes.BadVariable, err.Error())
		return nil, &e
	}
	code := s.Codes.BadVariable
	if strings.HasSuffix(gerr.Message, "must be defined") {
		code = s.Codes.MissingVariable
	}
	// The error's path is variable.NAME...: name the variable in the
	// message, as a response path would mislead.
	where := "variable"
	for i, p := range gerr.Path {
		switch p := p.(type) {
		case ast.PathName:
			if i == 1 {
				where += " $" + string(p)
			} else if i > 1 {
				where += "." + string(p)
			}
		case ast.PathIndex:
			where += fmt.Sprintf("[%d]", int(p))
		}
	}
	e := NewError(code, where+": "+gerr.Message)
	for _, vd := range op.VariableDefinitions {
		if len(gerr.Path) > 1 && gerr.Path[1] == ast.PathName(vd.Variable) {
			e = e.At(vd.Position)
		}
	}
	return nil, &e
}

// checkIntVariables refuses what validator.VariableValues lets through as
// an Int: a string of digits ("5") and integers beyond 32 bits. An Int
// variable, or an Int in a list or input object variable, must be a JSON
// number that is an integer from -2^31 to 2^31-1 (GraphQL, section 3.5.1);
// anything else is a variable error ([Codes].BadVariable), before
// execution. Null and absent values are left to VariableValues.
func checkIntVariables(s *Schema, op *ast.OperationDefinition, vars map[string]any) *Error {
	for _, vd := range op.VariableDefinitions {
		if where, bad := badInt(s.AST, vd.Type, vars[vd.Variable]); bad {
			e := NewError(s.Codes.BadVariable, "variable $"+vd.Variable+where+": an Int must be a JSON integer within 32 bits").At(vd.Position)
			return &e
		}
	}
	return nil
}

// badInt reports where in v, a value of type t, an Int is not one: the
// path from v ("", "[2]", ".field"...).
func badInt(schema *ast.Schema, t *ast.Type, v any) (string, bool) {
	if v == nil {
		return "", false
	}
	if t.Elem != nil {
		l, ok := v.([]any)
		if !ok { // a single value stands for a list of one
			return badInt(schema, t.Elem, v)
		}
		for i, x := range l {
			if w, bad := badInt(schema, t.Elem, x); bad {
				return fmt.Sprintf("[%d]", i) + w, true
			}
		}
		return "", false
	}
	if t.NamedType == "Int" {
		f, ok := v.(float64) // what encoding/json decodes a number to
		return "", !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32
	}
	def := schema.Types[t.NamedType]
	obj, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return "", false
	}
	for _, fd := range def.Fields {
		if w, bad := badInt(schema, fd.Type, obj[fd.Name]); bad {
			return "." + fd.Name + w, true
		}
	}
	return "", false
}
