package automock

import (
	"strconv"
	"strings"
)

// AppendSpecial appends a string shaped by the name of field, a field of
// an object of type typ (an email, a URL, a path, a slug, a locale, a
// language, a domain, a color), made of num and seed; it appends nothing
// for another name. What it appends needs no JSON escaping (typ is a
// GraphQL name).
func AppendSpecial(b []byte, typ, field string, num, seed uint64) []byte {
	// GraphQL names are ASCII: EqualFold compares them as ToLower would.
	suffix := func(sfx string) bool {
		return len(field) >= len(sfx) && strings.EqualFold(field[len(field)-len(sfx):], sfx)
	}
	is := func(name string) bool { return strings.EqualFold(field, name) }
	switch {
	case suffix("email"):
		b = appendLowerName(b, typ)
		b = strconv.AppendUint(b, num, 10)
		return append(b, "@example.com"...)
	case is("relativeurl") || suffix("path"):
		b = append(b, '/')
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case suffix("url"):
		b = append(b, "https://example.com/"...)
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case is("slug") || is("username") || is("key"):
		b = appendLowerName(b, typ)
		b = append(b, '-')
		return strconv.AppendUint(b, num, 10)
	case is("locale"):
		return append(b, "en-US"...)
	case is("language") || is("lang"):
		return append(b, "en"...)
	case suffix("domain"):
		b = appendLowerName(b, typ)
		b = append(b, '-')
		b = strconv.AppendUint(b, num, 10)
		return append(b, ".example.com"...)
	case suffix("color"):
		b = append(b, '#')
		return strconv.AppendUint(b, 0x100000+seed%0xefffff, 16)
	}
	return b
}

// appendLowerName appends name, a GraphQL name (ASCII), in lower case.
func appendLowerName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// Str is the readable string "Type N field" of a field with no name of
// its own shape, written to the answer without being built first.
type Str struct {
	Type, Field string
	Num         uint64
}

func (m Str) String() string {
	return m.Type + " " + strconv.FormatUint(m.Num, 10) + " " + m.Field
}

// AppendJSON appends m as a JSON string; Type and Field are GraphQL names
// (letters, digits and _), which need no escaping.
func (m Str) AppendJSON(b []byte) []byte {
	b = append(b, '"')
	b = append(b, m.Type...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, m.Num, 10)
	b = append(b, ' ')
	b = append(b, m.Field...)
	return append(b, '"')
}
