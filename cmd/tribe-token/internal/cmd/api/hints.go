package api

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
)

// Before anything is sent, the variables are checked against the
// operation's definitions of them (GraphQL spec, section 6.4.1,
// CoerceVariableValues) for the two mistakes the server would refuse and
// a flag explains: a variable the operation needs that nothing gives, and
// a string from -f for a variable of a type no string is. What the
// server refuses all the same is explained after, on the error's line.

// nonStrings are the built-in scalars (GraphQL spec, section 3.5) whose
// values no JSON string is; a custom scalar or an enum may take one.
func nonStrings() []string { return []string{"Int", "Float", "Boolean"} }

// namedType is the named type at the bottom of t's lists: ID for [ID!]!.
func namedType(t *ast.Type) string {
	for t != nil && t.Elem != nil {
		t = t.Elem
	}
	if t == nil {
		return ""
	}
	return t.NamedType
}

// howToPass says how a value of type t is best given: -f for a string
// (String, ID, an enum, a custom scalar), -F for anything else.
func howToPass(name string, t *ast.Type) string {
	switch {
	case t.Elem != nil:
		return fmt.Sprintf(`-F %s=VALUE with a JSON list, or --variables '{"%s": [...]}'`, name, name)
	case slices.Contains(nonStrings(), t.NamedType):
		return fmt.Sprintf("-F %s=VALUE", name)
	}
	return fmt.Sprintf("-f %s=VALUE", name)
}

// checkVariables refuses a variable the operation needs (non-null, with
// no default) that no flag gives, and a -f string for a variable whose
// type is Int, Float or Boolean (or a list of them).
func checkVariables(op operation, vars map[string]any, opts *Options) error {
	raw := map[string]bool{}
	for _, s := range opts.Raw {
		if f, err := ParseField("-f", s); err == nil {
			raw[f.Name] = true
		}
	}
	for _, def := range op.defs {
		name := def.Variable
		if named := namedType(def.Type); raw[name] && slices.Contains(nonStrings(), named) {
			return cmdutil.Usagef("-f %s= sends $%s as a string, but the query declares it %s; use -F for typed values: -F %s=VALUE", name, name, def.Type.String(), name)
		}
		if _, given := vars[name]; given || !def.Type.NonNull || def.DefaultValue != nil {
			continue
		}
		if opts.Paginate && name == "after" {
			return cmdutil.Usagef("the query declares $after %s, but --paginate sends no cursor for the first page; declare it $after: String (nullable)", def.Type.String())
		}
		return cmdutil.Usagef("the query needs $%s (%s), and no -F, -f or --variables gives it; pass it with %s", name, def.Type.String(), howToPass(name, def.Type))
	}
	return nil
}

// variableInMessage finds the variable a GraphQL error is about, as
// graphql-js ('Variable "$limit" of required type ...') and the mock
// ("variable $limit: ...") name it.
var variableInMessage = regexp.MustCompile(`(?i)\bvariable\s+"?\$([_A-Za-z][_0-9A-Za-z]*)`)

// hintFor returns what to do about one GraphQL error of an answer, "" if
// api has nothing to add: for a refused token of the user's, mint a new
// one for where it came from; for an error about a variable, how to give
// it.
func (r *runner) hintFor(ge *tribe.GraphQLError) string {
	if r.tokenFrom != "" && (errors.Is(ge, tribe.ErrInvalidToken) || errors.Is(ge, tribe.ErrUnauthorized)) {
		return cmdutil.RefusedTokenHint + " for " + r.tokenFrom
	}
	m := variableInMessage.FindStringSubmatch(ge.Message)
	if m == nil {
		return ""
	}
	name := m[1]
	def := r.op.def(name)
	switch {
	case def == nil:
		return ""
	case r.givenWith("-f", name):
		return fmt.Sprintf("-f sends $%s as a string; use -F for typed values: -F %s=VALUE", name, name)
	case !r.given(name):
		return fmt.Sprintf("no -F, -f or --variables gives $%s; pass it with %s", name, howToPass(name, def.Type))
	}
	return ""
}

// givenWith reports whether the variable name was given with flag (-f or
// -F).
func (r *runner) givenWith(flag, name string) bool {
	fields := r.opts.Typed
	if flag == "-f" {
		fields = r.opts.Raw
	}
	for _, s := range fields {
		if f, err := ParseField(flag, s); err == nil && f.Name == name {
			return true
		}
	}
	return false
}

// given reports whether the run sends the variable name.
func (r *runner) given(name string) bool {
	_, ok := r.vars[name]
	return ok || (r.opts.Paginate && name == "after")
}
