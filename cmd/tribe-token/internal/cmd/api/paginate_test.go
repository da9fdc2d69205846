package api

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestReadPageInfo(t *testing.T) {
	tests := []struct {
		name, text string
		want       pageInfo
		ok         bool
	}{
		{"more", `{"hasNextPage":true,"endCursor":"c1"}`, pageInfo{hasNext: true, cursor: "c1"}, true},
		{"last", `{"endCursor":null,"hasNextPage":false}`, pageInfo{}, true},
		{"other members", `{"startCursor":"s","hasNextPage":true,"x":{"y":[1]},"endCursor":"c\u0032"}`, pageInfo{hasNext: true, cursor: "c2"}, true},
		{"cursor not a string", `{"hasNextPage":true,"endCursor":7}`, pageInfo{hasNext: true}, true},
		{"no endCursor", `{"hasNextPage":true}`, pageInfo{hasNext: true}, false},
		{"no hasNextPage", `{"endCursor":"c"}`, pageInfo{cursor: "c"}, false},
		{"hasNextPage not a boolean", `{"hasNextPage":"true","endCursor":"c"}`, pageInfo{cursor: "c"}, false},
		{"not an object", `[true,"c"]`, pageInfo{}, false},
		{"null", `null`, pageInfo{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := readPageInfo([]byte(tt.text))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFindConnections(t *testing.T) {
	const pi = `"pageInfo":{"hasNextPage":true,"endCursor":"c"}`
	tests := []struct {
		name, data string
		want       []string
	}{
		{"one", `{"members":{"nodes":[],` + pi + `}}`, []string{"members"}},
		{"at the top", `{"nodes":[1],` + pi + `}`, []string{"data"}},
		{"in a list", `{"a":[{"x":1},{"conn":{` + pi + `}}]}`, []string{"a.1.conn"}},
		{"none", `{"members":{"nodes":[],"pageInfo":{"hasNextPage":true}}}`, nil},
		{"two, in order", `{"b":{` + pi + `},"a":{` + pi + `}}`, []string{"b", "a"}},
		{"not inside another", `{"outer":{"inner":{` + pi + `},` + pi + `}}`, []string{"outer"}},
		{"inside a pageInfo that is not one", `{"pageInfo":{"c":{` + pi + `}}}`, []string{"pageInfo.c"}},
		{"a name with escapes", `{"m\u0065mbers":{` + pi + `}}`, []string{"members"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths, err := findConnections([]byte(tt.data))
			require.NoError(t, err)
			var got []string
			for _, p := range paths {
				got = append(got, p.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("bounded", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteByte('[')
		for i := range 100 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{` + pi + `}`)
		}
		b.WriteByte(']')
		paths, err := findConnections(b.Bytes())
		require.NoError(t, err)
		assert.Len(t, paths, maxConnections)
	})
}

// TestMergedPages: the pages are printed as one answer, the first page's
// data with the connection's nodes and edges of every page and the last
// page's pageInfo, as encoding/json prints the same value.
func TestMergedPages(t *testing.T) {
	page := func(nodes, edges, more, cursor string) string {
		return `{"network":{"id":"n1"},"list":[0,{"members":{"totalCount":5,"nodes":` + nodes + `,"edges":` + edges +
			`,"pageInfo":{"hasNextPage":` + more + `,"endCursor":` + cursor + `}}}]}`
	}
	pages := []string{
		page(`[{"id":"m1"},{"id":"m2"}]`, `[{"cursor":"a"}]`, "true", `"c1"`),
		page(`[{"id":"m3"}]`, `null`, "true", `"c2"`),
		page(`[]`, `[{"cursor":"b"},{"cursor":"c"}]`, "true", `"c3"`),
		page(`[{"id":"m4"},{"id":"m5"}]`, `[]`, "false", `null`),
	}
	paths, err := findConnections([]byte(pages[0]))
	require.NoError(t, err)
	require.Len(t, paths, 1)
	assert.Equal(t, "list.1.members", paths[0].String())
	m := &merge{path: paths[0]}
	for _, p := range pages[1:] {
		c, ok, err := readConnection([]byte(p), paths[0])
		require.NoError(t, err)
		require.True(t, ok)
		m.add(c)
	}
	var out bytes.Buffer
	pr := newPrinter(context.Background(), &out, nil)
	pr.merge = m
	require.NoError(t, pr.answer([]byte(pages[0])))

	want := `{"network":{"id":"n1"},"list":[0,{"members":{"totalCount":5,` +
		`"nodes":[{"id":"m1"},{"id":"m2"},{"id":"m3"},{"id":"m4"},{"id":"m5"}],` +
		`"edges":[{"cursor":"a"},{"cursor":"b"},{"cursor":"c"}],` +
		`"pageInfo":{"hasNextPage":false,"endCursor":null}}}]}`
	var wantOut bytes.Buffer
	require.NoError(t, cmdutil.WriteJSON(&wantOut, struct {
		Data json.RawMessage `json:"data"`
	}{json.RawMessage(want)}))
	assert.Equal(t, wantOut.String(), out.String())
}

func TestReadConnection(t *testing.T) {
	path := jsonPath{{key: "a"}, {index: 1, isIdx: true}, {key: "conn"}}
	tests := []struct {
		name, data string
		ok         bool
		nodes      string
	}{
		{"there", `{"x":1,"a":[{},{"conn":{"nodes":[1,2],"pageInfo":{"hasNextPage":false,"endCursor":null}}}]}`, true, `[1,2]`},
		{"no pageInfo", `{"a":[{},{"conn":{"nodes":[1]}}]}`, false, `[1]`},
		{"index missing", `{"a":[{}]}`, false, ``},
		{"name missing", `{"b":[{},{"conn":{}}]}`, false, ``},
		{"not an object there", `{"a":[{},{"conn":[1]}]}`, false, ``},
		{"a list where an object was", `{"a":{"1":{"conn":{}}}}`, false, ``},
		{"nodes not a list", `{"a":[{},{"conn":{"nodes":{"x":1},"pageInfo":{"hasNextPage":false,"endCursor":null}}}]}`, true, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, err := readConnection([]byte(tt.data), path)
			require.NoError(t, err)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.nodes, string(c.nodes))
		})
	}
}
