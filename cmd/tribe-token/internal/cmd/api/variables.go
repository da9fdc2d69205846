package api

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// graphQLName is a GraphQL Name (GraphQL spec, section 2.1.9).
var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// maxVariableName bounds a variable's name in messages and in the request.
const maxVariableName = 128

// Field is one -F or -f: a variable's name and its value as given.
type Field struct {
	Name  string
	Value string
}

// ParseField splits "name=value" (from flag, -F or -f) and checks the
// name. The value is never echoed in an error: it may be anything.
func ParseField(flag, s string) (Field, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return Field{}, cmdutil.Usagef("%s takes name=value; the argument has no '='", flag)
	}
	if len(name) > maxVariableName || !graphQLName.MatchString(name) {
		return Field{}, cmdutil.Usagef("%s %q: the variable's name is not a GraphQL name (letters, digits and _, not starting with a digit); give it without the $", flag, clip(name))
	}
	return Field{Name: name, Value: value}, nil
}

// clip shortens s for a message, made inert by the error line.
func clip(s string) string { return text.Clip(s) }

// TypedValue is the value of a -F field as gh api gives it: true, false and
// null as such, a JSON number as a number, "@FILE" as the file's content (a
// string; "@-" reads stdin), anything else as a string.
func TypedValue(f *cmdutil.Factory, field Field) (any, error) {
	v := field.Value
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if path, ok := strings.CutPrefix(v, "@"); ok {
		if path == "" {
			return nil, cmdutil.Usagef("-F %s=@: give a file after the @ (or @- for stdin)", field.Name)
		}
		b, err := f.ReadInput(path, "value of -F "+field.Name)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	if isJSONNumber(v) {
		return json.Number(v), nil
	}
	return v, nil
}

// isJSONNumber reports whether s is a JSON number (RFC 8259 section 6),
// without white space around it.
func isJSONNumber(s string) bool {
	if s == "" || len(s) > 64 || strings.TrimSpace(s) != s || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return false
	}
	return json.Valid([]byte(s))
}

// Variables builds a request's variables: the object of --variables (its
// text, or @FILE for a file's, @- for stdin's), then -f fields (strings)
// and -F fields (typed), which win over it. A name given twice in -f and
// -F is refused. With a nil f, no file is read and -F values stay
// strings: the checks alone.
func Variables(f *cmdutil.Factory, variables string, raw, typed []string) (map[string]any, error) {
	vars := map[string]any{}
	text, from := []byte(variables), "--variables"
	if path, ok := strings.CutPrefix(variables, "@"); ok {
		if path == "" {
			return nil, cmdutil.Usagef("--variables @: give a file after the @ (or @- for stdin)")
		}
		text, from = nil, "--variables @"+path
		where := "the file"
		if path == "-" {
			where = "stdin"
		}
		if f != nil {
			b, err := f.ReadInput(path, "variables")
			if err != nil {
				return nil, err
			}
			text = b
			if len(bytes.TrimSpace(text)) == 0 {
				return nil, cmdutil.Usagef("%s: %s is empty; give a JSON object of the variables, e.g. {\"limit\": 10}", from, where)
			}
		}
	}
	if len(bytes.TrimSpace(text)) != 0 {
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			if from != "--variables" {
				return nil, cmdutil.Usagef(`%s: its content is not a JSON object; give one, e.g. {"limit": 10}`, from)
			}
			return nil, cmdutil.Usagef(`--variables is not a JSON object; give one, e.g. --variables '{"limit": 10}', or @FILE to read it from a file`)
		}
		for name, v := range obj {
			if len(name) > maxVariableName || !graphQLName.MatchString(name) {
				return nil, cmdutil.Usagef("%s: %q is not a GraphQL name (letters, digits and _, not starting with a digit); give names without the $", from, clip(name))
			}
			vars[name] = v
		}
	}
	seen := map[string]string{}
	add := func(flag string, fields []string, typedValues bool) error {
		for _, s := range fields {
			field, err := ParseField(flag, s)
			if err != nil {
				return err
			}
			if prev, dup := seen[field.Name]; dup {
				return cmdutil.Usagef("%s %s= gives the variable %s again (it was given with %s); give each once", flag, field.Name, field.Name, prev)
			}
			seen[field.Name] = flag
			var v any = field.Value
			if typedValues && f != nil {
				if v, err = TypedValue(f, field); err != nil {
					return err
				}
			}
			vars[field.Name] = v
		}
		return nil
	}
	if err := add("-f", raw, false); err != nil {
		return nil, err
	}
	if err := add("-F", typed, true); err != nil {
		return nil, err
	}
	return vars, nil
}
