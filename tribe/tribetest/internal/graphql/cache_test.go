package graphql_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	tribekit "github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// BenchmarkParse compares a cached query text with parsing and validating
// it on every request: the project's queries/who_am_i.graphql, the query
// an app sends most.
func BenchmarkParse(b *testing.B) {
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: tribekit.Schema()})
	require.NoError(b, err)
	gs := graphql.NewSchema(s, testCodes())
	q, err := os.ReadFile("../../../../queries/who_am_i.graphql")
	require.NoError(b, err)
	for _, bc := range []struct {
		name  string
		cache *graphql.Cache
	}{
		{"cached", graphql.NewCache(gs, 256)},
		{"uncached", graphql.NewCache(gs, 0)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := bc.cache.Get(string(q)); got.Doc() == nil {
					b.Fatal(got.Errors())
				}
			}
		})
	}
}
