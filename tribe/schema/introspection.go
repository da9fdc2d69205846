package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// IntrospectionQuery is the standard introspection query (the one
// graphql-js's getIntrospectionQuery builds, with descriptions and
// deprecations): what [Pull] sends.
const IntrospectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      locations
      args { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
}

fragment TypeRef on __Type {
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType { kind name }
            }
          }
        }
      }
    }
  }
}`

// introspection is the __schema part of an introspection result.
type introspection struct {
	QueryType        *named      `json:"queryType"`
	MutationType     *named      `json:"mutationType"`
	SubscriptionType *named      `json:"subscriptionType"`
	Types            []fullType  `json:"types"`
	Directives       []directive `json:"directives"`
}

type named struct {
	Name string `json:"name"`
}

type fullType struct {
	Kind          string       `json:"kind"`
	Name          string       `json:"name"`
	Description   *string      `json:"description"`
	Fields        []field      `json:"fields"`
	InputFields   []inputValue `json:"inputFields"`
	Interfaces    []typeRef    `json:"interfaces"`
	EnumValues    []enumValue  `json:"enumValues"`
	PossibleTypes []typeRef    `json:"possibleTypes"`
}

type field struct {
	Name              string       `json:"name"`
	Description       *string      `json:"description"`
	Args              []inputValue `json:"args"`
	Type              typeRef      `json:"type"`
	IsDeprecated      bool         `json:"isDeprecated"`
	DeprecationReason *string      `json:"deprecationReason"`
}

type inputValue struct {
	Name         string  `json:"name"`
	Description  *string `json:"description"`
	Type         typeRef `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

type enumValue struct {
	Name              string  `json:"name"`
	Description       *string `json:"description"`
	IsDeprecated      bool    `json:"isDeprecated"`
	DeprecationReason *string `json:"deprecationReason"`
}

type directive struct {
	Name        string       `json:"name"`
	Description *string      `json:"description"`
	Locations   []string     `json:"locations"`
	Args        []inputValue `json:"args"`
	// IsRepeatable is read when the server sends it.
	IsRepeatable bool `json:"isRepeatable"`
}

type typeRef struct {
	Kind   string   `json:"kind"`
	Name   *string  `json:"name"`
	OfType *typeRef `json:"ofType"`
}

// maxTypeDepth bounds the wrapping of a type reference (lists of lists of
// non-nulls), so a hostile document cannot recurse without end.
const maxTypeDepth = 16

// String writes the reference as SDL: [T!]! and so on.
func (t *typeRef) sdl(depth int) (string, error) {
	if t == nil || depth > maxTypeDepth {
		return "", fmt.Errorf("a type reference is missing or nested more than %d deep", maxTypeDepth)
	}
	switch t.Kind {
	case "NON_NULL":
		inner, err := t.OfType.sdl(depth + 1)
		if err != nil {
			return "", err
		}
		return inner + "!", nil
	case "LIST":
		inner, err := t.OfType.sdl(depth + 1)
		if err != nil {
			return "", err
		}
		return "[" + inner + "]", nil
	}
	if t.Name == nil || !isName(*t.Name) {
		return "", fmt.Errorf("a type reference of kind %q has no valid name", t.Kind)
	}
	return *t.Name, nil
}

// isName reports whether s is a GraphQL Name (/[_A-Za-z][_0-9A-Za-z]*/).
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// builtinScalar reports whether name is one of the scalars every schema
// has; they are not printed.
func builtinScalar(name string) bool {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return true
	}
	return false
}

// builtinDirectives returns the directives every schema has: those of
// gqlparser's prelude (skip, include, deprecated, specifiedBy, defer, …),
// which an introspection result lists too.
func builtinDirectives() map[string]bool {
	names := map[string]bool{}
	if s, err := gqlparser.LoadSchema(&ast.Source{Name: "prelude", Input: "type Query { a: Int }"}); err == nil {
		for name, d := range s.Directives {
			if d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn {
				names[name] = true
			}
		}
	}
	return names
}

// parseIntrospection reads an introspection result: {"data":{"__schema":…}},
// {"__schema":…} or the __schema object itself.
func parseIntrospection(data []byte) (*introspection, error) {
	var doc struct {
		Data *struct {
			Schema *introspection `json:"__schema"`
		} `json:"data"`
		Schema *introspection `json:"__schema"`
		Types  []fullType     `json:"types"`
	}
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the introspection result is not valid JSON: %w", err)
	}
	switch {
	case doc.Data != nil && doc.Data.Schema != nil:
		return doc.Data.Schema, nil
	case doc.Schema != nil:
		return doc.Schema, nil
	case doc.Types != nil:
		var s introspection
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("the introspection result is not valid JSON: %w", err)
		}
		return &s, nil
	}
	return nil, fmt.Errorf(`the JSON has no "__schema"; give the answer to the introspection query ({"data":{"__schema":…}})`)
}

// toSDL writes an introspection result as SDL text.
func (s *introspection) toSDL() (string, error) {
	var b strings.Builder
	root := func(n *named, def string) string {
		if n == nil || n.Name == "" {
			return ""
		}
		return n.Name
	}
	q, m, sub := root(s.QueryType, "Query"), root(s.MutationType, "Mutation"), root(s.SubscriptionType, "Subscription")
	if q == "" {
		return "", fmt.Errorf("the schema has no query type")
	}
	if q != "Query" || (m != "" && m != "Mutation") || (sub != "" && sub != "Subscription") {
		b.WriteString("schema {\n  query: " + q + "\n")
		if m != "" {
			b.WriteString("  mutation: " + m + "\n")
		}
		if sub != "" {
			b.WriteString("  subscription: " + sub + "\n")
		}
		b.WriteString("}\n\n")
	}
	builtin := builtinDirectives()
	for _, d := range s.Directives {
		if builtin[d.Name] {
			continue
		}
		if !isName(d.Name) {
			return "", fmt.Errorf("a directive has the invalid name %q", d.Name)
		}
		writeDescription(&b, d.Description, "")
		b.WriteString("directive @" + d.Name)
		if err := writeArgs(&b, d.Args); err != nil {
			return "", fmt.Errorf("directive @%s: %w", d.Name, err)
		}
		if d.IsRepeatable {
			b.WriteString(" repeatable")
		}
		locs := append([]string(nil), d.Locations...)
		sort.Strings(locs)
		for _, l := range locs {
			if !isName(l) {
				return "", fmt.Errorf("directive @%s has the invalid location %q", d.Name, l)
			}
		}
		b.WriteString(" on " + strings.Join(locs, " | ") + "\n\n")
	}
	for _, t := range s.Types {
		if strings.HasPrefix(t.Name, "__") || builtinScalar(t.Name) {
			continue
		}
		if !isName(t.Name) {
			return "", fmt.Errorf("a type has the invalid name %q", t.Name)
		}
		if err := writeType(&b, &t); err != nil {
			return "", fmt.Errorf("type %s: %w", t.Name, err)
		}
	}
	return b.String(), nil
}

func writeType(b *strings.Builder, t *fullType) error {
	writeDescription(b, t.Description, "")
	switch t.Kind {
	case "SCALAR":
		b.WriteString("scalar " + t.Name + "\n\n")
		return nil
	case "OBJECT", "INTERFACE":
		kw := "type"
		if t.Kind == "INTERFACE" {
			kw = "interface"
		}
		b.WriteString(kw + " " + t.Name)
		if len(t.Interfaces) > 0 {
			names := make([]string, 0, len(t.Interfaces))
			for i := range t.Interfaces {
				n, err := t.Interfaces[i].sdl(0)
				if err != nil {
					return err
				}
				names = append(names, n)
			}
			b.WriteString(" implements " + strings.Join(names, " & "))
		}
		if len(t.Fields) == 0 {
			return fmt.Errorf("it has no fields")
		}
		b.WriteString(" {\n")
		for _, f := range t.Fields {
			if !isName(f.Name) {
				return fmt.Errorf("a field has the invalid name %q", f.Name)
			}
			writeDescription(b, f.Description, "  ")
			b.WriteString("  " + f.Name)
			if err := writeArgs(b, f.Args); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
			ts, err := f.Type.sdl(0)
			if err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
			b.WriteString(": " + ts + deprecation(f.IsDeprecated, f.DeprecationReason) + "\n")
		}
		b.WriteString("}\n\n")
	case "UNION":
		names := make([]string, 0, len(t.PossibleTypes))
		for i := range t.PossibleTypes {
			n, err := t.PossibleTypes[i].sdl(0)
			if err != nil {
				return err
			}
			names = append(names, n)
		}
		if len(names) == 0 {
			return fmt.Errorf("the union has no member types")
		}
		b.WriteString("union " + t.Name + " = " + strings.Join(names, " | ") + "\n\n")
	case "ENUM":
		if len(t.EnumValues) == 0 {
			return fmt.Errorf("the enum has no values")
		}
		b.WriteString("enum " + t.Name + " {\n")
		for _, v := range t.EnumValues {
			if !isName(v.Name) {
				return fmt.Errorf("an enum value has the invalid name %q", v.Name)
			}
			writeDescription(b, v.Description, "  ")
			b.WriteString("  " + v.Name + deprecation(v.IsDeprecated, v.DeprecationReason) + "\n")
		}
		b.WriteString("}\n\n")
	case "INPUT_OBJECT":
		if len(t.InputFields) == 0 {
			return fmt.Errorf("the input type has no fields")
		}
		b.WriteString("input " + t.Name + " {\n")
		for _, f := range t.InputFields {
			if err := writeInputValue(b, f, "  "); err != nil {
				return err
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n\n")
	default:
		return fmt.Errorf("unknown kind %q", t.Kind)
	}
	return nil
}

func writeArgs(b *strings.Builder, args []inputValue) error {
	if len(args) == 0 {
		return nil
	}
	b.WriteString("(\n")
	for _, a := range args {
		if err := writeInputValue(b, a, "    "); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	b.WriteString("  )")
	return nil
}

func writeInputValue(b *strings.Builder, v inputValue, indent string) error {
	if !isName(v.Name) {
		return fmt.Errorf("an argument or input field has the invalid name %q", v.Name)
	}
	writeDescription(b, v.Description, indent)
	ts, err := v.Type.sdl(0)
	if err != nil {
		return fmt.Errorf("%s: %w", v.Name, err)
	}
	b.WriteString(indent + v.Name + ": " + ts)
	if v.DefaultValue != nil {
		// A GraphQL literal, as the server printed it: checked alone first,
		// so that a hostile one cannot add fields or types to the schema.
		if !validDefault(*v.DefaultValue) {
			return fmt.Errorf("%s: the default value is not one GraphQL value", v.Name)
		}
		b.WriteString(" = " + *v.DefaultValue)
	}
	return nil
}

// validDefault reports whether dv is exactly one GraphQL value literal.
func validDefault(dv string) bool {
	doc, err := parser.ParseSchema(&ast.Source{Input: "input X { a: Int = " + dv + " }"})
	return err == nil && len(doc.Definitions) == 1 && len(doc.Definitions[0].Fields) == 1 &&
		doc.Definitions[0].Fields[0].DefaultValue != nil && len(doc.Extensions) == 0 && len(doc.Directives) == 0
}

// writeDescription writes a description as a string literal, escaped.
func writeDescription(b *strings.Builder, d *string, indent string) {
	if d == nil || *d == "" {
		return
	}
	q, _ := json.Marshal(*d) // a JSON string is a valid GraphQL string
	b.WriteString(indent + string(q) + "\n")
}

// deprecation returns the @deprecated directive for a deprecated element.
func deprecation(is bool, reason *string) string {
	if !is {
		return ""
	}
	if reason == nil || *reason == "" {
		return " @deprecated"
	}
	q, _ := json.Marshal(*reason)
	return " @deprecated(reason: " + string(q) + ")"
}
