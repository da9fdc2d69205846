package graphql_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

var paramsSeeds = []string{
	`{"query":"query spaces($limit: Int!) {\n  spaces(limit: $limit) { nodes { id } }\n}\n","variables":{"limit":10}}`,
	`{"query":"{ a }","operationName":"x","variables":null}`,
	` { "operationName" : null , "query" : "q\"\\\/\b\f\r\t" } `,
	`{"query":"é ü","variables":{"a":[1,{"b":"}"}],"c":"\\\""}}`,
	`{}`,
	`{"query":"q","variables":{"a":-1.5e3,"b":0,"c":"s\n","d":true,"e":false,"f":null,"a":2,"k\"":1,"é":0.25E-2}}`,
	`{"query":"q","variables":{}}`,
	`{"query":"q","variables":{"a":01}}`,
	`{"query":"q","variables":{"a":1e400}}`,
	`{"query":"q","variables":{"a":-}}`,
	`{"query":"q","variables":{"a":1.}}`,
	`{"query":"q","variables":{"a":tru}}`,
	`{"query":"q","variables":{"a":1,}}`,
	`{"query":"\u00e9"}`,
	`{"Query":"a"}`,
	`{"query":"a","query":"b"}`,
	`{"query":"a","extensions":{}}`,
	`{"query":"a\xffb"}`,
	`{"query":"a","variables":{"a":1]}`,
	`{"query":"a","variables":[1]}`,
	`{"query":1}`,
	`{"query":"a"} x`,
	`{"query":"a",}`,
	`{"query":"a\`,
	`{"variables":{"a":"\`,
	"{\"query\":\"a\xffb\",\"variables\":{\"x\":\"\xff\"}}",
	`null`,
	``,
}

// TestDecodeParams: the fast path decodes the usual bodies, and every
// body decodes (or fails) as json.Unmarshal has it.
func TestDecodeParams(t *testing.T) {
	fast := map[string]bool{paramsSeeds[0]: true, paramsSeeds[1]: true, paramsSeeds[2]: true, paramsSeeds[3]: true, paramsSeeds[4]: true, paramsSeeds[5]: true, paramsSeeds[6]: true}
	for _, body := range paramsSeeds {
		t.Run(body, func(t *testing.T) {
			var p graphql.Params
			assert.Equal(t, fast[body], graphql.FastParams([]byte(body), &p), "fast path")
			checkDecodeParams(t, []byte(body))
		})
	}
	var p graphql.Params
	require.NoError(t, graphql.DecodeParams([]byte(paramsSeeds[0]), &p))
	assert.Equal(t, "query spaces($limit: Int!) {\n  spaces(limit: $limit) { nodes { id } }\n}\n", p.Query)
	assert.Equal(t, map[string]any{"limit": float64(10)}, p.Variables)
	p = graphql.Params{}
	require.NoError(t, graphql.DecodeParams([]byte(paramsSeeds[2]), &p))
	assert.Equal(t, "q\"\\/\b\f\r\t", p.Query)
}

// TestReadParamsAllocs: reading the usual POST allocates its body, the
// query text and the variables (map, key and value), and nothing more;
// through a cache, variables sent before are not decoded again.
func TestReadParamsAllocs(t *testing.T) {
	c := graphql.NewCache(repoSchema(t), 16)
	for _, tc := range []struct {
		name string
		read func(*http.Request) (graphql.Params, *graphql.Refusal)
		max  float64
	}{
		{"ReadParams", graphql.ReadParams, 6},
		{"Cache.ReadParams", c.ReadParams, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(paramsSeeds[0])
			rd := bytes.NewReader(body)
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.Header.Set("Content-Type", "application/json")
			r.Body, r.ContentLength = io.NopCloser(rd), int64(len(body))
			var p graphql.Params
			allocs := testing.AllocsPerRun(20, func() {
				rd.Reset(body)
				var bad *graphql.Refusal
				p, bad = tc.read(r)
				if bad != nil {
					t.Errorf("refused: %+v", bad)
				}
			})
			assert.Equal(t, map[string]any{"limit": float64(10)}, p.Variables)
			assert.LessOrEqual(t, allocs, tc.max)
		})
	}
}

func checkDecodeParams(t *testing.T, body []byte) {
	t.Helper()
	var want, got graphql.Params
	wantErr := json.Unmarshal(body, &want)
	err := graphql.DecodeParams(body, &got)
	if wantErr != nil {
		assert.Error(t, err)
		return
	}
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func FuzzDecodeParams(f *testing.F) {
	for _, s := range paramsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecodeParams(t, body)
	})
}

// BenchmarkDecodeParams: the body of scripts/mockbench, decoded by the
// fast path and by json.Unmarshal.
func BenchmarkDecodeParams(b *testing.B) {
	q, err := os.ReadFile("../../../../scripts/mockbench/spaces.graphql")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": string(q), "variables": map[string]any{"limit": 10}})
	for _, bc := range []struct {
		name   string
		decode func([]byte, *graphql.Params) error
	}{
		{"fast", graphql.DecodeParams},
		{"json", func(b []byte, p *graphql.Params) error { return json.Unmarshal(b, p) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var p graphql.Params
				if err := bc.decode(body, &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
