package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// --paginate reads of each page only the connection's path, its pageInfo
// and the bounds of its nodes and edges; the pages' text is kept (within
// --max-bytes) and printed merged, straight from the text, at the end.

// maxConnections bounds the connections looked for in an answer.
const maxConnections = 16

// jsonPath is where a connection is in an answer's data.
type jsonPath []pathKey

// pathKey is one step of a jsonPath: a member's name or an index.
type pathKey struct {
	key   string
	index int
	isIdx bool
}

// is reports whether k is the member name.
func (k pathKey) is(name string) bool { return !k.isIdx && k.key == name }

// isIndex reports whether k is the index i.
func (k pathKey) isIndex(i int) bool { return k.isIdx && k.index == i }

func (p jsonPath) String() string {
	if len(p) == 0 {
		return "data"
	}
	parts := make([]string, len(p))
	for i, k := range p {
		if k.isIdx {
			parts[i] = fmt.Sprint(k.index)
		} else {
			parts[i] = k.key
		}
	}
	return strings.Join(parts, ".")
}

// pageInfo is what a connection's pageInfo says.
type pageInfo struct {
	hasNext bool
	cursor  string // "" if endCursor is not a string
}

// readPageInfo reads a pageInfo object; ok says whether it has
// hasNextPage, a boolean, and endCursor, of any value.
func readPageInfo(text []byte) (pi pageInfo, ok bool) {
	dec := newDecoder(text)
	if dec.PeekKind() != '{' {
		return pi, false
	}
	if _, err := dec.ReadToken(); err != nil {
		return pi, false
	}
	hasNext, hasCursor := false, false
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return pi, false
		}
		switch key, kind := unquote(name), dec.PeekKind(); {
		case key == "hasNextPage" && (kind == 't' || kind == 'f'):
			tok, err := dec.ReadToken()
			if err != nil {
				return pi, false
			}
			pi.hasNext, hasNext = tok.Bool(), true
			continue
		case key == "endCursor":
			hasCursor = true
			if kind == '"' {
				tok, err := dec.ReadToken()
				if err != nil {
					return pi, false
				}
				pi.cursor = tok.String()
				continue
			}
		}
		if err := dec.SkipValue(); err != nil {
			return pi, false
		}
	}
	return pi, hasNext && hasCursor
}

// findConnections returns the paths of the objects in data that have
// pageInfo { hasNextPage endCursor }, in the order they come, at most
// maxConnections; an object inside a connection is not looked at.
func findConnections(data []byte) ([]jsonPath, error) {
	var found []jsonPath
	err := scanConnections(newDecoder(data), nil, &found)
	return found, err
}

// scanConnections reads the next value of dec, at path, adding the
// connections in it to found.
func scanConnections(dec *jsontext.Decoder, path jsonPath, found *[]jsonPath) error {
	switch dec.PeekKind() {
	case '{':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		mark, isConn := len(*found), false
		for dec.PeekKind() != '}' {
			raw, err := dec.ReadValue()
			if err != nil {
				return err
			}
			name := unquote(raw)
			// path's array is shared down the walk: a path is copied when found.
			sub := append(path, pathKey{key: name})
			if name == "pageInfo" {
				v, err := dec.ReadValue()
				if err != nil {
					return err
				}
				if _, ok := readPageInfo(v); ok {
					isConn = true
				} else if err := scanConnections(newDecoder(bytes.Clone(v)), sub, found); err != nil {
					return err
				}
				continue
			}
			if err := scanConnections(dec, sub, found); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		if isConn {
			*found = (*found)[:mark]
			if len(*found) < maxConnections {
				*found = append(*found, append(jsonPath(nil), path...))
			}
		}
		return nil
	case '[':
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for i := 0; dec.PeekKind() != ']'; i++ {
			if err := scanConnections(dec, append(path, pathKey{index: i, isIdx: true}), found); err != nil {
				return err
			}
		}
		_, err := dec.ReadToken()
		return err
	}
	return dec.SkipValue()
}

// connection is what --paginate reads of one page's connection: its
// pageInfo, and its nodes and edges arrays, if any, as text (slices of the
// page's data).
type connection struct {
	info         pageInfo
	pageInfo     []byte
	nodes, edges []byte
}

// readConnection reads the connection at path in a page's data; ok says
// whether there is one.
func readConnection(data []byte, path jsonPath) (c connection, ok bool, err error) {
	dec := newDecoder(data)
	if found, err := seek(dec, path); err != nil || !found || dec.PeekKind() != '{' {
		return c, false, err
	}
	if _, err := dec.ReadToken(); err != nil {
		return c, false, err
	}
	// text returns the value just read, v, as a slice of data.
	text := func(v jsontext.Value) []byte {
		end := int(dec.InputOffset())
		return data[end-len(v) : end : end]
	}
	for dec.PeekKind() != '}' {
		raw, err := dec.ReadValue()
		if err != nil {
			return c, false, err
		}
		switch name, kind := unquote(raw), dec.PeekKind(); {
		case name == "pageInfo":
			v, err := dec.ReadValue()
			if err != nil {
				return c, false, err
			}
			c.pageInfo = text(v)
			c.info, ok = readPageInfo(v)
		case (name == "nodes" || name == "edges") && kind == '[':
			v, err := dec.ReadValue()
			if err != nil {
				return c, false, err
			}
			if name == "nodes" {
				c.nodes = text(v)
			} else {
				c.edges = text(v)
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return c, false, err
			}
		}
	}
	return c, ok, nil
}

// seek moves dec to the value at path; found says whether it is there.
func seek(dec *jsontext.Decoder, path jsonPath) (found bool, err error) {
	for _, step := range path {
		want := jsontext.Kind('{')
		if step.isIdx {
			want = '['
		}
		if dec.PeekKind() != want {
			return false, nil
		}
		if _, err := dec.ReadToken(); err != nil {
			return false, err
		}
		for i := 0; ; i++ {
			if k := dec.PeekKind(); k == '}' || k == ']' {
				return false, nil
			}
			if !step.isIdx {
				raw, err := dec.ReadValue()
				if err != nil {
					return false, err
				}
				if step.is(unquote(raw)) {
					break
				}
			} else if step.isIndex(i) {
				break
			}
			if err := dec.SkipValue(); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// merge is what later pages add to the first: their connections' nodes
// and edges, appended to the first page's, and the last page's pageInfo.
type merge struct {
	path         jsonPath
	nodes, edges [][]byte // arrays, one a page
	pageInfo     []byte   // nil: the first page's
}

// add merges a later page's connection.
func (m *merge) add(c connection) {
	if c.nodes != nil {
		m.nodes = append(m.nodes, c.nodes)
	}
	if c.edges != nil {
		m.edges = append(m.edges, c.edges)
	}
	m.pageInfo = c.pageInfo
}

// connection prints the first page's connection, open in dec, with the
// later pages merged in.
func (p *printer) connection(dec *jsontext.Decoder, level int) error {
	return p.members(dec, level, func(name jsontext.Value) error {
		var more [][]byte
		switch unquote(name) {
		case "pageInfo":
			if p.merge.pageInfo != nil {
				if err := dec.SkipValue(); err != nil {
					return err
				}
				return p.value(newDecoder(p.merge.pageInfo), level+1, -1)
			}
		case "nodes":
			more = p.merge.nodes
		case "edges":
			more = p.merge.edges
		}
		if more == nil || dec.PeekKind() != '[' {
			return p.value(dec, level+1, -1)
		}
		return p.list(dec, level+1, more)
	})
}

// list prints the array next in dec with the elements of the arrays more
// appended.
func (p *printer) list(dec *jsontext.Decoder, level int, more [][]byte) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	p.w.WriteByte('[')
	n, err := p.elements(dec, level, -1, 0)
	if err != nil {
		return err
	}
	for _, text := range more {
		d := newDecoder(text)
		if _, err := d.ReadToken(); err != nil {
			return err
		}
		if n, err = p.elements(d, level, -1, n); err != nil {
			return err
		}
	}
	return p.end(dec, level, n, ']')
}

// paginate runs the operation page after page, following the connection's
// endCursor, and prints the pages merged, or, with --jq, each page
// filtered as it comes.
func (r *runner) paginate(ctx context.Context, vars map[string]any) error {
	first, err := r.call(ctx, vars)
	if err != nil || len(first) == 0 {
		return r.finish(ctx, first, err)
	}
	if err := checkJSON(first); err != nil {
		return fmt.Errorf("the answer's data cannot be read: %w", err)
	}
	conns, err := findConnections(first)
	switch {
	case err != nil:
		return fmt.Errorf("the answer's data cannot be read: %w", err)
	case len(conns) == 0:
		return cmdutil.Usagef("--paginate found no connection in the answer: select pageInfo { hasNextPage endCursor } in the connection to page through")
	case len(conns) > 1:
		names := make([]string, len(conns))
		for i, c := range conns {
			names[i] = c.String()
		}
		return cmdutil.Usagef("--paginate found %d connections in the answer (%s); select pageInfo { hasNextPage endCursor } in one of them only", len(conns), strings.Join(names, ", "))
	}
	path := conns[0]
	conn, _, err := readConnection(first, path)
	if err != nil {
		return fmt.Errorf("the answer's data cannot be read: %w", err)
	}
	out := &pageOutput{r: r, ctx: ctx, merge: &merge{path: path}}
	if r.jq == nil {
		out.first = first // kept to merge the others into
	}
	if err := out.add(first, conn); err != nil {
		return err
	}
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		pi := conn.info
		switch {
		case !pi.hasNext:
			return out.done(nil)
		case pi.cursor == "":
			return out.done(fmt.Errorf("page %d of %s says hasNextPage but gives no endCursor; the pages so far are printed", pages, path))
		case seen[pi.cursor]:
			return out.done(fmt.Errorf("page %d of %s gives an endCursor seen before, so paging would not end; the pages so far are printed", pages, path))
		case pages >= r.opts.MaxPages:
			return out.done(fmt.Errorf("stopped after --max-pages %d pages of %s, and more remain; the pages so far are printed: raise --max-pages to get them all", pages, path))
		}
		seen[pi.cursor] = true
		vars["after"] = pi.cursor
		page, err := r.call(ctx, vars)
		if err != nil || len(page) == 0 {
			// This page's data, if any, is not merged: print the pages so
			// far, then the errors.
			if werr := out.done(nil); werr != nil {
				return werr
			}
			if le, ok := errors.AsType[*limitError](err); ok {
				err = &limitError{msg: le.msg + "; the pages so far are printed", err: le.err}
			}
			if err == nil {
				err = fmt.Errorf("page %d of %s has no data", pages+1, path)
			}
			return r.report(err)
		}
		next, ok, err := readConnection(page, path)
		if err == nil {
			err = checkJSON(page)
		}
		switch {
		case err != nil:
			return out.done(fmt.Errorf("page %d cannot be read: %w; the pages so far are printed", pages+1, err))
		case !ok:
			return out.done(fmt.Errorf("page %d has no connection at %s, where the first page had it; the pages so far are printed", pages+1, path))
		}
		if err := out.add(page, next); err != nil {
			return err
		}
		conn = next
	}
}

// pageOutput is where --paginate's pages go: merged into the first page
// and printed once, at the end; or, with --jq, each filtered and printed
// as it comes, and not kept.
type pageOutput struct {
	r     *runner
	ctx   context.Context
	first []byte // without --jq, the first page
	merge *merge
	pages int // taken so far
	items int // the connection's nodes (or edges) in them
}

// add takes the next page, whose connection is c.
func (o *pageOutput) add(page []byte, c connection) error {
	o.pages++
	if c.nodes != nil {
		o.items += countElements(c.nodes)
	} else {
		o.items += countElements(c.edges)
	}
	switch {
	case o.r.jq != nil:
		o.r.progress.clear()
		if err := newPrinter(o.ctx, o.r.f.Out, o.r.f.Secrets()).filter(o.r.jq, page); err != nil {
			return err
		}
	case o.pages > 1:
		o.merge.add(c)
	}
	o.r.progress.show(o.pages, o.items, o.merge.path)
	return nil
}

// done prints what was kept, if anything, and returns err.
func (o *pageOutput) done(err error) error {
	o.r.progress.clear()
	if o.r.jq == nil {
		if werr := o.r.writeMerged(o.ctx, o.first, o.merge); werr != nil {
			return werr
		}
	}
	return err
}

// writeMerged prints the first page's data with the later pages merged
// in.
func (r *runner) writeMerged(ctx context.Context, first []byte, m *merge) error {
	p := newPrinter(ctx, r.f.Out, r.f.Secrets())
	p.merge = m
	return p.answer(first)
}
