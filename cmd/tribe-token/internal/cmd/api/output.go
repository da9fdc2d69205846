package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/redact"
)

// An answer's data is passed through, not decoded into Go values: api
// reads it as JSON text with a streaming decoder and writes it to stdout
// as it reads, so that memory stays that of the text (bounded by
// --max-bytes), whatever the text holds.

// newDecoder reads JSON text in place (a bytes.Buffer is read without a
// copy). Invalid UTF-8 is let through, as the answer was, and printed as
// U+FFFD; a name given twice in an object is refused (RFC 8259 section 4
// says names should be unique, and merging pages needs one of each).
func newDecoder(text []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(text), jsontext.AllowInvalidUTF8(true))
}

// checkJSON returns an error unless data is one JSON value that
// newDecoder reads, so that nothing is printed of data that cannot be
// printed whole.
func checkJSON(data []byte) error {
	dec := newDecoder(data)
	if _, err := dec.ReadValue(); err != nil {
		return err
	}
	switch _, err := dec.ReadToken(); err {
	case io.EOF:
		return nil
	case nil:
		return errors.New("more than one value")
	default:
		return err
	}
}

// checkEvery is how many values a printer writes between two looks at
// its context.
const checkEvery = 4096

// printer writes JSON values read from a decoder as api prints them:
// indented by two spaces as encoding/json's MarshalIndent does, object
// members in the order read, numbers as written, each string inert on a
// terminal, and each string (a name too) that holds one of the run's
// secrets redacted; other strings are left as they are, even when they
// look like credentials: they are the data asked for. It stops when its
// context ends.
//
// A hostile server can echo a secret of the run. Each string is first
// scanned for the secrets' needles ([redact.Matcher.MayContainSecret]),
// which costs a few nanoseconds a byte; only a string with one is given to
// the regular expressions, which cost about a microsecond a byte, far too
// slow for every string of 64 MiB of answers.
type printer struct {
	ctx       context.Context
	w         *bufio.Writer
	secrets   *redact.Matcher
	noneGiven bool   // no secrets: no string is looked at
	merge     *merge // pages merged into the one printed; nil: none
	steps     int    // values written since ctx was last checked
}

// newPrinter returns a printer to out that redacts secrets.
func newPrinter(ctx context.Context, out io.Writer, secrets []string) *printer {
	return &printer{ctx: ctx, w: bufio.NewWriterSize(out, 64<<10), secrets: redact.NewMatcher(secrets...), noneGiven: len(secrets) == 0}
}

// answer prints {"data": data} and a newline.
func (p *printer) answer(data []byte) error {
	p.w.WriteString("{\n  \"data\": ")
	if err := p.value(newDecoder(data), 1, 0); err != nil {
		return err
	}
	p.w.WriteString("\n}\n")
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("writing the answer: %w", err)
	}
	return nil
}

// value prints the next value of dec at indentation level. on is how many
// steps of the merged connection's path lead to it (-1: it is off that
// path).
func (p *printer) value(dec *jsontext.Decoder, level, on int) error {
	if p.steps++; p.steps >= checkEvery {
		p.steps = 0
		if err := p.ctx.Err(); err != nil {
			return err
		}
	}
	switch dec.PeekKind() {
	case '{':
		if p.merge != nil && on == len(p.merge.path) {
			return p.connection(dec, level)
		}
		return p.object(dec, level, on)
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		p.w.WriteByte('[')
		n, err := p.elements(dec, level, on, 0)
		if err != nil {
			return err
		}
		return p.end(dec, level, n, ']')
	case '"':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return p.str(v)
	default:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		p.w.Write(v) // a number as written, true, false or null
		return nil
	}
}

// object prints the object next in dec.
func (p *printer) object(dec *jsontext.Decoder, level, on int) error {
	return p.members(dec, level, func(name jsontext.Value) error {
		child := -1
		if p.merge != nil && on >= 0 && on < len(p.merge.path) && p.merge.path[on].is(unquote(name)) {
			child = on + 1
		}
		return p.value(dec, level+1, child)
	})
}

// members prints the object next in dec, its braces and the names of its
// members; value prints each member's value, given its name as read,
// valid until dec reads on.
func (p *printer) members(dec *jsontext.Decoder, level int, value func(name jsontext.Value) error) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	p.w.WriteByte('{')
	n := 0
	for ; dec.PeekKind() != '}'; n++ {
		name, err := p.member(dec, level, n)
		if err != nil {
			return err
		}
		if err := value(name); err != nil {
			return err
		}
	}
	return p.end(dec, level, n, '}')
}

// member prints the name of the n-th member of an object (from 0) and
// returns it as read, valid until dec reads on.
func (p *printer) member(dec *jsontext.Decoder, level, n int) (jsontext.Value, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	p.next(level, n)
	if err := p.str(raw); err != nil {
		return nil, err
	}
	p.w.WriteString(": ")
	return raw, nil
}

// elements prints the elements of the array open in dec, the first
// numbered from; it returns how many it printed, from included.
func (p *printer) elements(dec *jsontext.Decoder, level, on, from int) (int, error) {
	n := from
	for ; dec.PeekKind() != ']'; n++ {
		child := -1
		if p.merge != nil && on >= 0 && on < len(p.merge.path) && p.merge.path[on].isIndex(n) {
			child = on + 1
		}
		p.next(level, n)
		if err := p.value(dec, level+1, child); err != nil {
			return n, err
		}
	}
	return n, nil
}

// next starts the n-th member or element (from 0) of a container at
// level.
func (p *printer) next(level, n int) {
	if n > 0 {
		p.w.WriteByte(',')
	}
	p.w.WriteByte('\n')
	p.indent(level + 1)
}

// end reads the end of the container open in dec and prints it: on a
// line of its own after n members or elements, right after the opening
// for none ({} and []).
func (p *printer) end(dec *jsontext.Decoder, level, n int, closing byte) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if n > 0 {
		p.w.WriteByte('\n')
		p.indent(level)
	}
	p.w.WriteByte(closing)
	return nil
}

func (p *printer) indent(level int) {
	for range level {
		p.w.WriteString("  ")
	}
}

// str prints a JSON string as read (quotes and escapes included): redacted
// if it holds one of the run's secrets, and with each character that
// [text.Inert] escapes and encoding/json leaves as it is (DEL, C1
// controls, the line and paragraph separators, bidirectional controls)
// written as a \u escape, which a JSON reader reads as the same character.
// Invalid UTF-8 is written as \ufffd.
func (p *printer) str(raw []byte) error {
	if !p.noneGiven && len(raw) > 2 {
		text := raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') >= 0 {
			text = []byte(unquote(raw))
		}
		if p.secrets.MayContainSecret(text) {
			if s := string(text); p.secrets.ContainsSecret(s) {
				q, err := jsontext.AppendQuote(nil, p.secrets.String(s))
				if err != nil {
					return err
				}
				raw = q
			}
		}
	}
	i := 0
	for i < len(raw) && raw[i] >= 0x20 && raw[i] < 0x7f {
		i++
	}
	p.w.Write(raw[:i])
	for i < len(raw) {
		r, n := utf8.DecodeRune(raw[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			p.w.WriteString(`\ufffd`)
		case !text.IsInert(string(raw[i : i+n])):
			fmt.Fprintf(p.w, `\u%04x`, r)
		default:
			p.w.Write(raw[i : i+n])
		}
		i += n
	}
	return nil
}

// unquote returns the text of a JSON string as read (raw, quotes
// included).
func unquote(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	b, _ := jsontext.AppendUnquote(nil, raw) // invalid UTF-8 read as U+FFFD
	return string(b)
}
