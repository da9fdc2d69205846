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

// yearSeconds is the span of mocked times: a time is epoch plus a seed's
// seconds in it.
const yearSeconds = 365 * 24 * 3600

// Value is a mocked scalar before it is boxed or written: its kind and
// what it is made of, computed when it is written. It is small, and built
// without allocating.
type Value struct {
	fi   *FieldInfo // nil for a fixed string
	typ  string     // the type of the object, for strings
	str  string     // a fixed ID or String (a linked id); "" for none
	seed uint64
	num  uint64 // the object's number, for strings
	kind Kind
}

// IDValue is the ID id, a made-up id of seed when id is "".
func IDValue(id string, seed uint64) Value { return Value{kind: ID, str: id, seed: seed} }

// StringValue is the String s.
func StringValue(s string) Value { return Value{kind: String, str: s} }

// Scalar mocks a value of fi's scalar type for field fi of an object of
// type typ, whose seed is objSeed; seed is the field's: an ID a made-up
// id; an Int from 0 to 99 (to 19 for a count); a Float from 0 to 99.99; a
// Boolean; a String "Type N field", or shaped by the field's name
// ([SpecialOf]); a DateTime a time in 2024; a JSON {"key": "Name N"};
// another scalar "Name N". A field that links to another object by its id
// (fi.LinkID) is the caller's to answer.
func Scalar(fi *FieldInfo, typ string, seed, objSeed uint64) Value {
	return Value{fi: fi, typ: typ, seed: seed, num: objSeed % 1000, kind: fi.Scalar}
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
		return mockInt(v.fi, v.seed)
	case Float:
		return mockFloat(v.seed)
	case Boolean:
		return v.seed&1 == 1
	case String:
		switch {
		case v.str != "":
			return v.str
		case v.fi.Special != NoSpecial:
			return string(appendSpecial(nil, v.fi.Special, v.typ, v.num, v.seed))
		}
		return &Str{Type: v.typ, Field: v.fi.Name, Num: v.num}
	case DateTime:
		return epoch().Add(time.Duration(v.seed%yearSeconds) * time.Second)
	case JSON:
		return graphql.RawJSON(v.AppendJSON(nil))
	}
	return v.fi.Named.Name + " " + strconv.FormatUint(v.seed%1000, 10)
}

// mockInt is the mocked Int of field fi whose seed is seed.
func mockInt(fi *FieldInfo, seed uint64) int {
	if fi.Count {
		return int(seed % 20)
	}
	return int(seed % 100)
}

// mockFloat is the mocked Float of a field whose seed is seed.
func mockFloat(seed uint64) float64 { return float64(seed%10000) / 100 }

// AppendJSON appends v as JSON, as [graphql] writes v.Box().
func (v Value) AppendJSON(b []byte) []byte {
	return appendValue(b, v.kind, v.fi, v.typ, v.str, v.seed, v.num)
}

// AppendID appends IDValue(id, seed) as JSON.
func AppendID(b []byte, id string, seed uint64) []byte {
	return appendValue(b, ID, nil, "", id, seed, 0)
}

// AppendScalar appends Scalar(fi, typ, seed, objSeed) as JSON, without
// building the [Value]: the path of a mocked leaf written straight into an
// answer.
func AppendScalar(b []byte, fi *FieldInfo, typ string, seed, objSeed uint64) []byte {
	return appendValue(b, fi.Scalar, fi, typ, "", seed, objSeed%1000)
}

// appendValue is AppendJSON of the Value made of these fields, passed one
// by one: a Value is too large to stay in registers, and copying one
// whole just after building it stalls the processor.
func appendValue(b []byte, kind Kind, fi *FieldInfo, typ, str string, seed, num uint64) []byte {
	switch kind {
	case ID:
		if str != "" {
			return graphql.AppendString(b, str)
		}
		b = append(b, '"')
		b = AppendGenID(b, seed)
		return append(b, '"')
	case Int:
		return strconv.AppendInt(b, int64(mockInt(fi, seed)), 10)
	case Float:
		return strconv.AppendFloat(b, mockFloat(seed), 'g', -1, 64)
	case Boolean:
		return strconv.AppendBool(b, seed&1 == 1)
	case String:
		switch {
		case str != "":
			return graphql.AppendString(b, str)
		case fi.Special != NoSpecial:
			b = append(b, '"')
			b = appendSpecial(b, fi.Special, typ, num, seed)
			return append(b, '"')
		}
		return appendStr(b, typ, fi.Name, num)
	case DateTime:
		return appendYearTime(b, seed%yearSeconds)
	case JSON:
		b = append(b, `{"key":"`...)
		b = append(b, fi.Named.Name...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, num, 10)
		return append(b, `"}`...)
	}
	b = append(b, '"')
	b = append(b, fi.Named.Name...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, seed%1000, 10)
	return append(b, '"')
}

// appendYearTime appends the time secs seconds into 2024 (secs under
// yearSeconds), quoted, as graphql.AppendDateTime writes it, by the
// calendar of 2024 rather than through time.Time.
func appendYearTime(b []byte, secs uint64) []byte {
	// 2024 is a leap year; the first day of each month, counted from 0.
	starts := [13]uint64{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}
	day := secs / 86400
	month := 0
	for day >= starts[month+1] {
		month++
	}
	rest := secs % 86400
	two := func(b []byte, v uint64) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = append(b, `"2024-`...)
	b = two(b, uint64(month+1))
	b = append(b, '-')
	b = two(b, day-starts[month]+1)
	b = append(b, 'T')
	b = two(b, rest/3600)
	b = append(b, ':')
	b = two(b, rest/60%60)
	b = append(b, ':')
	b = two(b, rest%60)
	return append(b, `.000Z"`...)
}
