package tribetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
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
			e := checkIntVariables(s, op, tc.vars)
			if tc.where == "" {
				assert.Nil(t, e)
				assert.Zero(t, testing.AllocsPerRun(10, func() { checkIntVariables(s, op, tc.vars) }))
				return
			}
			require.NotNil(t, e)
			assert.Equal(t, tc.where+": an Int must be a JSON integer within 32 bits", e.Message)
			assert.Equal(t, codeInvalidParam, e.Code)
		})
	}
}
