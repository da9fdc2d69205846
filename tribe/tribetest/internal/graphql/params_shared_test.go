package graphql_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// postVars reads, through c, a POST body of a query and vars (a JSON
// variables object, or "" for none).
func postVars(t *testing.T, c *graphql.Cache, vars string) map[string]any {
	t.Helper()
	body := `{"query":"query q($a: Int) { a }"`
	if vars != "" {
		body += `,"variables":` + vars
	}
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body+"}"))
	r.Header.Set("Content-Type", "application/json")
	p, bad := c.ReadParams(r)
	require.Nil(t, bad)
	return p.Variables
}

func mapPointer(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

// TestCacheReadParamsSharesVariables: a flat variables object sent again
// gets the map of the first request that sent its text; another text,
// however close, gets its own values; objects with nested values, and
// ReadParams without a cache, are never shared.
func TestCacheReadParamsSharesVariables(t *testing.T) {
	c := graphql.NewCache(repoSchema(t), 16)
	first := postVars(t, c, `{"a":10,"s":"x\ny"}`)
	for _, tc := range []struct {
		vars   string
		want   map[string]any
		shared bool
	}{
		{`{"a":10,"s":"x\ny"}`, map[string]any{"a": float64(10), "s": "x\ny"}, true},
		{`{"a":11,"s":"x\ny"}`, map[string]any{"a": float64(11), "s": "x\ny"}, false},
		{`{"a":10,"s":"x\ty"}`, map[string]any{"a": float64(10), "s": "x\ty"}, false},
		{`{"a":10, "s":"x\ny"}`, map[string]any{"a": float64(10), "s": "x\ny"}, false},
		{`{"a":[10],"s":"x\ny"}`, map[string]any{"a": []any{float64(10)}, "s": "x\ny"}, false},
	} {
		t.Run(tc.vars, func(t *testing.T) {
			got := postVars(t, c, tc.vars)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.shared, mapPointer(got) == mapPointer(first), "shared with the first request's")
			again := postVars(t, c, tc.vars)
			assert.Equal(t, tc.want, again)
		})
	}
	assert.Equal(t, map[string]any{"a": float64(10), "s": "x\ny"}, first, "the first request's map is unchanged")

	nested := `{"a":{"b":1}}`
	assert.NotEqual(t, mapPointer(postVars(t, c, nested)), mapPointer(postVars(t, c, nested)), "nested values are never shared")

	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ a }","variables":{"a":10,"s":"x\ny"}}`))
	p, bad := graphql.ReadParams(r)
	require.Nil(t, bad)
	assert.NotEqual(t, mapPointer(first), mapPointer(p.Variables), "ReadParams shares nothing")
}

// TestCacheReadParamsBound: the cache keeps no more variables texts than
// query texts, however many a client sends, and none when it keeps no
// query texts.
func TestCacheReadParamsBound(t *testing.T) {
	for _, size := range []int{0, 1, 8} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			c := graphql.NewCache(repoSchema(t), size)
			for i := range 100 {
				vars := `{"a":` + strconv.Itoa(i) + `}`
				assert.Equal(t, map[string]any{"a": float64(i)}, postVars(t, c, vars))
				assert.Equal(t, map[string]any{"a": float64(i)}, postVars(t, c, vars))
			}
			assert.Equal(t, size, graphql.SharedVarsLen(c))
		})
	}
}
