package graphql_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	tribekit "github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// repoSchema is the repository's schema, served with Tribe's codes.
func repoSchema(t testing.TB) *graphql.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: tribekit.Schema()})
	require.NoError(t, err)
	return graphql.NewSchema(s, graphql.Codes{Invalid: "118", BadVariable: "106", MissingVariable: "112", Internal: "10"})
}

// TestBound: each limit refuses a document one step past it, with a
// message that says which limit; a document at the limits is validated as
// usual.
func TestBound(t *testing.T) {
	s := repoSchema(t)
	c := graphql.NewCache(s, 0)
	const over = 548 // 548² > maxCompareSteps ≥ 547²
	tests := []struct {
		name, query, err string
	}{
		{"one name", "{" + strings.Repeat(" __typename", over) + " }",
			`merging its fields would take 300304 comparisons, more than 300000 (548 fields are named "__typename")`},
		{"aliases are names", "{" + strings.Repeat(" x: __typename", over) + " }",
			`merging its fields would take 300304 comparisons, more than 300000 (548 fields are named "x")`},
		{"arguments weigh", "{" + strings.Repeat(` members(limit: 1, roleIds: ["a", "b"]) { totalCount }`, 250) + " }",
			`merging its fields would take 375000 comparisons, more than 300000 (250 fields are named "members")`},
		{"spreads side by side", "{" + strings.Repeat(" ...F", over) + " } fragment F on Query { __typename }",
			"merging its fields would take 300337 comparisons, more than 300000"},
		{"selections", "{" + aliases(graphql.MaxSelections+1) + " }", "it has more than 2000 selections (fields, fragments and spreads)"},
		{"fragments", "{ __typename }" + fragments(graphql.MaxFragments+1), "it defines 101 fragments, more than 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := c.Get(tc.query).Errors()
			require.Len(t, errs, 1)
			assert.Equal(t, "118", errs[0].Code)
			assert.Equal(t, "query too large to validate: "+tc.err+"; split it into smaller operations", errs[0].Message)
		})
	}

	// At the limits: validated.
	var b strings.Builder
	b.WriteString("{" + strings.Repeat(" __typename", 300))
	for i := range graphql.MaxFragments {
		fmt.Fprintf(&b, " ...F%d", i)
	}
	b.WriteString(aliases(graphql.MaxSelections-300-2*graphql.MaxFragments) + " }" + fragments(graphql.MaxFragments))
	assert.Empty(t, c.Get(b.String()).Errors())
}

// fragments defines n fragments on Query, F0 to Fn-1.
func fragments(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Query { f%d: __typename }", i, i)
	}
	return b.String()
}

// aliases is n fields, each under an alias of its own.
func aliases(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	return b.String()
}
