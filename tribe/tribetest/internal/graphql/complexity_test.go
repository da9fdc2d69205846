package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	tribekit "github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// TestComplexityByHand: the complexity of operations on the repository's
// schema matches figures computed by hand from Tribe's rules.
func TestComplexityByHand(t *testing.T) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: tribekit.Schema()})
	require.NoError(t, err)
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		// authMember 1 + role (1 + type 0 + scopes, a list of scalars, 1).
		{"object with a nested object and a list of scalars", `{ authMember { id name role { type scopes } } }`, nil, 3},
		// 2 + limit 10 × node (1 + id 0 + role 1).
		{"paginated connection", `{ members(limit: 10) { totalCount pageInfo { hasNextPage endCursor } nodes { id role { name } } } }`, nil, 22},
		// The page size from a variable: 2 + 4 × 2.
		{"page size from a variable", `query($n: Int!) { members(limit: $n) { nodes { id role { name } } } }`, map[string]any{"n": int64(4)}, 10},
		// network 1 + roles, a list of objects: 5 × (1 + name 0 + scopes 1).
		{"nested list", `{ network { name roles { name scopes } } }`, nil, 11},
		// authMember 1 + role 1, through two fragments.
		{"fragments", `query { ...Q } fragment Q on Query { authMember { ...M } } fragment M on Member { id role { type } }`, nil, 2},
		// Inline fragments count where they are.
		{"inline fragment", `{ authMember { ... on Member { role { id } } } }`, nil, 2},
		// Aliases count each: 2 × 3.
		{"aliases", `{ a: authMember { role { scopes } } b: authMember { role { scopes } } }`, nil, 6},
		// Node: 1 + edges.node role 1 + nodes role 1 = 3; 2 + 3 × 3.
		{"edges and nodes", `{ members(limit: 3) { edges { cursor node { role { id } } } nodes { role { id } } } }`, nil, 11},
		// @skip leaves the role out: authMember 1.
		{"skip", `query($s: Boolean!) { authMember { id role @skip(if: $s) { id } } }`, map[string]any{"s": true}, 1},
		{"include", `query($s: Boolean!) { authMember { id role @include(if: $s) { id } } }`, map[string]any{"s": true}, 2},
		// Scalars and enums cost nothing; __typename and introspection too.
		{"scalars only", `{ __typename limitedToken(context: NETWORK, entityId: "n", networkId: "n") { accessToken } }`, nil, 1},
		{"introspection", `{ __schema { types { name } } }`, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(s, tc.query, rules.NewDefaultRules())
			require.Empty(t, errs)
			assert.Equal(t, tc.want, graphql.Complexity(graphql.NewSchema(s, testCodes()), doc.Operations[0], tc.vars))
		})
	}
}

// TestComplexityCached: the complexity cached with a parsed query follows
// the variables it reads (a page size, @skip, @include), costs no
// allocation when they are the same, and matches the uncached walk.
func TestComplexityCached(t *testing.T) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: tribekit.Schema()})
	require.NoError(t, err)
	query := `query($n: Int!, $s: Boolean!, $i: Boolean = true, $ids: [ID!]) {
		members(limit: $n) { nodes { id role @skip(if: $s) { name } } }
		authMember @include(if: $i) { role { scopes } }
		network { name roles @skip(if: false) { name } }
		unread: members(limit: 2, roleIds: $ids) { nodes { id } }
	}`
	gs := graphql.NewSchema(s, testCodes())
	q := graphql.NewCache(gs, 0).Get(query)
	require.Empty(t, q.Errors())
	op := q.Doc().Operations[0]
	steps := []struct {
		name string
		vars map[string]any
	}{
		{"first", map[string]any{"n": int64(4), "s": false}},
		{"same", map[string]any{"n": int64(4), "s": false}},
		{"page size", map[string]any{"n": int64(7), "s": false}},
		{"skip", map[string]any{"n": int64(7), "s": true}},
		{"include set", map[string]any{"n": int64(7), "s": true, "i": false}},
		{"include null", map[string]any{"n": int64(7), "s": true, "i": nil}},
		{"include unset", map[string]any{"n": int64(7), "s": true}},
		{"float page size", map[string]any{"n": float64(3), "s": false}},
		{"list variable not read", map[string]any{"n": float64(3), "s": false, "ids": []any{"a"}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			want := graphql.Complexity(gs, op, st.vars)
			assert.Equal(t, want, q.Complexity(op, st.vars))
			assert.Equal(t, want, q.Complexity(op, st.vars), "cached")
			assert.Zero(t, testing.AllocsPerRun(10, func() { q.Complexity(op, st.vars) }), "a cache hit allocates")
		})
	}
}
