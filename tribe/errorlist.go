package tribe

import (
	"fmt"

	"github.com/go-json-experiment/json/jsontext"
)

// maxErrors bounds the error objects of an answer that are decoded: the
// first maxErrors are kept, the rest only counted. A server could send
// millions in its 8 MiB ({} is two bytes), each costing a decode, a
// redaction and its memory: 2.6 million took 3 GiB and 8 seconds.
// graphql-js stops validating at 100 errors too.
const maxErrors = 100

// errorList is an answer's "errors": the first maxErrors objects decoded
// (null ones as nil), the number of the others in more.
type errorList struct {
	errs []*GraphQLError
	more int
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom: an array of error
// objects, or null for none. Anything else is an error, as it is to
// encoding/json.
func (l *errorList) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*l = errorList{} // a name given twice: the last counts
	switch k := dec.PeekKind(); k {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '[':
	default:
		if err := dec.SkipValue(); err != nil {
			return err
		}
		return fmt.Errorf("tribe: errors is a JSON %s, not an array", kindName(k))
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if len(l.errs) >= maxErrors {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			l.more++
			continue
		}
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		if v.Kind() == 'n' {
			l.errs = append(l.errs, nil)
			continue
		}
		e := &GraphQLError{}
		if err := e.UnmarshalJSON(v); err != nil {
			return err
		}
		l.errs = append(l.errs, e)
	}
	_, err := dec.ReadToken()
	return err
}

// kindName names a JSON kind for messages.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case '{':
		return "object"
	}
	return "value"
}
