package graphql

import "github.com/vektah/gqlparser/v2/ast"

// Hooks for the black-box tests in package graphql_test: the steps a
// request goes through inside [Cache.Get], [Query.Coerce] and [ReadParams],
// which the tests check one by one against their references.

// The bound's limits, for documents just inside and just past them.
const (
	MaxSelections = maxSelections
	MaxFragments  = maxFragments
)

// CheckBound is the bound [Cache.Get] puts on a parsed document before
// validating it.
func CheckBound(doc *ast.QueryDocument, code string) *Error { return checkBound(doc, code) }

// CheckIntVariables is the check that each Int variable is a 32-bit integer.
func CheckIntVariables(s *Schema, op *ast.OperationDefinition, vars map[string]any) *Error {
	return checkIntVariables(s, op, vars)
}

// CoerceVariables is what [Query.Coerce] answers when nothing is cached.
func CoerceVariables(s *Schema, op *ast.OperationDefinition, vars map[string]any) (map[string]any, *Error) {
	return coerceVariables(s, op, vars)
}

// DecodeParams is how [ReadParams] decodes a body.
func DecodeParams(body []byte, p *Params) error { return decodeParams(body, p, nil) }

// FastParams reports whether the fast path decoded body (into p).
func FastParams(body []byte, p *Params) bool { return fastParams(body, p, nil) }

// SnapshotMatches reports whether the variables now match a snapshot of
// names taken from then.
func SnapshotMatches(names []string, then, now map[string]any) bool {
	return snapshotVars(names, then).matches(now)
}

// SharedVarsLen is the number of variables texts c keeps for
// [Cache.ReadParams].
func SharedVarsLen(c *Cache) int { return c.vars.len() }
