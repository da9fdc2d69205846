package tribe

import (
	"bytes"
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// An answer's top-level extensions carry its complexity, its cost against
// the rate limits (https://developers.bettermode.com/docs/guide/graphql/rate-limits).
// The complexity is read straight from the text; the whole object is
// decoded only when the call has a graphql.Response or a [ResponseInfo]
// to put it in, and only when it is small.

// maxExtensions bounds the extensions object decoded into Go values for
// [ResponseInfo.Extensions] and graphql.Response's Extensions: decoded,
// JSON takes tens of times its size ("{}" is two bytes and a map), so a
// larger object is left undecoded. Its complexity is read all the same.
const maxExtensions = 64 << 10

// reportExtensions reports an answer's extensions: their complexity, read
// from the text, to the pacer and to the [ResponseInfo] in ctx, if any;
// the object, decoded, to resp and that ResponseInfo, when there is one of
// them to take it and it is at most maxExtensions bytes. Extensions that
// are not an object (nor null) are not reported.
func (c *gqlClient) reportExtensions(ctx context.Context, op string, raw jsontext.Value, resp *graphql.Response, used *usedToken) {
	complexity, ok, isObject := readComplexity(raw)
	if !isObject {
		return
	}
	info, _ := ctx.Value(responseInfoKey{}).(*ResponseInfo)
	var ext map[string]any
	if (resp != nil || info != nil) && len(raw) <= maxExtensions {
		if jsonv1.Unmarshal(raw, &ext) != nil {
			ext = nil
		}
	}
	if resp != nil {
		resp.Extensions = ext
	}
	if info != nil {
		info.Extensions, info.Complexity, info.HasComplexity = ext, complexity, ok
	}
	if ok && c.pacer != nil && used.tok != nil {
		c.pacer.observe(tokenNetwork(used.tok), op, complexity)
	}
}

// readComplexity reads extensions.complexity from the extensions' text: a
// number, or an object with a numeric "total", else "cost", else "value",
// as some servers nest it, from 0 to 2³¹-1 (a fraction is cut). isObject
// says whether raw is an object or null, the only extensions an answer may
// have (GraphQL over HTTP, "Response"); a name given twice counts the last
// time, as decoding it does.
func readComplexity(raw jsontext.Value) (complexity int, ok, isObject bool) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(raw), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	switch dec.PeekKind() {
	case 'n':
		return 0, false, true
	case '{':
	default:
		return 0, false, false
	}
	if _, err := dec.ReadToken(); err != nil {
		return 0, false, false
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return 0, false, false
		}
		if name.String() != "complexity" {
			if err := dec.SkipValue(); err != nil {
				return 0, false, false
			}
			continue
		}
		switch dec.PeekKind() {
		case '0':
			tok, err := dec.ReadToken()
			if err != nil {
				return 0, false, false
			}
			f, _ := tok.Float() // ±Inf past a float64's range
			complexity, ok = number(f)
		case '{':
			if complexity, ok, err = nestedComplexity(dec); err != nil {
				return 0, false, false
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return 0, false, false
			}
			complexity, ok = 0, false
		}
	}
	return complexity, ok, true
}

// nestedComplexity reads a complexity object, next in dec: its "total",
// else its "cost", else its "value": the first of them that is a number
// [number] takes.
func nestedComplexity(dec *jsontext.Decoder) (int, bool, error) {
	if _, err := dec.ReadToken(); err != nil {
		return 0, false, err
	}
	var found [3]struct {
		n  int
		ok bool
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return 0, false, err
		}
		i := -1
		switch name.String() {
		case "total":
			i = 0
		case "cost":
			i = 1
		case "value":
			i = 2
		}
		if i < 0 || dec.PeekKind() != '0' {
			if err := dec.SkipValue(); err != nil {
				return 0, false, err
			}
			if i >= 0 {
				found[i].ok = false
			}
			continue
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return 0, false, err
		}
		f, _ := tok.Float() // ±Inf past a float64's range
		found[i].n, found[i].ok = number(f)
	}
	if _, err := dec.ReadToken(); err != nil {
		return 0, false, err
	}
	for _, f := range found {
		if f.ok {
			return f.n, true, nil
		}
	}
	return 0, false, nil
}

// number reads a complexity: a count from 0 to 2³¹-1, a fraction cut.
func number(f float64) (int, bool) {
	if f >= 0 && f < 1<<31 {
		return int(f), true
	}
	return 0, false
}
