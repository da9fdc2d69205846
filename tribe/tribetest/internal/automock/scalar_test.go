package automock_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
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
	field := func(name, scalar string) *automock.FieldInfo {
		return &automock.FieldInfo{Name: name, Named: &ast.Definition{Name: scalar, Kind: ast.Scalar}, Scalar: automock.KindOf(scalar), Special: automock.SpecialOf(name),
			Count: name == "membersCount"}
	}
	values := map[string]automock.Value{
		"made-up id":  automock.Scalar(field("id", "ID"), "Space", 42, 7),
		"fixed id":    automock.IDValue("net-acme", 42),
		"int":         automock.Scalar(field("size", "Int"), "Space", 1234567, 7),
		"count":       automock.Scalar(field("membersCount", "Int"), "Space", 1234567, 7),
		"float":       automock.Scalar(field("ratio", "Float"), "Space", 1234567, 7),
		"boolean":     automock.Scalar(field("private", "Boolean"), "Space", 1234567, 7),
		"string":      automock.Scalar(field("name", "String"), "Space", 1234567, 7),
		"slug":        automock.Scalar(field("slug", "String"), "Space", 1234567, 7),
		"color":       automock.Scalar(field("primaryColor", "String"), "Theme", 1234567, 7),
		"fixed":       automock.StringValue(`a "quoted" id`),
		"date time":   automock.Scalar(field("createdAt", "DateTime"), "Space", 1234567, 7),
		"json":        automock.Scalar(field("data", "JSON"), "Space", 1234567, 7),
		"other":       automock.Scalar(field("weird", "Weird"), "Space", 1234567, 7),
		"last second": automock.Scalar(field("createdAt", "DateTime"), "Space", automock.YearSeconds-1, 7),
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
	for secs := uint64(0); secs < automock.YearSeconds; secs += 3541 {
		want := graphql.AppendDateTime(nil, automock.Epoch().Add(time.Duration(secs)*time.Second))
		require.Equal(t, string(want), string(automock.AppendYearTime(nil, secs)), "second %d", secs)
	}
}
