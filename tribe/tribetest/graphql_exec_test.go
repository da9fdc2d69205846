package tribetest

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// A schema of its own, to test null propagation where Tribe's schema has
// no field that fails inside a nullable parent.
const execTestSchema = `
type Query { thing: Thing  strict: Thing!  list: [Item!]  items: [Item] }
type Thing { ok: String  bad: String!  nested: Thing }
type Item { v: String! }
`

type thingObj struct{}

func (thingObj) typeName() string { return "Thing" }

func (thingObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "ok":
		return "fine", nil
	case "bad":
		return nil, errors.New("boom")
	case "nested":
		return thingObj{}, nil
	}
	return nil, nil
}

type itemObj struct{ v any }

func (itemObj) typeName() string { return "Item" }

func (o itemObj) field(string, map[string]any) (any, error) { return o.v, nil }

type execRoot struct{}

func (execRoot) typeName() string { return "Query" }

func (execRoot) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "thing", "strict":
		return thingObj{}, nil
	case "list", "items":
		return []any{itemObj{"a"}, itemObj{nil}, itemObj{"c"}}, nil
	}
	return nil, nil
}

func TestExecutorNullPropagation(t *testing.T) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Input: execTestSchema})
	require.NoError(t, err)
	cache := newQueryCache(schema, 0)

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
			pq := cache.get(tc.query)
			require.Nil(t, pq.errs)
			e := &executor{schema: schema, doc: pq.doc}
			e.run(pq.doc.Operations[0], execRoot{})
			assert.Equal(t, tc.data, string(e.buf))
			require.Len(t, e.errs, len(tc.paths))
			for i, p := range tc.paths {
				assert.Equal(t, p, e.errs[i].Path)
				assert.NotEmpty(t, e.errs[i].Locations)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f", "é ü 日本 🎉", "<script>&</script>", "\u2028\u2029", "bad \xff utf8", "\xed\xa0\x80"} {
		b := appendJSONString(nil, s)
		require.Truef(t, json.Valid(b), "%q → %s", s, b)
		var back string
		require.NoError(t, json.Unmarshal(b, &back))
		if utf8.ValidString(s) {
			assert.Equal(t, s, back)
		} else {
			assert.Contains(t, back, "\ufffd")
		}
	}
}
