package automock

import (
	"strconv"
	"strings"
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// Kind is how a scalar type is mocked.
type Kind uint8

// The kinds of scalars.
const (
	Other    Kind = iota // "Name N"
	ID                   // a made-up id
	Int                  // 0 to 99, or to 19 for a count
	Float                // 0 to 99.99
	Boolean              // either
	String               // "Type N field", or shaped by the field's name
	DateTime             // a scalar whose name says date or time: a time in 2024
	JSON                 // JSON, JSONObject, Object, Map, Any: {"key": "Name N"}
)

// KindOf is the kind of the scalar type named name.
func KindOf(name string) Kind {
	switch name {
	case "ID":
		return ID
	case "Int":
		return Int
	case "Float":
		return Float
	case "Boolean":
		return Boolean
	case "String":
		return String
	}
	lower := strings.ToLower(name)
	switch {
	case strings.Contains(lower, "date") || strings.Contains(lower, "time"):
		return DateTime
	case strings.Contains(lower, "json") || lower == "object" || lower == "map" || lower == "any":
		return JSON
	}
	return Other
}

// epoch is the start of the year mocked times fall in.
func epoch() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// Value is a mocked scalar before it is boxed or written: one of its
// kinds, with the parts that kind needs.
type Value struct {
	kind Kind
	str  string // ID, String, Other; JSON: the type's name
	seed uint64 // ID without str: GenID(seed); special: its seed
	ms   Str    // String without str
	// special: String AppendSpecial(ms.Type, ms.Field, ms.Num, seed)
	special bool
	n       int       // Int
	f       float64   // Float
	b       bool      // Boolean
	t       time.Time // DateTime
	num     uint64    // JSON
}

// IDValue is the ID id, a made-up id for a seed when id is "".
func IDValue(id string, seed uint64) Value { return Value{kind: ID, str: id, seed: seed} }

// StringValue is the String s.
func StringValue(s string) Value { return Value{kind: String, str: s} }

// Scalar mocks a value of fi's scalar type for field fi of an object of
// type typ, whose seed is objSeed; seed is the field's. A field that
// links to another object by its id (fi.LinkID) is the caller's to
// answer.
func Scalar(fi *FieldInfo, typ string, seed, objSeed uint64) Value {
	num := objSeed % 1000
	v := Value{kind: fi.Scalar}
	switch fi.Scalar {
	case ID:
		v.seed = seed
	case Int:
		if strings.HasSuffix(fi.Name, "Count") || strings.HasSuffix(fi.Name, "count") {
			v.n = int(seed % 20)
		} else {
			v.n = int(seed % 100)
		}
	case Float:
		v.f = float64(seed%10000) / 100
	case Boolean:
		v.b = seed&1 == 1
	case String:
		// Written by AppendSpecial or Str.AppendJSON, not kept.
		v.special, v.seed, v.ms = fi.Special, seed, Str{Type: typ, Field: fi.Name, Num: num}
	case DateTime:
		v.t = epoch().Add(time.Duration(seed%(365*24*3600)) * time.Second)
	case JSON:
		v.str, v.num = fi.Named.Name, num
	default:
		v.str = fi.Named.Name + " " + strconv.FormatUint(seed%1000, 10)
	}
	return v
}

// Box is v as a field's value for the executor: a string, int, float64,
// bool, time.Time, [graphql.RawJSON], or a *[Str].
func (v Value) Box() any {
	switch v.kind {
	case ID:
		if v.str == "" {
			return GenID(v.seed)
		}
		return v.str
	case Int:
		return v.n
	case Float:
		return v.f
	case Boolean:
		return v.b
	case String:
		switch {
		case v.str != "":
			return v.str
		case v.special:
			return string(AppendSpecial(nil, v.ms.Type, v.ms.Field, v.ms.Num, v.seed))
		}
		ms := v.ms
		return &ms
	case DateTime:
		return v.t
	case JSON:
		return graphql.RawJSON(v.AppendJSON(nil))
	}
	return v.str
}

// AppendJSON appends v as JSON.
func (v Value) AppendJSON(b []byte) []byte {
	switch v.kind {
	case ID:
		if v.str == "" {
			b = append(b, '"')
			b = AppendGenID(b, v.seed)
			return append(b, '"')
		}
	case Int:
		return strconv.AppendInt(b, int64(v.n), 10)
	case Float:
		return strconv.AppendFloat(b, v.f, 'g', -1, 64)
	case Boolean:
		return strconv.AppendBool(b, v.b)
	case String:
		switch {
		case v.str != "":
		case v.special:
			b = append(b, '"')
			b = AppendSpecial(b, v.ms.Type, v.ms.Field, v.ms.Num, v.seed)
			return append(b, '"')
		default:
			return v.ms.AppendJSON(b)
		}
	case DateTime:
		return graphql.AppendDateTime(b, v.t)
	case JSON:
		b = append(b, `{"key":"`...)
		b = append(b, v.str...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, v.num, 10)
		return append(b, `"}`...)
	}
	return graphql.AppendString(b, v.str)
}
