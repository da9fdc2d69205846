package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/redact"
)

// answer is what api prints: the data, as gh api graphql does.
type answer struct {
	Data any `json:"data"`
}

// writeData prints {"data": data}, indented and inert. Data that holds a
// secret of the run (the client secret, the token sent, the cache key), as
// a hostile server could send back, has each string that holds one
// redacted.
func (r *runner) writeData(data json.RawMessage) error {
	if secrets := r.f.Secrets(); len(secrets) > 0 {
		text := string(data)
		if redact.String(text) != redact.String(text, secrets...) {
			v, err := decode(data)
			if err != nil {
				return err
			}
			return cmdutil.WriteJSON(r.f.Out, answer{Data: redactSecrets(v, secrets)})
		}
	}
	return cmdutil.WriteJSON(r.f.Out, answer{Data: data})
}

// redactSecrets returns v with each string (map keys too) that holds one
// of secrets redacted; other strings are left as they are, even when they
// look like credentials: they are the data asked for.
func redactSecrets(v any, secrets []string) any {
	str := func(s string) string {
		if red := redact.String(s, secrets...); red != redact.String(s) {
			return red
		}
		return s
	}
	switch x := v.(type) {
	case string:
		return str(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[str(k)] = redactSecrets(val, secrets)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = redactSecrets(val, secrets)
		}
		return out
	}
	return v
}

// decode reads JSON data, numbers kept as they were written.
func decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("tribe-token: the answer's data is not JSON: %w", err)
	}
	return v, nil
}

// pathKey is one step of a path into decoded JSON: a key or an index.
type pathKey struct {
	key   string
	index int
	isIdx bool
}

// jsonPath is where a connection is in the data.
type jsonPath []pathKey

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

// maxConnections bounds the connections looked for in an answer.
const maxConnections = 16

// findConnections returns the paths of the objects in v that have
// pageInfo { hasNextPage endCursor }, in a stable order.
func findConnections(v any, path jsonPath, out []jsonPath) []jsonPath {
	if len(out) >= maxConnections {
		return out
	}
	switch x := v.(type) {
	case map[string]any:
		if isConnection(x) {
			return append(out, append(jsonPath(nil), path...))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = findConnections(x[k], append(path, pathKey{key: k}), out)
		}
	case []any:
		for i, val := range x {
			out = findConnections(val, append(path, pathKey{index: i, isIdx: true}), out)
		}
	}
	return out
}

// isConnection reports whether m selects pageInfo { hasNextPage endCursor }.
func isConnection(m map[string]any) bool {
	pi, ok := m["pageInfo"].(map[string]any)
	if !ok {
		return false
	}
	_, hasNext := pi["hasNextPage"].(bool)
	_, hasCursor := pi["endCursor"]
	return hasNext && hasCursor
}

// at returns the object at path in v, or nil.
func at(v any, path jsonPath) map[string]any {
	for _, k := range path {
		switch x := v.(type) {
		case map[string]any:
			if k.isIdx {
				return nil
			}
			v = x[k.key]
		case []any:
			if !k.isIdx || k.index >= len(x) {
				return nil
			}
			v = x[k.index]
		default:
			return nil
		}
	}
	m, _ := v.(map[string]any)
	return m
}

// paginate runs the operation page after page, following the connection's
// endCursor, and prints the pages merged.
func (r *runner) paginate(ctx context.Context, vars map[string]any) error {
	raw, err := r.call(ctx, vars)
	if err != nil || len(raw) == 0 {
		return r.finish(raw, err)
	}
	merged, err := decode(raw)
	if err != nil {
		return err
	}
	conns := findConnections(merged, nil, nil)
	switch {
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
	conn := at(merged, path)
	seen := map[string]bool{}
	for pages := 1; ; pages++ {
		pi, _ := conn["pageInfo"].(map[string]any)
		if more, _ := pi["hasNextPage"].(bool); !more {
			return r.finishMerged(merged, nil)
		}
		cursor, _ := pi["endCursor"].(string)
		switch {
		case cursor == "":
			return r.finishMerged(merged, fmt.Errorf("tribe-token: page %d of %s says hasNextPage but gives no endCursor; the pages so far are printed", pages, path))
		case seen[cursor]:
			return r.finishMerged(merged, fmt.Errorf("tribe-token: page %d of %s gives an endCursor seen before, so paging would not end; the pages so far are printed", pages, path))
		case pages >= r.opts.MaxPages:
			return r.finishMerged(merged, fmt.Errorf("tribe-token: stopped after --max-pages %d pages of %s, and more remain; the pages so far are printed: raise --max-pages to get them all", pages, path))
		}
		seen[cursor] = true
		vars["after"] = cursor
		raw, err := r.call(ctx, vars)
		if err != nil || len(raw) == 0 {
			// This page's data, if any, is not merged: print the pages so
			// far, then the errors.
			if werr := r.writeMerged(merged); werr != nil {
				return werr
			}
			if err == nil {
				err = fmt.Errorf("tribe-token: page %d of %s has no data", pages+1, path)
			}
			return r.report(err)
		}
		page, err := decode(raw)
		if err != nil {
			return r.finishMerged(merged, err)
		}
		next := at(page, path)
		if next == nil || !isConnection(next) {
			return r.finishMerged(merged, fmt.Errorf("tribe-token: page %d has no connection at %s, where the first page had it; the pages so far are printed", pages+1, path))
		}
		for _, list := range []string{"nodes", "edges"} {
			a, okA := conn[list].([]any)
			b, okB := next[list].([]any)
			if okA && okB {
				conn[list] = append(a, b...)
			}
		}
		conn["pageInfo"] = next["pageInfo"]
	}
}

// finishMerged prints the merged pages, then err's line if not nil.
func (r *runner) finishMerged(merged any, err error) error {
	if werr := r.writeMerged(merged); werr != nil {
		return werr
	}
	return err
}

// writeMerged prints merged pages as writeData prints one answer.
func (r *runner) writeMerged(merged any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(merged); err != nil {
		return fmt.Errorf("tribe-token: encoding the pages: %w", err)
	}
	return r.writeData(bytes.TrimSpace(buf.Bytes()))
}
