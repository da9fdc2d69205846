package graphql

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeParams is json.Unmarshal(body, p) for a zero p, with a fast path
// for the usual body: one object whose keys are query, operationName and
// variables, spelt so and each once; query and operationName strings
// (or null) of valid UTF-8 whose escapes are the two-character ones;
// variables null or an object, which json.Unmarshal decodes. Any other
// body, valid or not, goes to json.Unmarshal whole, so the answer (and
// the error) is the same. A flat variables object (scalars only) that
// shared has seen is shared rather than decoded again; shared may be nil.
func decodeParams(body []byte, p *Params, shared *sharedVars) error {
	if fastParams(body, p, shared) {
		return nil
	}
	// Decoded into a Params of its own, so that p (a request's, on its
	// caller's stack) is not handed to json.Unmarshal.
	var all Params
	err := json.Unmarshal(body, &all)
	*p = all
	return err
}

// unmarshalVariables is json.Unmarshal(b, &p.Variables), through a map
// of its own so that p is not handed to json.Unmarshal.
func unmarshalVariables(b []byte, p *Params) bool {
	var vars map[string]any
	err := json.Unmarshal(b, &vars)
	p.Variables = vars
	return err == nil
}

// fastParams decodes body into p when it has the usual shape; false
// otherwise, p then being left for the caller to reset.
func fastParams(body []byte, p *Params, shared *sharedVars) bool {
	d := paramsDecoder{b: body, shared: shared}
	d.ws()
	if !d.byte('{') {
		return false
	}
	var seen [3]bool
	d.ws()
	if d.byte('}') {
		return d.end()
	}
	for {
		key, ok := d.plainKey()
		if !ok {
			return false
		}
		if !d.colon() {
			return false
		}
		var i int
		switch string(key) { // compared without a copy

		case "query":
			i = 0
		case "operationName":
			i = 1
		case "variables":
			i = 2
		default:
			return false
		}
		if seen[i] {
			return false
		}
		seen[i] = true
		switch i {
		case 0:
			if p.Query, ok = d.stringOrNull(); !ok {
				return false
			}
		case 1:
			if p.OperationName, ok = d.stringOrNull(); !ok {
				return false
			}
		case 2:
			if !d.variables(p) {
				return false
			}
		}
		d.ws()
		if d.byte('}') {
			return d.end()
		}
		if !d.byte(',') {
			return false
		}
		d.ws()
	}
}

type paramsDecoder struct {
	b []byte
	i int
	// shared, if not nil, has the variables of earlier requests.
	shared *sharedVars
}

func (d *paramsDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *paramsDecoder) byte(c byte) bool {
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// colon reads the ':' after an object's key, with the whitespace around
// it, and reports whether it was there.
func (d *paramsDecoder) colon() bool {
	d.ws()
	ok := d.byte(':')
	d.ws()
	return ok
}

// end reports whether only whitespace is left.
func (d *paramsDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// plainKey reads a string of ASCII letters.
func (d *paramsDecoder) plainKey() ([]byte, bool) {
	if !d.byte('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return d.b[start : d.i-1], true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			d.i++
		default:
			return nil, false
		}
	}
	return nil, false
}

// stringOrNull reads null (as "") or a string of valid UTF-8 without
// control characters or \u escapes.
func (d *paramsDecoder) stringOrNull() (string, bool) {
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return "", true
	}
	if !d.byte('"') {
		return "", false
	}
	start, run := d.i, d.i // run: the first byte not yet copied to out
	var tmp [256]byte
	var out []byte // the unescaped string, once an escape is met
	var high byte  // the bytes read, or'd: 0x80 is set if one is not ASCII
	for d.i < len(d.b) {
		// The run of plain bytes up to the next quote, backslash or
		// control character, scanned in a local slice.
		plain := d.b[d.i:]
		n := 0
		for ; n < len(plain); n++ {
			c := plain[n]
			if c < 0x20 || c == '"' || c == '\\' {
				break
			}
			high |= c
		}
		d.i += n
		if d.i == len(d.b) {
			break
		}
		switch d.b[d.i] {
		case '"':
			s := d.b[start:d.i]
			if out != nil {
				s = append(out, d.b[run:d.i]...)
			}
			d.i++
			if high >= 0x80 && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case '\\':
			if d.i+1 >= len(d.b) {
				return "", false
			}
			var r byte
			switch d.b[d.i+1] {
			case '"', '\\', '/':
				r = d.b[d.i+1]
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			default:
				return "", false // \u, or invalid
			}
			if out == nil {
				out = tmp[:0]
			}
			out = append(append(out, d.b[run:d.i]...), r)
			d.i += 2
			run = d.i
		default: // a control character
			return "", false
		}
	}
	return "", false
}

// variables reads null or an object into p.Variables.
func (d *paramsDecoder) variables(p *Params) bool {
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	start := d.i
	if d.shared != nil && d.skipObject() {
		if vars := d.shared.get(d.b[start:d.i]); vars != nil {
			p.Variables = vars
			return true
		}
	}
	d.i = start
	if d.flatVariables(p) {
		d.shared.put(d.b[start:d.i], p.Variables)
		return true
	}
	d.i, p.Variables = start, nil
	// Find where the object ends; json.Unmarshal then checks it is one.
	if !d.skipObject() {
		return false
	}
	return unmarshalVariables(d.b[start:d.i], p)
}

// skipObject moves past the object or array at d.i, skipping the strings
// in it (and their escapes), and reports whether it ends. It checks
// nothing else.
func (d *paramsDecoder) skipObject() bool {
	depth := 0
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				d.i++
				return true
			}
		case '"':
			d.i++
			for d.i < len(d.b) && d.b[d.i] != '"' {
				if d.b[d.i] == '\\' {
					d.i++
				}
				d.i++
			}
		}
		d.i++
	}
	return false
}

// flatVariables reads an object of scalars (strings, numbers, true,
// false, null) into p.Variables, as json.Unmarshal would.
func (d *paramsDecoder) flatVariables(p *Params) bool {
	d.i++ // {
	vars := map[string]any{}
	d.ws()
	if d.byte('}') {
		p.Variables = vars
		return true
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return false
		}
		key, ok := d.stringOrNull()
		if !ok {
			return false
		}
		if !d.colon() {
			return false
		}
		if d.i >= len(d.b) {
			return false
		}
		var v any
		switch c := d.b[d.i]; {
		case c == '"':
			if v, ok = d.stringOrNull(); !ok {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			if v, ok = d.number(); !ok {
				return false
			}
		case d.literal("true"):
			v = true
		case d.literal("false"):
			v = false
		case d.literal("null"):
			v = nil
		default:
			return false
		}
		vars[key] = v
		d.ws()
		if d.byte('}') {
			p.Variables = vars
			return true
		}
		if !d.byte(',') {
			return false
		}
		d.ws()
	}
}

func (d *paramsDecoder) literal(lit string) bool {
	if d.i+len(lit) <= len(d.b) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// number reads a JSON number as a float64.
func (d *paramsDecoder) number() (float64, bool) {
	start := d.i
	d.byte('-')
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if !d.byte('0') && digits() == 0 { // a leading zero stands alone
		return 0, false
	}
	if d.byte('.') && digits() == 0 {
		return 0, false
	}
	if d.byte('e') || d.byte('E') {
		if !d.byte('+') {
			d.byte('-')
		}
		if digits() == 0 {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	return f, err == nil
}
