package graphql

import (
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Introspection (GraphQL, section 4: __schema, __type) over the served
// schema, so GraphQL tools can explore a server. The engine answers these
// fields itself: its objects answer their own fields.

// introObject is an object of an introspection type, which answers its
// own fields.
type introObject interface {
	Object
	field(name string, args map[string]any) (any, error)
}

// introspect answers the root field __schema or __type.
func (s *Schema) introspect(name string, args map[string]any) any {
	if name == "__schema" {
		return &schemaObj{schema: s.AST}
	}
	def := s.AST.Types[StringArg(args, "name")]
	if def == nil {
		return nil
	}
	return typeObj{s: s.AST, def: def}
}

type schemaObj struct{ schema *ast.Schema }

func (schemaObj) TypeName() string { return "__Schema" }

func (o *schemaObj) field(name string, _ map[string]any) (any, error) {
	s := o.schema
	switch name {
	case "description":
		return OptString(s.Description), nil
	case "types":
		names := make([]string, 0, len(s.Types))
		for n := range s.Types {
			names = append(names, n)
		}
		slices.Sort(names)
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = typeObj{s: s, def: s.Types[n]}
		}
		return out, nil
	case "queryType":
		return typeObj{s: s, def: s.Query}, nil
	case "mutationType":
		if s.Mutation == nil {
			return nil, nil
		}
		return typeObj{s: s, def: s.Mutation}, nil
	case "subscriptionType":
		if s.Subscription == nil {
			return nil, nil
		}
		return typeObj{s: s, def: s.Subscription}, nil
	case "directives":
		names := make([]string, 0, len(s.Directives))
		for n := range s.Directives {
			names = append(names, n)
		}
		slices.Sort(names)
		out := make([]any, len(names))
		for i, n := range names {
			out[i] = directiveObj{s: s, d: s.Directives[n]}
		}
		return out, nil
	}
	return nil, nil
}

// typeObj is a named type (def) or a wrapping type (t, NON_NULL or LIST).
type typeObj struct {
	s   *ast.Schema
	def *ast.Definition
	t   *ast.Type
}

func (typeObj) TypeName() string { return "__Type" }

// typeOf is the __Type of a field, argument or input field type.
func typeOf(s *ast.Schema, t *ast.Type) any {
	if t.NonNull || t.Elem != nil {
		return typeObj{s: s, t: t}
	}
	def := s.Types[t.NamedType]
	if def == nil {
		return nil
	}
	return typeObj{s: s, def: def}
}

func (o typeObj) field(name string, args map[string]any) (any, error) {
	if o.def == nil {
		switch name {
		case "kind":
			if o.t.NonNull {
				return "NON_NULL", nil
			}
			return "LIST", nil
		case "ofType":
			if o.t.NonNull {
				inner := *o.t
				inner.NonNull = false
				return typeOf(o.s, &inner), nil
			}
			return typeOf(o.s, o.t.Elem), nil
		}
		return nil, nil
	}
	d := o.def
	deprecatedToo, _ := args["includeDeprecated"].(bool)
	switch name {
	case "kind":
		return string(d.Kind), nil
	case "name":
		return d.Name, nil
	case "description":
		return OptString(d.Description), nil
	case "specifiedByURL":
		if dir := d.Directives.ForName("specifiedBy"); dir != nil {
			if a := dir.Arguments.ForName("url"); a != nil && a.Value != nil {
				return a.Value.Raw, nil
			}
		}
		return nil, nil
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil, nil
		}
		var out []any
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") || (!deprecatedToo && deprecated(f.Directives)) {
				continue
			}
			out = append(out, fieldObj{s: o.s, f: f})
		}
		return orEmpty(out), nil
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil, nil
		}
		out := []any{}
		for _, n := range d.Interfaces {
			if def := o.s.Types[n]; def != nil {
				out = append(out, typeObj{s: o.s, def: def})
			}
		}
		return out, nil
	case "possibleTypes":
		if !d.IsAbstractType() {
			return nil, nil
		}
		out := []any{}
		for _, p := range o.s.GetPossibleTypes(d) {
			out = append(out, typeObj{s: o.s, def: p})
		}
		return out, nil
	case "enumValues":
		if d.Kind != ast.Enum {
			return nil, nil
		}
		var out []any
		for _, v := range d.EnumValues {
			if deprecatedToo || !deprecated(v.Directives) {
				out = append(out, enumValueObj{v})
			}
		}
		return orEmpty(out), nil
	case "inputFields":
		if d.Kind != ast.InputObject {
			return nil, nil
		}
		var out []any
		for _, f := range d.Fields {
			if deprecatedToo || !deprecated(f.Directives) {
				out = append(out, inputValueObj{s: o.s, name: f.Name, desc: f.Description, t: f.Type, def: f.DefaultValue, dirs: f.Directives})
			}
		}
		return orEmpty(out), nil
	case "isOneOf":
		if d.Kind != ast.InputObject {
			return nil, nil
		}
		return d.Directives.ForName("oneOf") != nil, nil
	}
	return nil, nil
}

type fieldObj struct {
	s *ast.Schema
	f *ast.FieldDefinition
}

func (fieldObj) TypeName() string { return "__Field" }

func (o fieldObj) field(name string, args map[string]any) (any, error) {
	f := o.f
	switch name {
	case "name":
		return f.Name, nil
	case "description":
		return OptString(f.Description), nil
	case "args":
		return inputValues(o.s, f.Arguments, args), nil
	case "type":
		return typeOf(o.s, f.Type), nil
	case "isDeprecated":
		return deprecated(f.Directives), nil
	case "deprecationReason":
		return deprecationReason(f.Directives), nil
	}
	return nil, nil
}

func inputValues(s *ast.Schema, defs ast.ArgumentDefinitionList, args map[string]any) []any {
	deprecatedToo, _ := args["includeDeprecated"].(bool)
	out := []any{}
	for _, a := range defs {
		if deprecatedToo || !deprecated(a.Directives) {
			out = append(out, inputValueObj{s: s, name: a.Name, desc: a.Description, t: a.Type, def: a.DefaultValue, dirs: a.Directives})
		}
	}
	return out
}

type inputValueObj struct {
	s    *ast.Schema
	name string
	desc string
	t    *ast.Type
	def  *ast.Value
	dirs ast.DirectiveList
}

func (inputValueObj) TypeName() string { return "__InputValue" }

func (o inputValueObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "name":
		return o.name, nil
	case "description":
		return OptString(o.desc), nil
	case "type":
		return typeOf(o.s, o.t), nil
	case "defaultValue":
		if o.def == nil {
			return nil, nil
		}
		return o.def.String(), nil
	case "isDeprecated":
		return deprecated(o.dirs), nil
	case "deprecationReason":
		return deprecationReason(o.dirs), nil
	}
	return nil, nil
}

type enumValueObj struct{ v *ast.EnumValueDefinition }

func (enumValueObj) TypeName() string { return "__EnumValue" }

func (o enumValueObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "name":
		return o.v.Name, nil
	case "description":
		return OptString(o.v.Description), nil
	case "isDeprecated":
		return deprecated(o.v.Directives), nil
	case "deprecationReason":
		return deprecationReason(o.v.Directives), nil
	}
	return nil, nil
}

type directiveObj struct {
	s *ast.Schema
	d *ast.DirectiveDefinition
}

func (directiveObj) TypeName() string { return "__Directive" }

func (o directiveObj) field(name string, args map[string]any) (any, error) {
	switch name {
	case "name":
		return o.d.Name, nil
	case "description":
		return OptString(o.d.Description), nil
	case "isRepeatable":
		return o.d.IsRepeatable, nil
	case "locations":
		out := make([]any, len(o.d.Locations))
		for i, l := range o.d.Locations {
			out[i] = string(l)
		}
		return out, nil
	case "args":
		return inputValues(o.s, o.d.Arguments, args), nil
	}
	return nil, nil
}

func deprecated(dirs ast.DirectiveList) bool { return dirs.ForName("deprecated") != nil }

func deprecationReason(dirs ast.DirectiveList) any {
	d := dirs.ForName("deprecated")
	if d == nil {
		return nil
	}
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return "No longer supported"
}

// orEmpty makes a nil list an empty one, for list fields that are non-null
// for the kinds they apply to.
func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
