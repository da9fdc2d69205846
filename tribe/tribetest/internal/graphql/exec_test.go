package graphql_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// A schema of its own, to test null propagation where Tribe's schema has
// no field that fails inside a nullable parent.
const execTestSchema = `
type Query { thing: Thing  strict: Thing!  list: [Item!]  items: [Item] }
type Thing { ok: String  bad: String!  nested: Thing }
type Item { v: String! }
`

// testCodes are the codes the tests' engine answers.
func testCodes() graphql.Codes {
	return graphql.Codes{Invalid: "118", BadVariable: "106", MissingVariable: "112", Internal: "10"}
}

type thingObj struct{}

func (thingObj) TypeName() string { return "Thing" }

type itemObj struct{ v any }

func (itemObj) TypeName() string { return "Item" }

type execRoot struct{}

func (execRoot) TypeName() string { return "Query" }

// execResolver answers the test schema's fields: Thing.bad fails.
type execResolver struct{}

func (execResolver) Resolve(obj graphql.Object, f *graphql.Field, _ map[string]any) (any, error) {
	fd := f.Def
	switch o := obj.(type) {
	case execRoot:
		switch fd.Name {
		case "thing", "strict":
			return thingObj{}, nil
		case "list", "items":
			return []any{itemObj{"a"}, itemObj{nil}, itemObj{"c"}}, nil
		}
	case thingObj:
		switch fd.Name {
		case "ok":
			return "fine", nil
		case "bad":
			return nil, errors.New("boom")
		case "nested":
			return thingObj{}, nil
		}
	case itemObj:
		return o.v, nil
	}
	return nil, nil
}

func (execResolver) AppendLeaves(b []byte, _ graphql.Object, _ []graphql.Selection, from int) ([]byte, int) {
	return b, from
}

func TestExecutorNullPropagation(t *testing.T) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Input: execTestSchema})
	require.NoError(t, err)
	cache := graphql.NewCache(graphql.NewSchema(schema, testCodes()), 0)

	tests := []struct {
		name  string
		query string
		data  string
		paths [][]any
	}{
		{"non-null field nulls its nullable parent", `{ thing { ok bad } }`, `{"thing":null}`, [][]any{{"thing", "bad"}}},
		{"the nearest nullable parent", `{ thing { ok nested { ok bad } } }`, `{"thing":{"ok":"fine","nested":null}}`, [][]any{{"thing", "nested", "bad"}}},
		{"up to data", `{ strict { bad } thing { ok } }`, `null`, [][]any{{"strict", "bad"}}},
		{"non-null item nulls the list", `{ list { v } }`, `{"list":null}`, [][]any{{"list", 1, "v"}}},
		{"nullable item", `{ items { v } }`, `{"items":[{"v":"a"},null,{"v":"c"}]}`, [][]any{{"items", 1, "v"}}},
		{"every error is reported", `{ a: thing { bad } b: thing { bad } }`, `{"a":null,"b":null}`, [][]any{{"a", "bad"}, {"b", "bad"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := cache.Get(tc.query)
			require.Nil(t, q.Errors())
			op, ge := q.Operation("")
			require.Nil(t, ge)
			res := q.Execute(graphql.Execution{Root: execRoot{}, Fields: q.RootFields(op, "Query", nil), Resolver: execResolver{}})
			assert.Equal(t, tc.data, string(res.Data))
			require.Len(t, res.Errors, len(tc.paths))
			for i, p := range tc.paths {
				assert.Equal(t, p, res.Errors[i].Path)
				assert.NotEmpty(t, res.Errors[i].Locations)
				assert.Equal(t, "10", res.Errors[i].Code)
			}
		})
	}
}
