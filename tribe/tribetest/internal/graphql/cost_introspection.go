package graphql

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// introspectionField counts a field of an introspection type: its lists
// are the schema's own, as the introspection objects answer them.
func (c *coster) introspectionField(f *ast.Field, ctx costCtx, add func(int, costCtx) bool) {
	s := c.schema.AST
	switch ctx.kind {
	case costSchema:
		switch f.Name {
		case "types":
			for _, def := range s.Types {
				if !add(1, costCtx{kind: costType, def: def}) {
					break
				}
			}
		case "queryType":
			c.addNamed(s.Query, add)
		case "mutationType":
			c.addNamed(s.Mutation, add)
		case "subscriptionType":
			c.addNamed(s.Subscription, add)
		case "directives":
			for _, dd := range s.Directives {
				if !add(1, costCtx{kind: costDirective, dd: dd}) {
					break
				}
			}
		}
	case costType:
		c.typeField(f, ctx, add)
	case costField:
		switch f.Name {
		case "args":
			for _, a := range ctx.fd.Arguments {
				if !add(1, costCtx{kind: costInput, t: a.Type}) {
					break
				}
			}
		case "type":
			c.addType(ctx.fd.Type, add)
		}
	case costInput:
		if f.Name == "type" {
			c.addType(ctx.t, add)
		}
	case costDirective:
		if f.Name == "args" {
			for _, a := range ctx.dd.Arguments {
				if !add(1, costCtx{kind: costInput, t: a.Type}) {
					break
				}
			}
		}
	}
}

// typeField counts a field of __Type: its lists are the type's own.
func (c *coster) typeField(f *ast.Field, ctx costCtx, add func(int, costCtx) bool) {
	d := ctx.def
	if d == nil { // a wrapper: only ofType is not null
		if f.Name == "ofType" && ctx.t != nil {
			inner := ctx.t.Elem
			if ctx.t.NonNull {
				cp := *ctx.t
				cp.NonNull = false
				inner = &cp
			}
			if inner != nil {
				c.addType(inner, add)
			}
		}
		return
	}
	s := c.schema.AST
	switch f.Name {
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return
		}
		for _, fd := range d.Fields {
			if strings.HasPrefix(fd.Name, "__") { // as typeObj leaves them out
				continue
			}
			if !add(1, costCtx{kind: costField, fd: fd}) {
				return
			}
		}
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return
		}
		for _, n := range d.Interfaces {
			if !c.addNamed(s.Types[n], add) {
				return
			}
		}
	case "possibleTypes":
		if d.IsAbstractType() {
			for _, p := range s.GetPossibleTypes(d) {
				if !c.addNamed(p, add) {
					return
				}
			}
		}
	case "enumValues":
		if d.Kind == ast.Enum {
			add(len(d.EnumValues), costCtx{kind: costPlain})
		}
	case "inputFields":
		if d.Kind != ast.InputObject {
			return
		}
		for _, fd := range d.Fields {
			if !add(1, costCtx{kind: costInput, t: fd.Type}) {
				return
			}
		}
	}
}

// addNamed counts the __Type of def; nil answers null, which counts
// nothing.
func (c *coster) addNamed(def *ast.Definition, add func(int, costCtx) bool) bool {
	if def == nil {
		return true
	}
	return add(1, costCtx{kind: costType, def: def})
}

// addType counts the __Type of t, as typeOf resolves it.
func (c *coster) addType(t *ast.Type, add func(int, costCtx) bool) bool {
	if t.NonNull || t.Elem != nil {
		return add(1, costCtx{kind: costType, t: t})
	}
	return c.addNamed(c.schema.AST.Types[t.NamedType], add)
}
