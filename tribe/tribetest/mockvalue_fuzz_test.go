package tribetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// mockFuzzServer is an unstarted server on smallSDL with objects in its
// store, a stub, the admin API, and a cost limit that keeps each
// execution fast.
func mockFuzzServer(f *testing.F) *Server {
	f.Helper()
	sch, err := gqlparser.LoadSchema(&ast.Source{Name: "small.graphql", Input: smallSDL})
	if err != nil {
		f.Fatal(err)
	}
	fx := DefaultFixtures()
	fx.Objects = map[string][]map[string]any{"Thing": {{"id": "t1", "label": "seeded", "color": "RED", "owner": "o1"}}}
	s := NewUnstartedServer(WithSchema(sch), WithFixtures(fx), WithAdminAPI(), WithQueryCostLimit(2000), WithRecordLimit(10), WithMockListLength(3))
	f.Cleanup(s.Close)
	if err := s.Stub("Root", "any", []any{map[string]any{"__typename": "Blob", "text": "stub"}, map[string]any{"__typename": "Owner", "id": "o1"}}); err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzMockQuery sends arbitrary queries and variables to a mocked schema
// of our own (abstract types, a connection, custom scalars, the store, a
// stub): every answer is JSON with status 200 or a request error, and
// nothing panics.
func FuzzMockQuery(f *testing.F) {
	s := mockFuzzServer(f)
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range []struct{ query, vars string }{
		{`{ thing(id: "t1") { id label color data when weird size ratio on tags owner { id email } ownerId other { id __typename } } }`, `{}`},
		{`query($l: Int, $a: String, $r: Boolean) { things(limit: $l, after: $a, reverse: $r) { totalCount pageInfo { endCursor hasNextPage startCursor hasPreviousPage } edges { cursor node { id } } nodes { id label } } }`, `{"l":2,"a":"cG9zOjA","r":true}`},
		{`{ any { __typename ... on Thing { id } ... on Owner { id slug } ... on Blob { text } } node(id: "x") { id ... on Owner { email } } }`, `null`},
		{`mutation { touch(id: "t1") { id label } }`, `{}`},
		{`query($b: String) { things(limit: 1, before: $b) { nodes { id } } }`, `{"b":"bad"}`},
	} {
		f.Add(q.query, q.vars)
	}
	f.Fuzz(func(t *testing.T, query, vars string) {
		body := []byte(`{"query":` + string(graphql.AppendString(nil, query)) + `,"variables":` + vars + `}`)
		if !json.Valid(body) {
			body = []byte(`{"query":` + string(graphql.AppendString(nil, query)) + `}`)
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d for %q: %s", rec.Code, query, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Errorf("not JSON for %q: %q", query, rec.Body)
		}
	})
}

// FuzzAdminAPI sends arbitrary admin requests from loopback: every answer
// is a JSON object, an error one with the invalid-input shape, and
// nothing panics or grows without bound (the store holds at most
// maxStoreObjects, bodies at most 1 MiB).
func FuzzAdminAPI(f *testing.F) {
	s := mockFuzzServer(f)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "objects", `{"type":"Thing","id":"t2","value":{"label":"x","owner":{"id":"o2","slug":"s"}}}`},
		{"POST", "objects", `{"objects":{"Owner":[{"id":"o3","email":"a@b"}]}}`},
		{"GET", "objects/Thing/t1", ``},
		{"DELETE", "objects/Thing/t1", ``},
		{"POST", "stubs", `{"type":"Root","field":"things","value":{"totalCount":1}}`},
		{"POST", "faults", `{"name":"thing","status":503,"times":1,"latencyMs":0}`},
		{"POST", "advance", `{"seconds":60}`},
		{"POST", "reset", `{}`},
		{"GET", "requests", ``},
		{"GET", "counts", ``},
		{"DELETE", "stubs", ``},
	} {
		f.Add(r.method, r.path, r.body)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !validMethod(method) || strings.ContainsAny(path, " ?#%\r\n\t") {
			return // not an HTTP request net/http would hand over
		}
		req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
		req.Method, req.URL.Path = method, adminPrefix+path
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = "127.0.0.1:1234"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: not a JSON object: %q", method, path, rec.Body)
		}
		if msg, ok := out["error"].(string); ok && !invalidShape.MatchString(msg) {
			t.Errorf("%s %s: error %q is not in the invalid-input shape", method, path, msg)
		}
	})
}

// validMethod reports whether m is an HTTP token (RFC 9110 section 5.6.2).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range []byte(m) {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", rune(c)) {
			return false
		}
	}
	return true
}
