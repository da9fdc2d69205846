package automock

import (
	"strconv"
	"strings"
)

// Special is the shape of a string field by its name.
type Special uint8

// The shapes of strings.
const (
	NoSpecial Special = iota
	Email             // a field named …email
	Path              // relativeUrl, …path
	URL               // …url
	Slug              // slug, username, key
	Locale            // locale
	Language          // language, lang
	Domain            // …domain
	Color             // …color
)

// SpecialOf is the shape of a string field named field, or NoSpecial.
func SpecialOf(field string) Special {
	// GraphQL names are ASCII: EqualFold compares them as ToLower would.
	suffix := func(sfx string) bool {
		return len(field) >= len(sfx) && strings.EqualFold(field[len(field)-len(sfx):], sfx)
	}
	is := func(name string) bool { return strings.EqualFold(field, name) }
	switch {
	case suffix("email"):
		return Email
	case is("relativeurl") || suffix("path"):
		return Path
	case suffix("url"):
		return URL
	case is("slug") || is("username") || is("key"):
		return Slug
	case is("locale"):
		return Locale
	case is("language") || is("lang"):
		return Language
	case suffix("domain"):
		return Domain
	case suffix("color"):
		return Color
	}
	return NoSpecial
}

// AppendSpecial appends a string shaped by the name of field, a field of
// an object of type typ (an email, a URL, a path, a slug, a locale, a
// language, a domain, a color), made of num and seed; it appends nothing
// for another name. What it appends needs no JSON escaping (typ is a
// GraphQL name).
func AppendSpecial(b []byte, typ, field string, num, seed uint64) []byte {
	return appendSpecial(b, SpecialOf(field), typ, num, seed)
}

func appendSpecial(b []byte, sp Special, typ string, num, seed uint64) []byte {
	switch sp {
	case Email:
		b = appendLowerName(b, typ)
		b = strconv.AppendUint(b, num, 10)
		return append(b, "@example.com"...)
	case Path:
		b = append(b, '/')
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case URL:
		b = append(b, "https://example.com/"...)
		b = appendLowerName(b, typ)
		b = append(b, '/')
		return strconv.AppendUint(b, num, 10)
	case Slug:
		b = appendLowerName(b, typ)
		b = append(b, '-')
		return strconv.AppendUint(b, num, 10)
	case Locale:
		return append(b, "en-US"...)
	case Language:
		return append(b, "en"...)
	case Domain:
		b = appendLowerName(b, typ)
		b = append(b, '-')
		b = strconv.AppendUint(b, num, 10)
		return append(b, ".example.com"...)
	case Color:
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
func (m Str) AppendJSON(b []byte) []byte { return appendStr(b, m.Type, m.Field, m.Num) }

// appendStr is Str{typ, field, num}.AppendJSON(b), without the Str.
func appendStr(b []byte, typ, field string, num uint64) []byte {
	b = append(b, '"')
	b = append(b, typ...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, num, 10)
	b = append(b, ' ')
	b = append(b, field...)
	return append(b, '"')
}
