package automock

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// Info is what mocking needs to know of a schema, computed once. It is
// read-only once built, and safe for concurrent use.
type Info struct {
	schema *graphql.Schema
	// hasID are the composite types with an id field; byDef is hasID of
	// every type of the schema, by its definition (faster to look up).
	hasID map[string]bool
	byDef map[*ast.Definition]bool
	// linkObj maps a field x whose type has an id to its sibling ID field
	// xId; linkID maps xId to the type of x.
	linkObj map[*ast.FieldDefinition]string
	linkID  map[*ast.FieldDefinition]string
	// fields is the above per field, looked up once per mocked value.
	fields map[*ast.FieldDefinition]*FieldInfo
}

// FieldInfo is what mocking a field's value needs to know of the field and
// its type.
type FieldInfo struct {
	Name    string
	Named   *ast.Definition     // the field's named type; nil if unknown
	Conn    *graphql.Connection // the type is a connection
	HasID   bool                // the type is composite, with an id field
	LinkObj string              // the sibling field xId naming this field's object
	LinkID  string              // for a field xId: the type of its sibling x
	Hash    uint64              // of the field's name
	Scalar  Kind                // for a scalar type
	Special Special             // for a String: its shape by the field's name
	Count   bool                // for an Int: a count (its name ends in count)
	List    bool                // the field's type is a list
	Leaf    bool                // Named is a scalar or an enum
	Enum    bool                // Named is an enum
	HasArgs bool                // the field has arguments

	// LinkTypes are, for a field xId whose x is abstract, the concrete
	// types of x (Possible(LinkID)).
	LinkTypes []*ast.Definition
}

// NewInfo studies s for mocking.
func NewInfo(s *graphql.Schema) *Info {
	mi := &Info{
		schema:  s,
		hasID:   map[string]bool{},
		byDef:   map[*ast.Definition]bool{},
		linkObj: map[*ast.FieldDefinition]string{},
		linkID:  map[*ast.FieldDefinition]string{},
		fields:  map[*ast.FieldDefinition]*FieldInfo{},
	}
	for name, def := range s.AST.Types {
		if (def.Kind == ast.Object || def.Kind == ast.Interface) && def.Fields.ForName("id") != nil {
			mi.hasID[name] = true
		}
		mi.byDef[def] = mi.hasID[name]
	}
	for _, def := range s.AST.Types {
		if def.Kind != ast.Object && def.Kind != ast.Interface {
			continue
		}
		for _, fd := range def.Fields {
			if fd.Type.Elem != nil || !mi.composite(fd.Type.Name()) {
				continue
			}
			sib := def.Fields.ForName(fd.Name + "Id")
			if sib == nil || sib.Type.Elem != nil || (sib.Type.Name() != "ID" && sib.Type.Name() != "String") {
				continue
			}
			mi.linkObj[fd] = sib.Name
			mi.linkID[sib] = fd.Type.Name()
		}
	}
	for _, def := range s.AST.Types {
		for _, fd := range def.Fields {
			mi.fields[fd] = mi.newFieldInfo(fd)
		}
	}
	return mi
}

// Field is fd's FieldInfo.
func (mi *Info) Field(fd *ast.FieldDefinition) *FieldInfo {
	if fi := mi.fields[fd]; fi != nil {
		return fi
	}
	return mi.newFieldInfo(fd) // a field of a type the schema does not list
}

// FieldSeed is the seed of field fd of an object whose seed is seed.
func (mi *Info) FieldSeed(seed uint64, fd *ast.FieldDefinition) uint64 {
	return Mix(seed ^ mi.Field(fd).Hash)
}

// HasID reports whether the type def is composite, with an id field.
func (mi *Info) HasID(def *ast.Definition) bool {
	if has, ok := mi.byDef[def]; ok {
		return has
	}
	return mi.hasID[def.Name] // a definition from elsewhere
}

// Possible are the concrete types of the abstract type named name, sorted
// by name.
func (mi *Info) Possible(name string) []*ast.Definition { return mi.schema.PossibleTypes(name) }

// Connection is the connection type named name, or nil.
func (mi *Info) Connection(name string) *graphql.Connection { return mi.schema.Connection(name) }

func (mi *Info) newFieldInfo(fd *ast.FieldDefinition) *FieldInfo {
	name := fd.Type.Name()
	linkID := mi.linkID[fd]
	named := mi.schema.AST.Types[name]
	return &FieldInfo{
		Name:    fd.Name,
		Named:   named,
		Conn:    mi.schema.Connection(name),
		HasID:   mi.hasID[name],
		LinkObj: mi.linkObj[fd],
		LinkID:  linkID,
		// A type's concrete types, known once: ids of abstract links are
		// mocked for every leaf of a page.
		LinkTypes: mi.Possible(linkID),
		Hash:      HashString(0, fd.Name),
		Scalar:    KindOf(name),
		Special:   SpecialOf(fd.Name),
		Count:     strings.HasSuffix(fd.Name, "Count") || strings.HasSuffix(fd.Name, "count"),
		List:      fd.Type.Elem != nil,
		Leaf:      named != nil && (named.Kind == ast.Scalar || named.Kind == ast.Enum),
		Enum:      named != nil && named.Kind == ast.Enum,
		HasArgs:   len(fd.Arguments) > 0,
	}
}

// composite reports whether the named type is an object, interface or union.
func (mi *Info) composite(name string) bool {
	def := mi.schema.AST.Types[name]
	return def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union)
}
