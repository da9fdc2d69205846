package tribe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// extensionsServer answers every request with data and the extensions
// text ext.
func extensionsServer(t *testing.T, ext []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"ok":true},"extensions":`))
		_, _ = w.Write(ext)
		_, _ = w.Write([]byte(`}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestExtensions: an answer's extensions reach graphql.Response and
// ResponseInfo decoded when they are small, and so does their complexity,
// read from the text whatever their size; a larger object than
// maxExtensions is not decoded.
func TestExtensions(t *testing.T) {
	huge := hugeExtensions(7<<20 + 512<<10)
	tests := []struct {
		name           string
		ext            string
		wantComplexity int
		wantHas        bool
		wantExt        map[string]any // nil: none
	}{
		{name: "a number", ext: `{"complexity":7,"x":"y"}`, wantComplexity: 7, wantHas: true, wantExt: map[string]any{"complexity": 7.0, "x": "y"}},
		{name: "an object's total", ext: `{"complexity":{"cost":3,"total":9}}`, wantComplexity: 9, wantHas: true, wantExt: map[string]any{"complexity": map[string]any{"cost": 3.0, "total": 9.0}}},
		{name: "no complexity", ext: `{"tracing":{}}`, wantExt: map[string]any{"tracing": map[string]any{}}},
		{name: "null", ext: `null`},
		{name: "past the cap", ext: huge, wantComplexity: 5, wantHas: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := extensionsServer(t, []byte(tt.ext))
			c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{MaxAttempts: 1}})
			require.NoError(t, err)
			var info ResponseInfo
			var data json.RawMessage
			resp := &graphql.Response{Data: &data}
			require.NoError(t, c.GraphQL().MakeRequest(WithResponseInfo(context.Background(), &info), &graphql.Request{Query: "query { ok }"}, resp))
			assert.JSONEq(t, `{"ok":true}`, string(data))
			assert.Equal(t, tt.wantHas, info.HasComplexity)
			assert.Equal(t, tt.wantComplexity, info.Complexity)
			if tt.wantExt == nil {
				assert.True(t, info.Extensions == nil, "ResponseInfo.Extensions has %d members", len(info.Extensions))
				assert.True(t, resp.Extensions == nil, "Response.Extensions has %d members", len(resp.Extensions))
			} else {
				assert.Equal(t, tt.wantExt, info.Extensions)
				assert.Equal(t, tt.wantExt, resp.Extensions)
			}
		})
	}
}

// hugeExtensions is an extensions object of about size bytes with a
// complexity of 5 after a long list of empty objects, each of which
// decodes into a map.
func hugeExtensions(size int) string {
	var b bytes.Buffer
	b.WriteString(`{"junk":[{}`)
	for b.Len() < size {
		b.WriteString(`,{}`)
	}
	b.WriteString(`],"complexity":5}`)
	return b.String()
}

// TestExtensionsMemoryIsBounded: an answer with 7.5 MiB of empty objects
// in its extensions (decoded into maps, about 430 MiB) costs a call about
// the answer's size in memory, not many times it.
func TestExtensionsMemoryIsBounded(t *testing.T) {
	srv := extensionsServer(t, []byte(hugeExtensions(7<<20+512<<10)))
	c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	call := func() {
		var info ResponseInfo
		var data json.RawMessage
		require.NoError(t, c.GraphQL().MakeRequest(WithResponseInfo(context.Background(), &info), &graphql.Request{Query: "query { ok }"}, &graphql.Response{Data: &data}))
		require.True(t, info.HasComplexity)
	}
	call() // the connection and the buffers
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	call()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("one call allocated %d MiB", allocated>>20)
	assert.Less(t, allocated, uint64(64<<20), fmt.Sprintf("allocated %d MiB for a 7.5 MiB answer", allocated>>20))
}

// decodedComplexity reads the complexity of extensions decoded into Go
// values, as the client did before it read the text.
func decodedComplexity(ext map[string]any) (int, bool) {
	v, ok := ext["complexity"]
	if !ok {
		return 0, false
	}
	num := func(v any) (int, bool) {
		if n, isNum := v.(float64); isNum {
			return number(n)
		}
		return 0, false
	}
	if m, isMap := v.(map[string]any); isMap {
		for _, k := range []string{"total", "cost", "value"} {
			if n, ok := num(m[k]); ok {
				return n, true
			}
		}
		return 0, false
	}
	return num(v)
}

// TestReadComplexity: the complexity read from the text is the one read
// from the decoded object.
func TestReadComplexity(t *testing.T) {
	tests := []struct {
		ext      string
		want     int
		wantOK   bool
		isObject bool
	}{
		{`{"complexity":7}`, 7, true, true},
		{`{"complexity":7.9}`, 7, true, true},
		{`{"complexity":0}`, 0, true, true},
		{`{"complexity":-1}`, 0, false, true},
		{`{"complexity":2147483648}`, 0, false, true},
		{`{"complexity":1e400}`, 0, false, true},
		{`{"complexity":"7"}`, 0, false, true},
		{`{"complexity":null}`, 0, false, true},
		{`{"complexity":{"value":1,"cost":2,"total":3}}`, 3, true, true},
		{`{"complexity":{"value":1,"cost":2}}`, 2, true, true},
		{`{"complexity":{"value":1,"total":"x"}}`, 1, true, true},
		{`{"complexity":{"total":3,"total":"x"}}`, 0, false, true},
		{`{"complexity":{}}`, 0, false, true},
		{`{"complexity":1,"complexity":2}`, 2, true, true},
		{`{"complexity":1,"complexity":[]}`, 0, false, true},
		{`{"x":{"complexity":5}}`, 0, false, true},
		{`{"compl\u0065xity":4}`, 4, true, true},
		{`{}`, 0, false, true},
		{`null`, 0, false, true},
		{`[1]`, 0, false, false},
		{`"complexity"`, 0, false, false},
		{`5`, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			got, ok, isObject := readComplexity([]byte(tt.ext))
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.isObject, isObject)
			var ext map[string]any
			if json.Unmarshal([]byte(tt.ext), &ext) == nil {
				want, wantOK := decodedComplexity(ext)
				assert.Equal(t, want, got, "as decoded")
				assert.Equal(t, wantOK, ok, "as decoded")
			}
		})
	}
}

func FuzzReadComplexity(f *testing.F) {
	for _, s := range []string{`{"complexity":7}`, `{"complexity":{"total":3,"cost":1}}`, `null`, `{"a":[{}],"complexity":2.5}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ext string) {
		var m map[string]any
		if json.Unmarshal([]byte(ext), &m) != nil {
			return // not extensions an answer the client reads could have
		}
		got, ok, isObject := readComplexity([]byte(ext))
		want, wantOK := decodedComplexity(m)
		if !isObject || got != want || ok != wantOK {
			t.Errorf("readComplexity(%s) = %d, %v, %v; decoded: %d, %v", ext, got, ok, isObject, want, wantOK)
		}
	})
}
