package graphql_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// TestCheckIntVariables: an Int that is not a 32-bit integer is refused,
// naming where it is in the variable, and a valid request allocates
// nothing to be checked.
func TestCheckIntVariables(t *testing.T) {
	s := gqlparser.MustLoadSchema(&ast.Source{Input: `
		input Page { limit: Int, inner: [Inner!] }
		input Inner { n: Int! }
		type Query { f(n: Int, ns: [Int!], p: Page): Int }`})
	doc, errs := gqlparser.LoadQueryWithRules(s, `query($n: Int, $ns: [Int!], $p: Page) { f(n: $n, ns: $ns, p: $p) }`, rules.NewDefaultRules())
	require.Empty(t, errs)
	op := doc.Operations[0]
	gs := graphql.NewSchema(s, graphql.Codes{BadVariable: "106"})
	cases := []struct {
		name  string
		vars  map[string]any
		where string // "" when valid
	}{
		{"valid", map[string]any{"n": float64(3), "ns": []any{float64(1)}, "p": map[string]any{"limit": float64(2), "inner": []any{map[string]any{"n": float64(1)}}}}, ""},
		{"fraction", map[string]any{"n": 1.5}, "variable $n"},
		{"string", map[string]any{"n": "1"}, "variable $n"},
		{"list item", map[string]any{"ns": []any{float64(1), 1e10}}, "variable $ns[1]"},
		{"single as a list", map[string]any{"ns": 0.5}, "variable $ns"},
		{"input field", map[string]any{"p": map[string]any{"limit": 0.5}}, "variable $p.limit"},
		{"nested", map[string]any{"p": map[string]any{"inner": []any{map[string]any{"n": float64(1)}, map[string]any{"n": -1e11}}}}, "variable $p.inner[1].n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := graphql.CheckIntVariables(gs, op, tc.vars)
			if tc.where == "" {
				assert.Nil(t, e)
				assert.Zero(t, testing.AllocsPerRun(10, func() { graphql.CheckIntVariables(gs, op, tc.vars) }))
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, tc.where+": an Int must be a JSON integer within 32 bits", e.Message)
			assert.Equal(t, "106", e.Code)
		})
	}
}

// TestCoerceCached: the coerced variables kept with a parsed query are
// what coerceVariables answers for every request, errors included, and a
// request with the same values is answered without allocating.
func TestCoerceCached(t *testing.T) {
	s := gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { f(n: Int, m: Int, ns: [Int!], b: Boolean): Int }`})
	gs := graphql.NewSchema(s, graphql.Codes{BadVariable: "106", MissingVariable: "112"})
	q := graphql.NewCache(gs, 0).Get(`query($n: Int!, $m: Int = 5, $ns: [Int!], $b: Boolean) { f(n: $n, m: $m, ns: $ns, b: $b) }`)
	require.Empty(t, q.Errors())
	op := q.Doc().Operations[0]
	steps := []struct {
		name string
		raw  map[string]any
		hit  bool
	}{
		{"first", map[string]any{"n": float64(1)}, false},
		{"same", map[string]any{"n": float64(1)}, true},
		{"other value", map[string]any{"n": float64(2)}, true},
		{"default overridden", map[string]any{"n": float64(2), "m": float64(7)}, true},
		{"null", map[string]any{"n": float64(2), "m": nil}, true},
		{"other key, same count", map[string]any{"n": float64(2), "b": nil}, true},
		{"list", map[string]any{"n": float64(2), "ns": []any{float64(3)}}, false},
		{"missing", map[string]any{}, false},
		{"bad int", map[string]any{"n": 1.5}, false},
		{"bad type", map[string]any{"n": float64(2), "b": "yes"}, false},
		{"back", map[string]any{"n": float64(1)}, true},
		{"none", nil, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			want, wantErr := graphql.CoerceVariables(gs, op, st.raw)
			got, err := q.Coerce(op, st.raw)
			assert.Equal(t, wantErr, err)
			assert.Equal(t, want, got)
			got, err = q.Coerce(op, st.raw)
			assert.Equal(t, wantErr, err, "again")
			assert.Equal(t, want, got, "again")
			if st.hit {
				assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = q.Coerce(op, st.raw) }))
			}
		})
	}
}

// TestCheckIntVariablesNested: Ints inside lists and input objects are
// held to 32-bit integers too (the Tribe schema has none yet).
func TestCheckIntVariablesNested(t *testing.T) {
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Input: `
input In { n: Int, l: [Int!], in: In }
type Query { f(a: In, b: [Int], c: [[Int]]): Int }`})
	require.NoError(t, gerr)
	doc, errs := gqlparser.LoadQueryWithRules(schema, `query($a: In, $b: [Int], $c: [[Int]]) { f(a: $a, b: $b, c: $c) }`, rules.NewDefaultRules())
	require.Empty(t, errs)
	op := doc.Operations[0]
	for _, tc := range []struct {
		vars  string
		where string // "" for accepted
	}{
		{`{"a": {"n": 1, "l": [1, 2], "in": {"n": -2147483648}}, "b": [1, null], "c": [[1], null]}`, ""},
		{`{"a": null, "b": 7, "c": 7}`, ""},
		{`{"a": {"n": "1"}}`, "variable $a.n"},
		{`{"a": {"l": [1, 2147483648]}}`, "variable $a.l[1]"},
		{`{"a": {"in": {"in": {"n": 1.5}}}}`, "variable $a.in.in.n"},
		{`{"b": [1, "2"]}`, "variable $b[1]"},
		{`{"b": "2"}`, "variable $b"},
		{`{"c": [[1], [2, 3e10]]}`, "variable $c[1][1]"},
	} {
		var vars map[string]any
		require.NoError(t, json.Unmarshal([]byte(tc.vars), &vars))
		e := graphql.CheckIntVariables(graphql.NewSchema(schema, graphql.Codes{BadVariable: "106"}), op, vars)
		if tc.where == "" {
			assert.Nil(t, e, tc.vars)
			continue
		}
		if assert.NotNil(t, e, tc.vars) {
			assert.Equal(t, "106", e.Code)
			assert.True(t, strings.HasPrefix(e.Message, tc.where+": "), "%s: %s", tc.vars, e.Message)
		}
	}
}
