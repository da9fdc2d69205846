package graphql

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// RawJSON is a value written to the answer as it is: a JSON scalar or
// object, for a custom scalar.
type RawJSON []byte

// Appender is a value that writes itself into the answer as JSON, without
// being built first: a resolver's way to answer a string it would
// otherwise have to allocate.
type Appender interface {
	AppendJSON(b []byte) []byte
}

// AppendValue appends v, a leaf's value as a [Resolver] answers it, as
// JSON: a string, *string, int, *int, bool, a finite float64, time.Time
// or *time.Time (a DateTime), [RawJSON] or an [Appender]. It reports
// false, and appends nothing, for another value (nil, an [Object], a
// list, a NaN or an infinity).
func AppendValue(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		return AppendString(b, x), true
	case *string:
		return AppendString(b, *x), true
	case *time.Time:
		return AppendDateTime(b, *x), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case *int:
		return strconv.AppendInt(b, int64(*x), 10), true
	case bool:
		return strconv.AppendBool(b, x), true
	case time.Time:
		return AppendDateTime(b, x), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return b, false
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64), true
	case RawJSON:
		return append(b, x...), true
	case Appender:
		if _, isObject := v.(Object); !isObject {
			return x.AppendJSON(b), true
		}
	}
	return b, false
}

// AppendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD,
// and <, >, & are left as they are.
func AppendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// DateTimeLayout is how DateTime values are written: ISO 8601 in UTC with
// milliseconds, as Tribe does.
const DateTimeLayout = "2006-01-02T15:04:05.000Z"

// FormatDateTime formats t with [DateTimeLayout].
func FormatDateTime(t time.Time) string {
	return t.UTC().Format(DateTimeLayout)
}

// AppendDateTime appends t as [FormatDateTime] does, quoted, without
// time.Format's layout parsing for years 0 to 9999.
func AppendDateTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return AppendString(b, FormatDateTime(t))
	}
	h, mi, s := t.Clock()
	pad := func(b []byte, v, width int) []byte {
		var tmp [4]byte
		for i := width - 1; i >= 0; i-- {
			tmp[i] = byte('0' + v%10)
			v /= 10
		}
		return append(b, tmp[:width]...)
	}
	b = append(b, '"')
	b = pad(b, y, 4)
	b = append(b, '-')
	b = pad(b, int(mo), 2)
	b = append(b, '-')
	b = pad(b, d, 2)
	b = append(b, 'T')
	b = pad(b, h, 2)
	b = append(b, ':')
	b = pad(b, mi, 2)
	b = append(b, ':')
	b = pad(b, s, 2)
	b = append(b, '.')
	b = pad(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z', '"')
}

// OptString is s as a field's value: null when empty.
func OptString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
