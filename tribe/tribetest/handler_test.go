package tribetest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGraphQLExecution(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)

	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  string // the JSON of data
	}{
		{"alias and typename", `{ me: authMember { id __typename } __typename }`, nil,
			`{"me":{"id":"mem-carol","__typename":"Member"},"__typename":"Query"}`},
		{"named fragment", `query q { authMember { ...f } } fragment f on Member { username role { type } }`, nil,
			`{"authMember":{"username":"carol","role":{"type":"member"}}}`},
		{"inline fragment", `{ authMember { ... on Member { id } ... { name } } }`, nil,
			`{"authMember":{"id":"mem-carol","name":"Carol Member"}}`},
		{"fields merged", `{ authMember { id } authMember { name id } }`, nil,
			`{"authMember":{"id":"mem-carol","name":"Carol Member"}}`},
		{"skip and include", `query($yes: Boolean!) { authMember { id @skip(if: $yes) name @include(if: $yes) email @include(if: false) } }`,
			map[string]any{"yes": true}, `{"authMember":{"name":"Carol Member"}}`},
		{"skip a fragment", `{ authMember { id ...f @skip(if: true) } } fragment f on Member { name }`, nil,
			`{"authMember":{"id":"mem-carol"}}`},
		{"nullable fields", `{ authMember { tagline lastSeenAt externalId } }`, nil,
			`{"authMember":{"tagline":null,"lastSeenAt":null,"externalId":"ext-carol"}}`},
		{"several root fields", `{ authMember { id } network { id name domain ownerId status visibility membersCount createdAt } }`, nil,
			`{"authMember":{"id":"mem-carol"},"network":{"id":"net-acme","name":"Acme Community","domain":"acme.example.com","ownerId":"mem-alice","status":"published","visibility":"public","membersCount":4,"createdAt":"2024-01-01T00:00:00.000Z"}}`},
		{"lists", `{ network { roles { id scopes visible } } }`, nil,
			`{"network":{"roles":[{"id":"role-admin","scopes":["*"],"visible":true},{"id":"role-moderator","scopes":["manage:posts","manage:members"],"visible":true},{"id":"role-member","scopes":["read","write"],"visible":true},{"id":"role-guest","scopes":["read"],"visible":true}]}}`},
		{"variable default", `query($u: String = "bob") { member(username: $u) { id } }`, nil,
			`{"member":{"id":"mem-bob"}}`},
		{"id from an int variable", `query($id: ID) { member(id: $id) { id } }`, map[string]any{"id": 42},
			``},
		{"introspection type", `{ __type(name: "RoleType") { kind name enumValues { name } } }`, nil,
			`{"__type":{"kind":"ENUM","name":"RoleType","enumValues":[{"name":"admin"},{"name":"guest"},{"name":"member"},{"name":"moderator"}]}}`},
		{"introspection wrapping", `{ __type(name: "Role") { fields { name type { kind ofType { kind ofType { kind name } } } } } }`, nil, ``},
		{"unknown type", `{ __type(name: "Nope") { name } }`, nil, `{"__type":null}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.URL, bearer(tok), tc.query, tc.vars)
			require.Equal(t, http.StatusOK, r.Status)
			if tc.want == "" {
				return
			}
			require.Empty(t, r.Errors, r.Raw)
			var raw struct{ Data json.RawMessage }
			require.NoError(t, json.Unmarshal([]byte(r.Raw), &raw))
			assert.JSONEq(t, tc.want, string(raw.Data))
			assert.Equal(t, tc.want, string(raw.Data), "fields in query order")
		})
	}
}

func TestGraphQLErrors(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)

	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		opName   string
		codes    []string
		message  string // a substring of the first message
		location []map[string]int
		noData   bool // refused before execution: no data key
	}{
		{"syntax", `{ authMember { id }`, nil, "", []string{"118"}, "Expected Name", []map[string]int{{"line": 1, "column": 20}}, true},
		{"unknown field", `{ authMember {
  nope } }`, nil, "", []string{"118"}, `Cannot query field "nope"`, []map[string]int{{"line": 2, "column": 3}}, true},
		{"missing argument", `{ members { totalCount } }`, nil, "", []string{"118"}, `argument "limit"`, nil, true},
		{"unused variable", `query($x: String) { authMember { id } }`, nil, "", []string{"118"}, "never used", nil, true},
		{"mutation", `mutation { authMember { id } }`, nil, "", []string{"118"}, "mutation", nil, true},
		{"two operations, no name", `query a { authMember { id } } query b { network { id } }`, nil, "", []string{"118"}, "operationName", nil, true},
		{"unknown operation", `query a { authMember { id } }`, nil, "zzz", []string{"118"}, "zzz", nil, true},
		{"wrong variable type", `query($l: Int!) { members(limit: $l) { totalCount } }`, map[string]any{"l": "ten"}, "", []string{"106"}, "$l", nil, true},
		{"variable not null", `query($l: Int!) { members(limit: $l) { totalCount } }`, map[string]any{"l": nil}, "", []string{"106"}, "null", nil, true},
		{"Int variable as a string", `query($l: Int!) { members(limit: $l) { totalCount } }`, map[string]any{"l": "5"}, "", []string{"106"}, "$l", []map[string]int{{"line": 1, "column": 7}}, true},
		{"Int variable beyond 32 bits", `query($l: Int!) { members(limit: $l) { totalCount } }`, map[string]any{"l": 3000000000}, "", []string{"106"}, "$l", nil, true},
		{"Int variable fractional", `query($l: Int!, $o: Int) { members(limit: $l, offset: $o) { totalCount } }`, map[string]any{"l": 1, "o": 0.5}, "", []string{"106"}, "$o", nil, true},
		{"Int variable true", `query($o: Int) { members(limit: 1, offset: $o) { totalCount } }`, map[string]any{"o": true}, "", []string{"106"}, "$o", nil, true},
		{"member not found", `{ member(id: "zzz") { id } }`, nil, "", []string{"110"}, "not found", []map[string]int{{"line": 1, "column": 3}}, false},
		{"member without arguments", `{ member { id } }`, nil, "", []string{"112"}, "id or a username", nil, false},
		{"negative limit", `{ members(limit: -1) { totalCount } }`, nil, "", []string{"106"}, "limit", nil, false},
		{"bad cursor", `{ members(limit: 1, after: "zzz") { totalCount } }`, nil, "", []string{"106"}, "cursor", nil, false},
		{"two failing fields", `{ a: member(id: "x") { id } b: member(id: "y") { id } }`, nil, "", []string{"110", "110"}, "not found", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars, "operationName": tc.opName})
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodPost, s.GraphQLURL(), strings.NewReader(string(body)))
			require.NoError(t, err)
			req.Header.Set("Authorization", bearer(tok))
			r := do(t, s, req)
			assert.Equal(t, http.StatusOK, r.Status)
			require.Equal(t, tc.codes, r.codes(), r.Raw)
			assert.Contains(t, r.Errors[0].Message, tc.message)
			if tc.location != nil {
				assert.Equal(t, tc.location, r.Errors[0].Locations)
			}
			for _, e := range r.Errors {
				assert.Equal(t, e.Code, e.Extensions["code"])
			}
			if tc.noData {
				assert.NotContains(t, r.Raw, `"data"`)
			} else {
				assert.Contains(t, r.Raw, `"data":null`, "a non-null root field failed")
			}
		})
	}
}

func TestGraphQLPartialDataPaths(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)
	// Both root fields are non-null: one failure nulls data, and each error
	// names its response key.
	r := gql(t, s, s.URL, bearer(tok), `{ me: authMember { id } ghost: member(id: "x") { id } }`, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, []any{"ghost"}, r.Errors[0].Path)
	assert.Nil(t, r.Data)
}

func TestGraphQLTransport(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)

	t.Run("GET", func(t *testing.T) {
		q := url.Values{"query": {`query($u: String) { member(username: $u) { id } }`}, "variables": {`{"u":"alice"}`}}
		req, err := http.NewRequest(http.MethodGet, s.GraphQLURL()+"?"+q.Encode(), nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", bearer(tok))
		r := do(t, s, req)
		assert.Equal(t, AdminMemberID, path(r.Data, "member", "id"), r.Raw)
	})
	t.Run("application/graphql", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(`{ authMember { id } }`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/graphql")
		req.Header.Set("Authorization", bearer(tok))
		r := do(t, s, req)
		assert.Equal(t, PlainMemberID, path(r.Data, "authMember", "id"), r.Raw)
	})
	refusals := []struct {
		name   string
		method string
		target string
		ctype  string
		body   string
		status int
	}{
		{"not JSON", http.MethodPost, "/graphql", "application/json", `{"query":`, 400},
		{"trailing data", http.MethodPost, "/graphql", "application/json", `{"query":"{ network { id } }"} {}`, 400},
		{"variables not an object", http.MethodPost, "/graphql", "application/json", `{"query":"{ network { id } }","variables":[1]}`, 400},
		{"no query", http.MethodPost, "/graphql", "application/json", `{}`, 400},
		{"form body", http.MethodPost, "/graphql", "application/x-www-form-urlencoded", `query=x`, 415},
		{"PUT", http.MethodPut, "/graphql", "application/json", `{}`, 405},
		{"GET bad variables", http.MethodGet, "/graphql?query=%7Bnetwork%7Bid%7D%7D&variables=nope", "", ``, 400},
		{"too large", http.MethodPost, "/graphql", "application/json", `{"query":"` + strings.Repeat(" ", maxBodyBytes) + `"}`, 413},
		{"unknown path", http.MethodGet, "/nope", "", ``, 404},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.URL+tc.target, strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			r := do(t, s, req)
			assert.Equal(t, tc.status, r.Status, r.Raw)
			require.Len(t, r.Errors, 1)
			assert.NotEmpty(t, r.Errors[0].Code)
			assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
			if tc.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "GET, POST", r.Header.Get("Allow"))
			}
		})
	}
}

func TestQueryCache(t *testing.T) {
	s := setup(t, WithQueryCacheSize(2))
	tok := memberToken(t, s)
	q1, q2, q3 := `{ authMember { id } }`, `{ network { id } }`, `{ authMember { name } }`
	first := s.cache.Get(q1)
	for range 3 {
		gql(t, s, s.URL, bearer(tok), q1, nil)
	}
	assert.Same(t, first, s.cache.Get(q1), "a text is parsed once")
	assert.Equal(t, 1, s.cache.Len())
	gql(t, s, s.URL, bearer(tok), q2, nil)
	gql(t, s, s.URL, bearer(tok), q3, nil)
	assert.Equal(t, 2, s.cache.Len(), "bounded")
	assert.NotSame(t, first, s.cache.Get(q1), "the least recently used text was evicted")

	// Invalid texts are cached too, with their errors.
	bad := s.cache.Get(`{ nope }`)
	assert.Nil(t, bad.Doc())
	assert.NotEmpty(t, bad.Errors())
	assert.Same(t, bad, s.cache.Get(`{ nope }`))

	off := setup(t, WithQueryCacheSize(0))
	assert.NotSame(t, off.cache.Get(q1), off.cache.Get(q1))
	assert.Equal(t, 0, off.cache.Len())
}

func TestIntrospectionSchema(t *testing.T) {
	s := setup(t)
	r := gql(t, s, s.URL, "", `{ __schema { queryType { name } mutationType { name } types { name kind } directives { name locations args { name type { kind } } } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Equal(t, "Query", path(r.Data, "__schema", "queryType", "name"))
	assert.Nil(t, path(r.Data, "__schema", "mutationType"))
	names := map[string]string{}
	for _, ty := range path(r.Data, "__schema", "types").([]any) {
		names[path(ty, "name").(string)] = path(ty, "kind").(string)
	}
	assert.Equal(t, "OBJECT", names["Member"])
	assert.Equal(t, "ENUM", names["MemberStatusInput"])
	assert.Equal(t, "SCALAR", names["DateTime"])

	r = gql(t, s, s.URL, "", `{ __type(name: "Query") { fields { name args { name defaultValue type { kind name ofType { name } } } } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	var members any
	for _, f := range path(r.Data, "__type", "fields").([]any) {
		if path(f, "name") == "members" {
			members = f
		}
	}
	require.NotNil(t, members)
	assert.Equal(t, "limit", path(members, "args", 2, "name"))
	assert.Equal(t, "NON_NULL", path(members, "args", 2, "type", "kind"))
	assert.Equal(t, "Int", path(members, "args", 2, "type", "ofType", "name"))
	assert.Equal(t, "String", path(members, "args", 0, "type", "name"))
}

func TestIntVariablesInRange(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)
	q := `query($l: Int!, $o: Int) { members(limit: $l, offset: $o) { totalCount } }`
	for _, vars := range []map[string]any{
		{"l": 2147483647, "o": nil},
		{"l": 0, "o": 1},
		{"l": 1.0},
	} {
		r := gql(t, s, s.URL, bearer(tok), q, vars)
		assert.Empty(t, r.Errors, "%v: %s", vars, r.Raw)
	}
	// Out of range but a JSON integer: a variable error, before any
	// credentials are looked at.
	r := gql(t, s, s.URL, "", q, map[string]any{"l": -2147483649})
	assert.Equal(t, []string{"106"}, r.codes(), r.Raw)
	assert.Empty(t, r.Errors[0].Path)
}

// TestRepeatedVariables: requests that send the same variables text as
// earlier ones (whose map the query cache shares) are answered and
// recorded with their own values, also after a caller changed the
// record's copy of an earlier request's.
func TestRepeatedVariables(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)
	q := `query($u: String) { member(username: $u) { id } }`
	for round := range 3 {
		for _, u := range []string{"bob", "carol", "bob"} {
			r := gql(t, s, s.URL, bearer(tok), q, map[string]any{"u": u})
			require.Empty(t, r.Errors, r.Raw)
			assert.Equal(t, "mem-"+u, path(r.Data, "member", "id"), "round %d", round)
			recs := s.Requests()
			last := recs[len(recs)-1]
			assert.Equal(t, map[string]any{"u": u}, last.Variables)
			last.Variables["u"] = "alice" // the caller's copy
		}
	}
}

// reusedWriter is a ResponseWriter that keeps its header map from one
// answer to the next and throws the body away.
type reusedWriter struct {
	h      http.Header
	status int
}

func (w *reusedWriter) Header() http.Header         { return w.h }
func (w *reusedWriter) WriteHeader(status int)      { w.status = status }
func (w *reusedWriter) Write(b []byte) (int, error) { return len(b), nil }

// TestServeHTTPAllocs: ServeHTTP's allocations per request on the
// shapes of scripts/mockbench (a page of spaces, with a union field, with
// nested pages of members), a cached query sent again.
func TestServeHTTPAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers at random")
	}
	s, auth := pubServer(t, "")
	for _, tc := range []struct {
		file string
		max  float64
	}{{"flat", 5}, {"union", 26}, {"spaces", 30}} {
		t.Run(tc.file, func(t *testing.T) {
			q, err := os.ReadFile("../../scripts/mockbench/" + tc.file + ".graphql")
			require.NoError(t, err)
			body, err := json.Marshal(map[string]any{"query": string(q), "variables": map[string]any{"limit": 10}})
			require.NoError(t, err)
			rd := bytes.NewReader(body)
			r := httptest.NewRequest(http.MethodPost, graphQLPath, rd)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", auth)
			w := &reusedWriter{h: http.Header{}}
			allocs := testing.AllocsPerRun(50, func() {
				rd.Reset(body)
				s.ServeHTTP(w, r)
			})
			require.Equal(t, http.StatusOK, w.status)
			t.Logf("%s: %v allocs", tc.file, allocs)
			assert.LessOrEqual(t, allocs, tc.max)
		})
	}
}
