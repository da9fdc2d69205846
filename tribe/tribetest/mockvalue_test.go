package tribetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// smallSDL is a schema of our own for the unit parts of mocking: custom
// scalars, an enum, an interface, a union, a connection, links by id.
const smallSDL = `
schema { query: Root mutation: Mutation }
scalar DateTime
scalar JSON
scalar Weird
enum Color { RED GREEN BLUE }
interface Node { id: ID! }
type Thing implements Node { id: ID! label: String! color: Color! data: JSON when: DateTime! weird: Weird
  size: Int! ratio: Float! on: Boolean! tags: [String!]! owner: Owner ownerId: ID other: Node }
type Owner implements Node { id: ID! email: String! url: String slug: String! }
type Blob { text: String! }
union Any = Thing | Owner | Blob
type PageInfo { endCursor: String startCursor: String hasNextPage: Boolean! hasPreviousPage: Boolean! }
type ThingEdge { cursor: String! node: Thing! }
type ThingPage { totalCount: Int! pageInfo: PageInfo! edges: [ThingEdge!]! nodes: [Thing!]! }
type Member { id: ID! name: String }
type Root {
  thing(id: ID!): Thing!
  node(id: ID!): Node
  any: [Any!]!
  things(limit: Int, offset: Int, after: String, before: String, reverse: Boolean): ThingPage!
  authMember: Member!
}
type Mutation { touch(id: ID!): Thing! }
`

func smallSchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "small.graphql", Input: smallSDL})
	require.NoError(t, err)
	return s
}

func smallServer(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	s := setup(t, append([]Option{WithSchema(smallSchema(t))}, opts...)...)
	tok := memberToken(t, s)
	return s, bearer(tok)
}

// TestMockScalarsAndEnums: every kind of value is plausible and of its
// type.
func TestMockScalarsAndEnums(t *testing.T) {
	s, auth := smallServer(t)
	r := q(t, s, auth, `{ thing(id: "t1") { id label color data when weird size ratio on tags owner { id email url slug } ownerId } }`, nil)
	th := path(r.Data, "thing").(map[string]any)
	assert.Equal(t, "t1", th["id"])
	assert.Regexp(t, `^Thing \d+ label$`, th["label"])
	assert.Contains(t, []any{"RED", "GREEN", "BLUE"}, th["color"])
	assert.IsType(t, map[string]any{}, th["data"], "JSON is an object")
	when, err := time.Parse(time.RFC3339, th["when"].(string))
	require.NoError(t, err, "DateTime is RFC 3339")
	assert.Equal(t, 2024, when.Year())
	assert.Regexp(t, `^Weird \d+$`, th["weird"])
	assert.GreaterOrEqual(t, th["size"], float64(0))
	assert.Less(t, th["size"], float64(100))
	assert.IsType(t, float64(0), th["ratio"])
	assert.IsType(t, true, th["on"])
	assert.Len(t, th["tags"], defaultMockListLen)
	assert.Equal(t, th["ownerId"], path(th, "owner", "id"), "owner is the one ownerId names")
	assert.Regexp(t, `^owner\d+@example\.com$`, path(th, "owner", "email"))
	assert.Regexp(t, `^https://example\.com/owner/\d+$`, path(th, "owner", "url"))
	assert.Regexp(t, `^[0-9A-Za-z]{10}$`, th["ownerId"])
}

// TestMockAbstract: interfaces and unions resolve to a concrete type, the
// same one for the same identity, with inline fragments applied to it.
func TestMockAbstract(t *testing.T) {
	s, auth := smallServer(t, WithMockListLength(30))
	query := `{ any { __typename ... on Thing { id label } ... on Owner { id slug } ... on Blob { text } }
	  node(id: "n1") { __typename id ... on Owner { email } } }`
	r := q(t, s, auth, query, nil)
	seen := map[string]bool{}
	for _, a := range path(r.Data, "any").([]any) {
		typ := path(a, "__typename").(string)
		seen[typ] = true
		want := map[string][]string{"Thing": {"__typename", "id", "label"}, "Owner": {"__typename", "id", "slug"}, "Blob": {"__typename", "text"}}[typ]
		require.NotNil(t, want, typ)
		assert.Equal(t, want, keysOf(a))
	}
	assert.Len(t, seen, 3, "30 items cover the three types")
	assert.Equal(t, "n1", path(r.Data, "node", "id"))
	again := q(t, s, auth, query, nil)
	assert.Equal(t, r.Raw, again.Raw)
}

// TestMockListLength: WithMockListLength sets the length of mocked lists.
func TestMockListLength(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		s, auth := smallServer(t, WithMockListLength(n))
		r := q(t, s, auth, `{ thing(id: "x") { tags } any { __typename } }`, nil)
		assert.Len(t, path(r.Data, "thing", "tags"), n)
		assert.Len(t, path(r.Data, "any"), n)
	}
	for _, opt := range []Option{WithMockListLength(-1), WithMockListLength(maxMockLen + 1), WithMockPageTotal(-1), WithSchema(nil), WithSchema(&ast.Schema{})} {
		_, err := Start("127.0.0.1:0", opt)
		assertInvalid(t, err, "With")
	}
}

// TestMockConnection: a connection of our own schema pages consistently,
// backwards too (before, reverse), with startCursor and hasPreviousPage.
func TestMockConnection(t *testing.T) {
	s, auth := smallServer(t, WithMockPageTotal(5))
	const query = `query($limit: Int, $after: String, $before: String, $reverse: Boolean, $offset: Int) {
	  things(limit: $limit, after: $after, before: $before, reverse: $reverse, offset: $offset) {
	    totalCount pageInfo { startCursor endCursor hasNextPage hasPreviousPage } edges { cursor node { id } } nodes { id } } }`
	ids := func(r gqlResult) []string {
		var out []string
		for _, n := range path(r.Data, "things", "nodes").([]any) {
			out = append(out, path(n, "id").(string))
		}
		return out
	}
	all := ids(q(t, s, auth, query, nil))
	require.Len(t, all, 5, "no limit: every item")
	tests := []struct {
		name string
		vars func(prev gqlResult) map[string]any
		want []string
	}{
		{"first two", nil, all[:2]},
		{"offset", func(gqlResult) map[string]any { return map[string]any{"limit": 2, "offset": 3} }, all[3:5]},
		{"reverse", func(gqlResult) map[string]any { return map[string]any{"limit": 2, "reverse": true} }, []string{all[4], all[3]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]any{"limit": 2}
			if tc.vars != nil {
				vars = tc.vars(gqlResult{})
			}
			assert.Equal(t, tc.want, ids(q(t, s, auth, query, vars)))
		})
	}
	p1 := q(t, s, auth, query, map[string]any{"limit": 2, "offset": 2})
	assert.Equal(t, true, path(p1.Data, "things", "pageInfo", "hasPreviousPage"))
	assert.Equal(t, path(p1.Data, "things", "edges", 0, "cursor"), path(p1.Data, "things", "pageInfo", "startCursor"))
	before := q(t, s, auth, query, map[string]any{"limit": 2, "before": path(p1.Data, "things", "pageInfo", "startCursor")})
	assert.Equal(t, all[:2], ids(before), "the page just before")
}

// TestMockStoreAndStubs: stored objects answer their fields wherever they
// appear (a nested object by id, a union member by __typename), stubs
// answer static values, and the fixtures' objects seed the store.
func TestMockStoreAndStubs(t *testing.T) {
	f := DefaultFixtures()
	f.Objects = map[string][]map[string]any{
		"Thing": {{"id": "t1", "label": "seeded", "color": "RED", "owner": map[string]any{"id": "o1", "slug": "ann"}, "data": map[string]any{"a": []any{1, 2}}}},
	}
	s, auth := smallServer(t, WithFixtures(f))
	r := q(t, s, auth, `{ thing(id: "t1") { label color data owner { id slug email } ownerId other { id } } things(limit: 5) { totalCount nodes { id label } } }`, nil)
	assert.Equal(t, "seeded", path(r.Data, "thing", "label"))
	assert.Equal(t, "RED", path(r.Data, "thing", "color"))
	assert.Equal(t, map[string]any{"a": []any{float64(1), float64(2)}}, path(r.Data, "thing", "data"))
	assert.Equal(t, "ann", path(r.Data, "thing", "owner", "slug"))
	assert.Equal(t, "o1", path(r.Data, "thing", "owner", "id"))
	assert.EqualValues(t, 1, path(r.Data, "things", "totalCount"), "a Query connection lists the stored things")
	assert.Equal(t, "seeded", path(r.Data, "things", "nodes", 0, "label"))

	require.NoError(t, s.Store().Set("Owner", "o1", map[string]any{"email": "ann@example.com"}))
	r = q(t, s, auth, `{ thing(id: "t1") { owner { id slug email } } }`, nil)
	assert.Equal(t, map[string]any{"id": "o1", "slug": "ann", "email": "ann@example.com"}, path(r.Data, "thing", "owner"), "inline data over the store's")

	got, ok := s.Store().Get("Thing", "t1")
	require.True(t, ok)
	assert.Equal(t, "seeded", got["label"])
	got["label"] = "changed" // a copy
	again, _ := s.Store().Get("Thing", "t1")
	assert.Equal(t, "seeded", again["label"])
	assert.Equal(t, []string{"t1"}, s.Store().IDs("Thing"))

	require.NoError(t, s.Stub("Root", "any", []any{map[string]any{"__typename": "Blob", "text": "stubbed"}, map[string]any{"__typename": "Owner", "id": "o1"}}))
	r = q(t, s, auth, `{ any { __typename ... on Blob { text } ... on Owner { id email } } }`, nil)
	assert.Equal(t, []any{map[string]any{"__typename": "Blob", "text": "stubbed"}, map[string]any{"__typename": "Owner", "id": "o1", "email": "ann@example.com"}}, path(r.Data, "any"))

	require.NoError(t, s.Stub("Root", "thing", map[string]any{"id": "t9", "color": "PURPLE"}))
	bad := gql(t, s, s.GraphQLURL(), auth, `{ thing(id: "x") { color } }`, nil)
	assert.Equal(t, []string{codeServer}, bad.codes(), "a stored value not of the field's type is a field error: %s", bad.Raw)
	require.NoError(t, s.Resolve("Root", "thing", nil))
	q(t, s, auth, `{ thing(id: "x") { color } }`, nil)

	s.Store().Delete("Thing", "t1")
	assert.Empty(t, s.Store().IDs("Thing"))
	s.Store().Clear()
	_, ok = s.Store().Get("Owner", "o1")
	assert.False(t, ok)
}

// TestMockStoreErrors: what the store and overrides refuse, in the
// invalid-input shape, naming what is wrong.
func TestMockStoreErrors(t *testing.T) {
	s, _ := smallServer(t)
	tests := []struct {
		name  string
		err   error
		names string
	}{
		{"unknown type", s.Store().Set("Nope", "1", nil), `no type "Nope"`},
		{"no id field", s.Store().Set("Blob", "1", nil), "Blob is not an object type with an id"},
		{"empty id", s.Store().Set("Thing", "", nil), "needs an id"},
		{"long id", s.Store().Set("Thing", strings.Repeat("x", 201), nil), "longer than 200"},
		{"unknown field", s.Store().Set("Thing", "1", map[string]any{"nope": 1}), `no field "nope"`},
		{"not JSON", s.Store().Set("Thing", "1", map[string]any{"label": func() {}}), "cannot be stored as JSON"},
		{"resolve unknown type", s.Resolve("Nope", "x", nil), `Resolve("Nope", "x")`},
		{"resolve unknown field", s.Resolve("Root", "nope", nil), `Root has no field "nope"`},
		{"stub not JSON", s.Stub("Root", "any", make(chan int)), "not JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertInvalid(t, tc.err, tc.names) })
	}
	for _, objs := range []map[string][]map[string]any{
		{"Thing": {{"label": "no id"}}},
		{"Thing": {{"id": "a"}, {"id": "a"}}},
		{"Nope": {{"id": "a"}}},
		{"Thing": {{"id": "a", "nope": 1}}},
	} {
		f := DefaultFixtures()
		f.Objects = objs
		_, err := Start("127.0.0.1:0", WithSchema(smallSchema(t)), WithFixtures(f))
		assertInvalid(t, err, "objects")
	}
}

// TestMockResolverPanicsAndErrors: an override that panics or fails makes
// a field error, not a broken server.
func TestMockResolverPanicsAndErrors(t *testing.T) {
	s, auth := smallServer(t)
	require.NoError(t, s.Resolve("Root", "node", func(ResolveContext, map[string]any) (any, error) { panic("boom") }))
	require.NoError(t, s.Resolve("Mutation", "touch", func(ctx ResolveContext, args map[string]any) (any, error) {
		return nil, &FieldError{Code: codeForbidden, Message: "Forbidden"}
	}))
	r := gql(t, s, s.GraphQLURL(), auth, `{ node(id: "1") { id } }`, nil)
	assert.Equal(t, []string{codeServer}, r.codes())
	assert.Contains(t, r.Raw, "panicked")
	r = gql(t, s, s.GraphQLURL(), auth, `mutation { touch(id: "1") { id } }`, nil)
	assert.Equal(t, []string{codeForbidden}, r.codes())
	assert.Equal(t, "Forbidden", r.Errors[0].Message)
	r = gql(t, s, s.GraphQLURL(), auth, `subscription { x }`, nil)
	assert.Equal(t, []string{codeInvalidRequest}, r.codes())
}

// TestFixturesObjectsJSON: the fixtures' "objects" section reads from JSON.
func TestFixturesObjectsJSON(t *testing.T) {
	data, err := json.Marshal(map[string]any{
		"networks": []any{map[string]any{"id": "n"}},
		"objects":  map[string]any{"Thing": []any{map[string]any{"id": "t1", "label": "from JSON"}}},
	})
	require.NoError(t, err)
	f, err := ParseFixtures(data)
	require.NoError(t, err)
	s := setup(t, WithSchema(smallSchema(t)), WithFixtures(f))
	got, ok := s.Store().Get("Thing", "t1")
	require.True(t, ok)
	assert.Equal(t, "from JSON", got["label"])
	_, err = ParseFixtures([]byte(`{"objects":{"Thing":[{"label":"x"}]}}`))
	assertInvalid(t, err, `objects "Thing"[0]: no id`)
}
