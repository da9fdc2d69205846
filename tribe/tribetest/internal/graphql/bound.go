package graphql

import (
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Validation's bound. gqlparser's OverlappingFieldsCanBeMerged rule
// (GraphQL, section 5.3.2, https://spec.graphql.org/October2021/#sec-Field-Selection-Merging)
// compares the fields that share a response name pairwise, with their
// arguments, and each selection set with every fragment its spreads reach:
// one request of 110 KB, "{ __typename __typename … }", kept it busy for
// seconds. So a parsed document is measured before it is validated, in one
// pass over its AST, and refused when it passes a limit that no real
// operation reaches (the largest of an app have a few hundred fields and a
// few dozen fragments). Under the limits, validation takes a few tens of
// milliseconds of CPU at most, whatever the document's shape.
const (
	// maxSelections bounds the fields, inline fragments and fragment
	// spreads of a document, in its operations and fragments alike.
	maxSelections = 2000
	// maxFragments bounds a document's fragment definitions.
	maxFragments = 100
	// maxCompareSteps bounds the comparisons the rule may make, as
	// compareSteps counts them.
	maxCompareSteps = 300000
	// setFragmentSteps is what comparing a selection set with one
	// fragment costs, in steps of comparing two fields.
	setFragmentSteps = 16
)

// queryBound counts a document for checkBound.
type queryBound struct {
	selections int
	sets       int                   // selection sets
	names      map[string]*nameCount // fields by response name
	// spreadPairs is, for each selection set that is not a field's, the
	// square of the fragment spreads in it.
	spreadPairs int
}

// nameCount is what the fields of one response name weigh.
type nameCount struct {
	fields  int
	weight  int // the fields, each 1 plus the size of its arguments
	spreads int // the fragment spreads in their selection sets
}

// checkBound refuses a document that passes a limit of validation's
// bound, before it is validated, with a GraphQL error (code) that says
// which.
func checkBound(doc *ast.QueryDocument, code string) *Error {
	if len(doc.Fragments) > maxFragments {
		return boundError(code, "it defines "+strconv.Itoa(len(doc.Fragments))+" fragments, more than "+strconv.Itoa(maxFragments))
	}
	b := &queryBound{names: map[string]*nameCount{}}
	for _, op := range doc.Operations {
		b.root(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		b.root(f.SelectionSet)
	}
	if b.selections > maxSelections {
		return boundError(code, "it has more than "+strconv.Itoa(maxSelections)+" selections (fields, fragments and spreads)")
	}
	if steps, name := b.compareSteps(len(doc.Fragments)); steps > maxCompareSteps {
		why := "merging its fields would take " + strconv.Itoa(steps) + " comparisons, more than " + strconv.Itoa(maxCompareSteps)
		if name != "" {
			why += " (" + strconv.Itoa(b.names[name].fields) + " fields are named " + strconv.Quote(Clip(name)) + ")"
		}
		return boundError(code, why)
	}
	return nil
}

// compareSteps is an upper bound of the comparisons the rule makes (GraphQL,
// FieldsInSetCanMerge): every pair of fields of one name, with their
// arguments; every pair of fragment spreads in one selection set or under
// fields of one name; every selection set with every fragment. It names the
// response name that costs the most.
func (b *queryBound) compareSteps(fragments int) (steps int, worst string) {
	steps = b.spreadPairs + setFragmentSteps*b.sets*fragments
	most := 0
	for name, c := range b.names {
		n := c.fields*c.weight + c.spreads*c.spreads
		steps += n
		if n > most {
			most, worst = n, name
		}
	}
	if most*2 < steps { // no one name costs most of it
		worst = ""
	}
	return steps, worst
}

// root counts the selection set of an operation or a fragment.
func (b *queryBound) root(set ast.SelectionSet) {
	sp := b.set(set)
	b.spreadPairs += sp * sp
}

// set counts set at every depth and returns its fragment spreads, those in
// its inline fragments included; it stops counting once there are too
// many selections.
func (b *queryBound) set(set ast.SelectionSet) (spreads int) {
	b.sets++
	for _, sel := range set {
		if b.selections > maxSelections {
			return spreads
		}
		b.selections++
		switch s := sel.(type) {
		case *ast.Field:
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			c := b.names[key]
			if c == nil {
				c = &nameCount{}
				b.names[key] = c
			}
			c.fields++
			c.weight++
			for _, a := range s.Arguments {
				c.weight += valueSize(a.Value)
			}
			if len(s.SelectionSet) > 0 {
				c.spreads += b.set(s.SelectionSet)
			}
		case *ast.InlineFragment:
			sp := b.set(s.SelectionSet)
			b.spreadPairs += sp * sp
			spreads += sp
		case *ast.FragmentSpread:
			spreads++
		}
	}
	return spreads
}

// valueSize is the number of values in v: 1, plus those of a list's or an
// object's children.
func valueSize(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 1
	for _, c := range v.Children {
		n += valueSize(c.Value)
	}
	return n
}

// boundError is the refusal of a document over validation's bound.
func boundError(code, why string) *Error {
	e := NewError(code, "query too large to validate: "+why+"; split it into smaller operations")
	return &e
}
