package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/itchyny/gojq"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/redact"
)

// --jq filters each answer as "gh api --jq" does, with gojq, the jq
// implementation gh uses (https://github.com/itchyny/gojq): its input is
// what api would print, {"data": ...}, and each value it yields is printed
// on a line of its own: a string as it is, anything else as compact JSON
// (gojq's: object members sorted by name, numbers as the server wrote
// them). With --paginate it runs on each page as the page comes, so a run
// holds one page decoded, never all of them.
//
// Unlike gh's, the expression sees no environment ($ENV and env are
// empty: the run's secrets live there), loads no modules and reads no
// input but the answer. A string holding one of the run's secrets is
// redacted before the expression sees it, and again after, as api prints
// every string; and a string printed as it is keeps its newlines and tabs
// but shows every other character a terminal acts on as an escape.

// parseJQ compiles --jq's expression; its errors are usage errors that
// name --jq.
func parseJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		where := ""
		if pe, ok := errors.AsType[*gojq.ParseError](err); ok {
			where = fmt.Sprintf(" at byte %d", pe.Offset)
		}
		return nil, cmdutil.Usagef("--jq %q does not parse%s: %v; see https://jqlang.org/manual/ for the language", clip(expr), where, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, cmdutil.Usagef("--jq %q: %v", clip(expr), err)
	}
	return code, nil
}

// jqError is the expression's failure on an answer.
type jqError struct{ err error }

func (e *jqError) Error() string { return "--jq: " + e.err.Error() }

// Unwrap returns gojq's error.
func (e *jqError) Unwrap() error { return e.err }

// filter runs code on {"data": data} and prints what it yields.
func (p *printer) filter(code *gojq.Code, data []byte) error {
	v, err := decodeForJQ(data, p.secrets)
	if err != nil {
		return err
	}
	iter := code.RunWithContext(p.ctx, map[string]any{"data": v})
	for {
		out, ok := iter.Next()
		if !ok {
			break
		}
		if err, isErr := out.(error); isErr {
			if he, ok := errors.AsType[*gojq.HaltError](err); ok && he.Value() == nil {
				break // halt: the end of the output, not a failure
			}
			if p.ctx.Err() != nil {
				return p.ctx.Err()
			}
			if werr := p.flush(); werr != nil {
				return werr
			}
			return &jqError{err: err}
		}
		if s, isString := out.(string); isString {
			p.raw(s)
		} else if err := p.compact(out); err != nil {
			return err
		}
		p.w.WriteByte('\n')
	}
	return p.flush()
}

// raw prints a string as it is, redacted if it holds one of the run's
// secrets, with its newlines and tabs but every other character
// [text.Inert] escapes written as an escape.
func (p *printer) raw(s string) {
	if p.secrets.ContainsSecret(s) {
		s = p.secrets.String(s)
	}
	for s != "" {
		i := strings.IndexAny(s, "\n\t")
		if i < 0 {
			p.w.WriteString(text.Inert(s))
			return
		}
		p.w.WriteString(text.Inert(s[:i]))
		p.w.WriteByte(s[i])
		s = s[i+1:]
	}
}

// compact prints a value gojq yields as compact JSON, each string inert
// and redacted as [printer.str] prints it.
func (p *printer) compact(v any) error {
	if p.steps++; p.steps >= checkEvery {
		p.steps = 0
		if err := p.ctx.Err(); err != nil {
			return err
		}
	}
	switch x := v.(type) {
	case nil:
		p.w.WriteString("null")
	case bool:
		p.w.WriteString(strconv.FormatBool(x))
	case int:
		p.w.WriteString(strconv.Itoa(x))
	case json.Number:
		p.w.WriteString(string(x))
	case string:
		q, _ := jsontext.AppendQuote(nil, x) // invalid UTF-8 written as U+FFFD
		return p.str(q)
	case []any:
		p.w.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				p.w.WriteByte(',')
			}
			if err := p.compact(e); err != nil {
				return err
			}
		}
		p.w.WriteByte(']')
	case map[string]any:
		p.w.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				p.w.WriteByte(',')
			}
			q, _ := jsontext.AppendQuote(nil, k)
			if err := p.str(q); err != nil {
				return err
			}
			p.w.WriteByte(':')
			if err := p.compact(x[k]); err != nil {
				return err
			}
		}
		p.w.WriteByte('}')
	default: // float64, *big.Int: as jq writes them
		b, err := gojq.Marshal(x)
		if err != nil {
			return err
		}
		p.w.Write(b)
	}
	return nil
}

// flush writes out what the printer holds.
func (p *printer) flush() error {
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("writing the answer: %w", err)
	}
	return nil
}

// maxJQDecoded bounds what one answer may take once decoded for --jq, as
// estimated by jqDecoder: JSON such as [{},{},…] takes tens of times its
// size as Go values (a map for every "{}"), so a server could make 8 MiB
// of answer take gigabytes. An answer past it is refused, not decoded.
const maxJQDecoded = 128 << 20

// What Go values take, about, as jqDecoder counts them: an object (a map
// with room for 8 members), each member past the 8th, an array, each
// element, and a string or number beyond its bytes.
const (
	costObject  = 320
	costMember  = 40
	costArray   = 24
	costElement = 32
	costScalar  = 16
)

// errJQTooLarge is an answer past maxJQDecoded.
var errJQTooLarge = errors.New("the answer's data is too large to filter with --jq")

// jqDecoder decodes an answer's data into the values gojq takes (nil,
// bool, json.Number, string, []any and map[string]any), each string (a
// name too) that holds one of the run's secrets redacted.
type jqDecoder struct {
	dec     *jsontext.Decoder
	secrets *redact.Matcher
	left    int // of maxJQDecoded
	names   map[string]string
}

// maxNames bounds the member names a jqDecoder keeps to share among the
// objects that have them.
const maxNames = 4096

// decodeForJQ decodes data for gojq.
func decodeForJQ(data []byte, secrets *redact.Matcher) (any, error) {
	d := &jqDecoder{dec: newDecoder(data), secrets: secrets, left: maxJQDecoded, names: map[string]string{}}
	v, err := d.value()
	if errors.Is(err, errJQTooLarge) {
		return nil, &limitError{msg: fmt.Sprintf("%v (it would take more than %s decoded); ask for fewer items a page, or leave out --jq", err, sizeText(maxJQDecoded)), err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("the answer's data cannot be read: %w", err)
	}
	return v, nil
}

// spend takes n from what is left.
func (d *jqDecoder) spend(n int) error {
	if d.left -= n; d.left < 0 {
		return errJQTooLarge
	}
	return nil
}

// value decodes the next value.
func (d *jqDecoder) value() (any, error) {
	switch d.dec.PeekKind() {
	case '{':
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, err
		}
		if err := d.spend(costObject); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for d.dec.PeekKind() != '}' {
			raw, err := d.dec.ReadValue()
			if err != nil {
				return nil, err
			}
			name := d.name(raw)
			if len(m) >= 8 {
				if err := d.spend(costMember); err != nil {
					return nil, err
				}
			}
			if m[name], err = d.value(); err != nil {
				return nil, err
			}
		}
		_, err := d.dec.ReadToken()
		return m, err
	case '[':
		if _, err := d.dec.ReadToken(); err != nil {
			return nil, err
		}
		if err := d.spend(costArray); err != nil {
			return nil, err
		}
		a := []any{}
		for d.dec.PeekKind() != ']' {
			if err := d.spend(costElement); err != nil {
				return nil, err
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.dec.ReadToken()
		return a, err
	case '"':
		raw, err := d.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if err := d.spend(costScalar + len(raw)); err != nil {
			return nil, err
		}
		return d.text(unquote(raw)), nil
	case '0':
		raw, err := d.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if err := d.spend(costScalar + len(raw)); err != nil {
			return nil, err
		}
		return json.Number(raw), nil
	}
	tok, err := d.dec.ReadToken()
	if err != nil {
		return nil, err
	}
	if k := tok.Kind(); k == 't' || k == 'f' {
		return tok.Bool(), nil
	}
	return nil, nil
}

// name returns a member's name (raw, quoted, as read), one string for all
// the objects that have it.
func (d *jqDecoder) name(raw []byte) string {
	if n, ok := d.names[string(raw)]; ok {
		return n
	}
	n := d.text(unquote(raw))
	if len(d.names) < maxNames {
		d.names[string(raw)] = n
	}
	return n
}

// text is s, redacted if it holds one of the run's secrets.
func (d *jqDecoder) text(s string) string {
	if d.secrets.ContainsSecret(s) {
		return d.secrets.String(s)
	}
	return s
}
