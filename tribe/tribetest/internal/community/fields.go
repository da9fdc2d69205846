package community

import (
	"encoding/json"
	"unicode/utf8"
)

// MappingField is one field of a post (PostMappingField and
// PostMappingFieldInput): its value is JSON-encoded, as Tribe stores it,
// so a title "Hello" is the value "\"Hello\"".
type MappingField struct {
	Key   string
	Type  string
	Value string
}

// The bounds of a post's fields.
const (
	maxFields       = 100
	maxKeyLen       = 100
	shortContentLen = 1000 // runes of the content that shortContent shows
)

// mappingTypes are the values of PostMappingTypeEnum.
func mappingTypes() []string {
	return []string{"boolean", "date", "html", "image", "number", "numberArray", "text", "textArray"}
}

// checkFields refuses fields Tribe would not store: too many, an empty,
// long or repeated key, an unknown type, a value that is not JSON, a
// title or content that is not a JSON string. It returns their size in
// bytes.
func checkFields(fields []MappingField) (int, error) {
	if len(fields) > maxFields {
		return 0, invalid("input.mappingFields has %d fields, more than the %d a post may have; send fewer", len(fields), maxFields)
	}
	seen := make(map[string]bool, len(fields))
	size := 0
	for i, f := range fields {
		switch {
		case f.Key == "":
			return 0, invalid("input.mappingFields[%d].key is empty; name the field (title, content…)", i)
		case len(f.Key) > maxKeyLen:
			return 0, invalid("input.mappingFields[%d].key is longer than %d bytes; shorten it", i, maxKeyLen)
		case seen[f.Key]:
			return 0, invalid("input.mappingFields[%d].key %q repeats an earlier field; send each key once", i, clip(f.Key))
		case !validType(f.Type):
			return 0, invalid("input.mappingFields[%d].type %q is not one of %v", i, clip(f.Type), mappingTypes())
		case !json.Valid([]byte(f.Value)):
			return 0, invalid("input.mappingFields[%d] (%s): value is not JSON; Tribe stores JSON-encoded values, so send a text as a JSON string, such as \"\\\"Hello\\\"\"", i, clip(f.Key))
		}
		if f.Key == "title" || f.Key == "content" {
			var s string
			if json.Unmarshal([]byte(f.Value), &s) != nil {
				return 0, invalid("input.mappingFields[%d] (%s): value is not a JSON-encoded string; send the text as one, such as \"\\\"Hello\\\"\"", i, f.Key)
			}
		}
		seen[f.Key] = true
		size += len(f.Key) + len(f.Value)
	}
	return size, nil
}

func validType(t string) bool {
	for _, v := range mappingTypes() {
		if v == t {
			return true
		}
	}
	return false
}

// fieldText is the decoded string of field key, and whether there is one.
func fieldText(fields []MappingField, key string) (string, bool) {
	for _, f := range fields {
		if f.Key == key {
			var s string
			if json.Unmarshal([]byte(f.Value), &s) == nil {
				return s, true
			}
		}
	}
	return "", false
}

// shorten is s cut to shortContentLen runes, and whether it was cut.
func shorten(s string) (string, bool) {
	if utf8.RuneCountInString(s) <= shortContentLen {
		return s, false
	}
	n := 0
	for i := range s {
		if n == shortContentLen {
			return s[:i], true
		}
		n++
	}
	return s, false
}

// fieldsView is fields as the schema's mappingFields and fields lists.
func fieldsView(fields []MappingField) (mapping, custom []any) {
	mapping = make([]any, len(fields))
	custom = make([]any, len(fields))
	for i, f := range fields {
		mapping[i] = map[string]any{"key": f.Key, "type": f.Type, "value": f.Value}
		custom[i] = map[string]any{"key": f.Key, "value": f.Value}
	}
	return mapping, custom
}
