package graphql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// TestVarSnapshot: a snapshot of variables matches the same values only,
// telling an unset variable from null and comparing lists by value.
func TestVarSnapshot(t *testing.T) {
	names := []string{"a", "b"}
	cases := []struct {
		name      string
		then, now map[string]any
		match     bool
	}{
		{"same scalars", map[string]any{"a": int64(1), "b": "x"}, map[string]any{"a": int64(1), "b": "x", "c": []any{1}}, true},
		{"other int", map[string]any{"a": int64(1)}, map[string]any{"a": int64(2)}, false},
		{"other type", map[string]any{"a": int64(1)}, map[string]any{"a": float64(1)}, false},
		{"unset and null", map[string]any{"a": nil}, map[string]any{}, false},
		{"both unset", map[string]any{}, map[string]any{}, true},
		{"same list", map[string]any{"a": []any{"x", int64(1)}}, map[string]any{"a": []any{"x", int64(1)}}, true},
		{"other list", map[string]any{"a": []any{"x"}}, map[string]any{"a": []any{"y"}}, false},
		{"list then scalar", map[string]any{"a": []any{"x"}}, map[string]any{"a": "x"}, false},
		{"scalar then list", map[string]any{"a": "x"}, map[string]any{"a": []any{"x"}}, false},
		{"unencodable", map[string]any{"a": []any{func() {}}}, map[string]any{"a": []any{func() {}}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.match, graphql.SnapshotMatches(names, tc.then, tc.now))
			assert.True(t, graphql.SnapshotMatches(nil, tc.then, tc.now), "no variables read")
		})
	}
}
