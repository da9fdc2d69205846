package automock

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// writeBoxed writes a boxed value as the executor does.
func writeBoxed(t *testing.T, v any) []byte {
	t.Helper()
	switch x := v.(type) {
	case string:
		return graphql.AppendString(nil, x)
	case int:
		return strconv.AppendInt(nil, int64(x), 10)
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(nil, x)
	case time.Time:
		return graphql.AppendDateTime(nil, x)
	case graphql.RawJSON:
		return x
	case graphql.Appender:
		return x.AppendJSON(nil)
	}
	t.Fatalf("a boxed %T", v)
	return nil
}

// TestValueAppendIsBox: a mocked scalar written straight into an answer is
// the value it boxes, written as the executor writes it, for every kind;
// it is valid JSON, and writing it allocates nothing.
func TestValueAppendIsBox(t *testing.T) {
	field := func(name, scalar string) *FieldInfo {
		return &FieldInfo{Name: name, Named: &ast.Definition{Name: scalar, Kind: ast.Scalar}, Scalar: KindOf(scalar), Special: SpecialOf(name),
			Count: name == "membersCount"}
	}
	values := map[string]Value{
		"made-up id":  Scalar(field("id", "ID"), "Space", 42, 7),
		"fixed id":    IDValue("net-acme", 42),
		"int":         Scalar(field("size", "Int"), "Space", 1234567, 7),
		"count":       Scalar(field("membersCount", "Int"), "Space", 1234567, 7),
		"float":       Scalar(field("ratio", "Float"), "Space", 1234567, 7),
		"boolean":     Scalar(field("private", "Boolean"), "Space", 1234567, 7),
		"string":      Scalar(field("name", "String"), "Space", 1234567, 7),
		"slug":        Scalar(field("slug", "String"), "Space", 1234567, 7),
		"color":       Scalar(field("primaryColor", "String"), "Theme", 1234567, 7),
		"fixed":       StringValue(`a "quoted" id`),
		"date time":   Scalar(field("createdAt", "DateTime"), "Space", 1234567, 7),
		"json":        Scalar(field("data", "JSON"), "Space", 1234567, 7),
		"other":       Scalar(field("weird", "Weird"), "Space", 1234567, 7),
		"last second": Scalar(field("createdAt", "DateTime"), "Space", yearSeconds-1, 7),
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			got := v.AppendJSON(nil)
			assert.Equal(t, string(writeBoxed(t, v.Box())), string(got))
			assert.True(t, json.Valid(got), "%s", got)
			buf := make([]byte, 0, 128)
			assert.Zero(t, testing.AllocsPerRun(10, func() { v.AppendJSON(buf[:0]) }))
		})
	}
}

// TestAppendYearTime: the calendar of 2024 gives every second of the year
// as time.Time does.
func TestAppendYearTime(t *testing.T) {
	for secs := uint64(0); secs < yearSeconds; secs += 3541 {
		want := graphql.AppendDateTime(nil, epoch().Add(time.Duration(secs)*time.Second))
		require.Equal(t, string(want), string(appendYearTime(nil, secs)), "second %d", secs)
	}
}
