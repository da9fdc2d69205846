package tribetest

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/schema"
)

// publishedSchema loads Tribe's published schema (testenv.PublishedSchema).
func publishedSchema(t testing.TB) *ast.Schema {
	t.Helper()
	data, err := os.ReadFile(testenv.PublishedSchema(t))
	require.NoError(t, err)
	s, err := schema.Load("schema.generated.gql", data)
	require.NoError(t, err)
	return s
}

// pubServer starts a server on the published schema and returns it with a
// token of member (PlainMemberID when "").
func pubServer(t *testing.T, member string, opts ...Option) (*Server, string) {
	t.Helper()
	s := setup(t, append([]Option{WithSchema(publishedSchema(t))}, opts...)...)
	if member == "" {
		member = PlainMemberID
	}
	tok, err := s.MintToken(DefaultNetworkID, member)
	require.NoError(t, err)
	return s, bearer(tok)
}

// q runs query with auth against s and requires no errors.
func q(t *testing.T, s *Server, auth, query string, vars map[string]any) gqlResult {
	t.Helper()
	r := gql(t, s, s.GraphQLURL(), auth, query, vars)
	require.Equal(t, 200, r.Status, r.Raw)
	require.Emptyf(t, r.Errors, "errors: %s", r.Raw)
	return r
}

// spacesPage is the typical query of the performance comparison.
const spacesPage = `query spaces($limit: Int!, $after: String, $offset: Int) {
  spaces(limit: $limit, after: $after, offset: $offset) {
    totalCount
    pageInfo { endCursor hasNextPage }
    edges { cursor node { id } }
    nodes { id name slug createdAt members(limit: 3) { nodes { member { id name } } } }
  }
}`

// TestMockDeterministic: the same query gives the same JSON twice, and on
// another server with the same fixtures.
func TestMockDeterministic(t *testing.T) {
	query := `{
	  spaces(limit: 5) { totalCount nodes { id name slug createdAt type private layout customOrderingIndexInGroup
	    posts(limit: 2) { nodes { id title status createdAt reactionsCount owner { member { id name } } } } } }
	  post(id: "p1") { id title shortContent repliedTo { id title } space { id name } }
	  network { id name domain spaces(limit: 2) { nodes { id name } } }
	}`
	s1, auth1 := pubServer(t, "")
	s2, auth2 := pubServer(t, "", WithSigningKey([]byte(strings.Repeat("k", 32))))
	a := q(t, s1, auth1, query, nil)
	b := q(t, s1, auth1, query, nil)
	c := q(t, s2, auth2, query, nil)
	assert.Equal(t, a.Raw, b.Raw, "the same query twice")
	assert.Equal(t, a.Raw, c.Raw, "another server")
	assert.Equal(t, "p1", path(a.Data, "post", "id"))
	assert.Len(t, path(a.Data, "spaces", "nodes"), 5)
}

// keysOf is the sorted keys of a decoded object.
func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestMockShape: the data has exactly the shape asked: aliases,
// fragments, __typename, unions and interfaces with inline fragments, and
// search, whose hits hold unions (By, In, Media).
func TestMockShape(t *testing.T) {
	s, auth := pubServer(t, "")
	r := q(t, s, auth, `
	  fragment P on Post { id postTitle: title __typename }
	  query {
	    first: post(id: "a") { ...P createdAt }
	    second: post(id: "b") { ... on Post { id } }
	    search(input: {query: "hello"}) {
	      totalCount
	      hits { entityType hits {
	        __typename id title
	        by { __typename ... on Member { id name } }
	        in { __typename ... on Space { id slug } }
	        media { __typename ... on Image { id url } ... on Emoji { id text } ... on File { id name } }
	      } }
	    }
	  }`, nil)
	assert.Equal(t, []string{"first", "search", "second"}, keysOf(r.Data))
	assert.Equal(t, []string{"__typename", "createdAt", "id", "postTitle"}, keysOf(r.Data["first"]))
	assert.Equal(t, "Post", path(r.Data, "first", "__typename"))
	assert.Equal(t, "a", path(r.Data, "first", "id"))
	assert.Equal(t, []string{"id"}, keysOf(r.Data["second"]))
	_, err := time.Parse(time.RFC3339, path(r.Data, "first", "createdAt").(string))
	assert.NoError(t, err, "DateTime is RFC 3339")

	groups := path(r.Data, "search", "hits").([]any)
	require.Len(t, groups, defaultMockListLen)
	entityTypes := s.schema.Types["SearchEntityType"]
	seenMedia := map[string]bool{}
	for _, g := range groups {
		assert.NotNil(t, entityTypes.EnumValues.ForName(path(g, "entityType").(string)), "a valid enum value")
		for _, h := range path(g, "hits").([]any) {
			assert.Equal(t, []string{"__typename", "by", "id", "in", "media", "title"}, keysOf(h))
			assert.Equal(t, "Member", path(h, "by", "__typename"))
			assert.Equal(t, []string{"__typename", "id", "name"}, keysOf(path(h, "by")))
			assert.Equal(t, []string{"__typename", "id", "slug"}, keysOf(path(h, "in")))
			media := path(h, "media")
			typ := path(media, "__typename").(string)
			seenMedia[typ] = true
			want := map[string][]string{"Image": {"__typename", "id", "url"}, "Emoji": {"__typename", "id", "text"}, "File": {"__typename", "id", "name"}}[typ]
			require.NotNilf(t, want, "media is a member of the union Media, not %s", typ)
			assert.Equal(t, want, keysOf(media), "only the fragment of its own type")
		}
	}
	assert.NotEmpty(t, seenMedia)
}

// TestMockSpacesPagination: page 1, then after its endCursor page 2: no
// overlap, totalCount constant, hasNextPage false on the last page; edges
// and nodes agree; offset reaches the same page.
func TestMockSpacesPagination(t *testing.T) {
	s, auth := pubServer(t, "")
	p1 := q(t, s, auth, spacesPage, map[string]any{"limit": 12})
	total := path(p1.Data, "spaces", "totalCount")
	assert.EqualValues(t, defaultMockPageTotal, total)
	assert.Equal(t, true, path(p1.Data, "spaces", "pageInfo", "hasNextPage"))
	ids := func(r gqlResult) []string {
		var out []string
		for i, n := range path(r.Data, "spaces", "nodes").([]any) {
			out = append(out, path(n, "id").(string))
			assert.Equal(t, path(n, "id"), path(r.Data, "spaces", "edges", i, "node", "id"), "edges and nodes agree")
		}
		return out
	}
	first := ids(p1)
	require.Len(t, first, 12)
	edges := path(p1.Data, "spaces", "edges").([]any)
	assert.Equal(t, path(edges[len(edges)-1], "cursor"), path(p1.Data, "spaces", "pageInfo", "endCursor"))

	p2 := q(t, s, auth, spacesPage, map[string]any{"limit": 12, "after": path(p1.Data, "spaces", "pageInfo", "endCursor")})
	second := ids(p2)
	require.Len(t, second, defaultMockPageTotal-12)
	assert.Equal(t, total, path(p2.Data, "spaces", "totalCount"))
	assert.Equal(t, false, path(p2.Data, "spaces", "pageInfo", "hasNextPage"))
	for _, id := range second {
		assert.NotContains(t, first, id)
	}
	all := append(slices.Clone(first), second...)
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), defaultMockPageTotal, "every item once")

	byOffset := q(t, s, auth, spacesPage, map[string]any{"limit": 12, "offset": 12})
	assert.Equal(t, second, ids(byOffset))

	bad := gql(t, s, s.GraphQLURL(), auth, spacesPage, map[string]any{"limit": 2, "after": "not-a-cursor"})
	assert.Equal(t, []string{codeInvalidParam}, bad.codes())
}

// TestMockIdentity: an object with an id is the same wherever it appears:
// post(id:) twice, a post's repliedTo asked for by its id, a post of a
// page asked for by its id, the post's space by spaceId.
func TestMockIdentity(t *testing.T) {
	s, auth := pubServer(t, "")
	const fields = `id title createdAt status slug owner { member { id name username } } space { id name }`
	r := q(t, s, auth, `{
	  a: post(id: "p1") { `+fields+` spaceId repliedToId repliedTo { `+fields+` } }
	  b: post(id: "p1") { `+fields+` }
	  posts(limit: 3) { nodes { `+fields+` } }
	}`, nil)
	assert.Equal(t, path(r.Data, "b"), mapWithout(path(r.Data, "a"), "spaceId", "repliedToId", "repliedTo"))
	assert.Equal(t, path(r.Data, "a", "spaceId"), path(r.Data, "a", "space", "id"), "space is the one spaceId names")
	assert.Equal(t, path(r.Data, "a", "repliedToId"), path(r.Data, "a", "repliedTo", "id"))
	owner := path(r.Data, "a", "owner", "member", "id").(string)
	m, ok := s.Member(owner)
	require.True(t, ok, "owners are members of the fixtures")
	assert.Equal(t, m.Name, path(r.Data, "a", "owner", "member", "name"))

	replied := path(r.Data, "a", "repliedTo")
	again := q(t, s, auth, `query($id: ID!) { post(id: $id) { `+fields+` } }`, map[string]any{"id": path(replied, "id")})
	assert.Equal(t, replied, path(again.Data, "post"), "the same post as another post's repliedTo")

	node := path(r.Data, "posts", "nodes", 1)
	byID := q(t, s, auth, `query($id: ID!) { post(id: $id) { `+fields+` } }`, map[string]any{"id": path(node, "id")})
	assert.Equal(t, node, path(byID.Data, "post"), "the same post as in a page")
}

func mapWithout(v any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, x := range v.(map[string]any) {
		if !slices.Contains(keys, k) {
			out[k] = x
		}
	}
	return out
}

const createPost = `mutation($space: ID!, $title: String!) {
  createPost(spaceId: $space, input: {postTypeId: "discussion", mappingFields: [{key: "title", type: text, value: $title}]}) {
    id title status owner { member { id } } space { id }
  }
}`

// TestMockMutations: createPost and addReaction answer valid data; with
// overrides in place of the server's own, a created post is then
// post(id), and a reaction counts.
func TestMockMutations(t *testing.T) {
	s, auth := pubServer(t, "")
	r := q(t, s, auth, createPost, map[string]any{"space": "s1", "title": `"Hello"`})
	first := path(r.Data, "createPost", "id")
	assert.NotEmpty(t, first)
	statuses := s.schema.Types["PostStatus"]
	assert.NotNil(t, statuses.EnumValues.ForName(path(r.Data, "createPost", "status").(string)))
	r = q(t, s, auth, `mutation { addReaction(postId: "p1", input: {reaction: "+1"}) { status } }`, nil)
	assert.NotNil(t, s.schema.Types["ActionStatus"].EnumValues.ForName(path(r.Data, "addReaction", "status").(string)))

	var calls atomic.Int32
	require.NoError(t, s.Resolve("Mutation", "createPost", func(ctx ResolveContext, args map[string]any) (any, error) {
		calls.Add(1)
		assert.Equal(t, Caller{AppID: "", NetworkID: DefaultNetworkID, MemberID: PlainMemberID, RoleID: "role-member", Role: "member"}, ctx.Caller)
		assert.Equal(t, "Mutation", ctx.Type)
		assert.Equal(t, "createPost", ctx.Field)
		assert.NoError(t, ctx.Err())
		input := args["input"].(map[string]any)
		title := ""
		for _, f := range input["mappingFields"].([]any) {
			if f.(map[string]any)["key"] == "title" {
				title, _ = f.(map[string]any)["value"].(string)
			}
		}
		id := fmt.Sprintf("post-%d", len(ctx.Store.IDs("Post"))+1)
		err := ctx.Store.Set("Post", id, map[string]any{
			"title": title, "status": "PUBLISHED", "spaceId": args["spaceId"], "ownerId": ctx.Caller.MemberID,
			"owner": map[string]any{"member": ctx.Caller.MemberID},
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": id}, nil
	}))
	require.NoError(t, s.Resolve("Mutation", "addReaction", func(ctx ResolveContext, args map[string]any) (any, error) {
		id, _ := args["postId"].(string)
		p, ok := ctx.Store.Get("Post", id)
		if !ok {
			return nil, &FieldError{Code: codeNotFound, Message: "post not found"}
		}
		n, _ := p["reactionsCount"].(json.Number).Int64()
		p["reactionsCount"] = n + 1
		if err := ctx.Store.Set("Post", id, p); err != nil {
			return nil, err
		}
		return map[string]any{"status": "succeeded"}, nil
	}))
	created := q(t, s, auth, createPost, map[string]any{"space": "s1", "title": "Hello"})
	assert.Equal(t, map[string]any{"id": "post-1", "title": "Hello", "status": "PUBLISHED",
		"owner": map[string]any{"member": map[string]any{"id": PlainMemberID}}, "space": map[string]any{"id": "s1"}},
		path(created.Data, "createPost"))
	require.NoError(t, s.Store().Set("Post", "post-1", mergeMap(must(s.Store().Get("Post", "post-1")), map[string]any{"reactionsCount": 0})))

	r = q(t, s, auth, `mutation { addReaction(postId: "post-1", input: {reaction: "+1"}) { status } }`, nil)
	assert.Equal(t, "succeeded", path(r.Data, "addReaction", "status"))
	got := q(t, s, auth, `{ post(id: "post-1") { id title reactionsCount owner { member { name } } } posts(limit: 10) { totalCount nodes { id } } }`, nil)
	assert.Equal(t, "Hello", path(got.Data, "post", "title"))
	assert.EqualValues(t, 1, path(got.Data, "post", "reactionsCount"))
	assert.Equal(t, "Carol Member", path(got.Data, "post", "owner", "member", "name"))
	assert.EqualValues(t, 1, path(got.Data, "posts", "totalCount"), "Query.posts lists the server's own posts")
	assert.Equal(t, first, path(got.Data, "posts", "nodes", 0, "id"), "the one createPost made before the override")

	missing := gql(t, s, s.GraphQLURL(), auth, `mutation { addReaction(postId: "nope", input: {reaction: "+1"}) { status } }`, nil)
	assert.Equal(t, []string{codeNotFound}, missing.codes())
	assert.EqualValues(t, 1, calls.Load(), "the override of createPost ran once")
}

func must[T any](v T, ok bool) T {
	if !ok {
		panic("must: not found")
	}
	return v
}

func mergeMap(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestMockMembers: members on the published schema keeps its fixture
// semantics: filters by status, roleIds and query, reverse, pagination.
func TestMockMembers(t *testing.T) {
	s, auth := pubServer(t, "")
	const query = `query($limit: Int!, $status: [MemberStatusInput!], $roleIds: [ID!], $query: String, $reverse: Boolean, $after: String) {
	  members(limit: $limit, status: $status, roleIds: $roleIds, query: $query, reverse: $reverse, after: $after) {
	    totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id } } nodes { id }
	  }
	}`
	ids := func(vars map[string]any) ([]string, gqlResult) {
		r := q(t, s, auth, query, vars)
		var out []string
		for _, n := range path(r.Data, "members", "nodes").([]any) {
			out = append(out, path(n, "id").(string))
		}
		return out, r
	}
	tests := []struct {
		name string
		vars map[string]any
		want []string
	}{
		{"all", map[string]any{"limit": 10}, []string{AdminMemberID, ModeratorMemberID, PlainMemberID, BlockedMemberID}},
		{"status", map[string]any{"limit": 10, "status": []string{"BLOCKED"}}, []string{BlockedMemberID}},
		{"roleIds", map[string]any{"limit": 10, "roleIds": []string{"role-member"}}, []string{PlainMemberID, BlockedMemberID}},
		{"query", map[string]any{"limit": 10, "query": "MODERATOR"}, []string{ModeratorMemberID}},
		{"query email", map[string]any{"limit": 10, "query": "carol@"}, []string{PlainMemberID}},
		{"reverse", map[string]any{"limit": 2, "reverse": true}, []string{BlockedMemberID, PlainMemberID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := ids(tc.vars)
			assert.Equal(t, tc.want, got)
		})
	}
	first, r := ids(map[string]any{"limit": 3})
	assert.Equal(t, []string{AdminMemberID, ModeratorMemberID, PlainMemberID}, first)
	assert.EqualValues(t, 4, path(r.Data, "members", "totalCount"))
	assert.Equal(t, true, path(r.Data, "members", "pageInfo", "hasNextPage"))
	rest, r := ids(map[string]any{"limit": 3, "after": path(r.Data, "members", "pageInfo", "endCursor")})
	assert.Equal(t, []string{BlockedMemberID}, rest)
	assert.Equal(t, false, path(r.Data, "members", "pageInfo", "hasNextPage"))

	// Network.members pages the same members.
	nm := q(t, s, auth, `{ network { members(limit: 2, reverse: true) { totalCount nodes { id } } } }`, nil)
	assert.EqualValues(t, 4, path(nm.Data, "network", "members", "totalCount"))
	assert.Equal(t, BlockedMemberID, path(nm.Data, "network", "members", "nodes", 0, "id"))
}

// TestMockFixtureMember: a fixture member keeps its values and has the
// rest mocked; authMember is the caller; a member's token sees itself.
func TestMockFixtureMember(t *testing.T) {
	for _, id := range []string{AdminMemberID, PlainMemberID} {
		t.Run(id, func(t *testing.T) {
			s, auth := pubServer(t, id)
			m, ok := s.Member(id)
			require.True(t, ok)
			const fields = `id name username email status role { id type } displayName score badges { text } spaces(limit: 2) { totalCount nodes { id name } } network { id name }`
			r := q(t, s, auth, `query($id: ID) { authMember { `+fields+` } member(id: $id) { `+fields+` } }`, map[string]any{"id": id})
			me := path(r.Data, "authMember")
			assert.Equal(t, me, path(r.Data, "member"), "member(id) of oneself is authMember")
			assert.Equal(t, id, path(me, "id"))
			assert.Equal(t, m.Name, path(me, "name"))
			assert.Equal(t, m.Username, path(me, "username"))
			assert.Equal(t, m.Email, path(me, "email"))
			assert.Equal(t, m.Status, path(me, "status"))
			assert.Equal(t, m.RoleID, path(me, "role", "id"))
			assert.Equal(t, m.Name, path(me, "displayName"))
			assert.IsType(t, float64(0), path(me, "score"), "mocked")
			assert.Len(t, path(me, "badges"), defaultMockListLen)
			assert.Len(t, path(me, "spaces", "nodes"), 2)
			assert.Equal(t, DefaultNetworkID, path(me, "network", "id"))
			assert.Equal(t, "Acme Community", path(me, "network", "name"))
		})
	}
	// Store data completes a fixture member; its fixture values win.
	s, auth := pubServer(t, "")
	require.NoError(t, s.Store().Set("Member", PlainMemberID, map[string]any{"tagline": "stored", "score": 7, "name": "Not Carol"}))
	r := q(t, s, auth, `{ authMember { name tagline score } }`, nil)
	assert.Equal(t, map[string]any{"name": "Carol Member", "tagline": "stored", "score": float64(7)}, path(r.Data, "authMember"))
	// No token, no data.
	r = gql(t, s, s.GraphQLURL(), "", `{ spaces(limit: 1) { totalCount } }`, nil)
	assert.Equal(t, []string{codeInvalidToken}, r.codes())
	r = gql(t, s, s.GraphQLURL(), "", `mutation { addReaction(postId: "p", input: {reaction: "x"}) { status } }`, nil)
	assert.Equal(t, []string{codeInvalidToken}, r.codes())
}

// TestMockCostRefusesHugePages: page sizes and list lengths feed the cost,
// so a huge page of nested lists is refused before anything executes.
func TestMockCostRefusesHugePages(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		query string
	}{
		{"nested pages", nil, `{ spaces(limit: 100000) { nodes { posts(limit: 100000) { nodes { id title replies(limit: 100000) { nodes { id replies(limit: 100000) { nodes { id } } } } } } } } }`},
		{"one huge page", []Option{WithMockPageTotal(maxMockLen)}, `{ spaces(limit: 100000) { nodes { id name slug createdAt posts(limit: 100000) { nodes { id } } } } }`},
		{"long lists", []Option{WithMockListLength(1000)}, `{ post(id: "p") { tags { id title } pinnedReplies { id tags { id } } } }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, auth := pubServer(t, "", tc.opts...)
			var ran atomic.Int32
			for _, f := range []string{"spaces", "post"} {
				require.NoError(t, s.Resolve("Query", f, func(ResolveContext, map[string]any) (any, error) {
					ran.Add(1)
					return nil, nil
				}))
			}
			start := time.Now()
			r := gql(t, s, s.GraphQLURL(), auth, tc.query, nil)
			assert.Equal(t, []string{codeInvalidRequest}, r.codes(), r.Raw)
			assert.Contains(t, r.Raw, "query cost too high")
			assert.Nil(t, r.Data["spaces"])
			assert.Zero(t, ran.Load(), "refused before execution")
			assert.Less(t, time.Since(start), 2*time.Second)
		})
	}
	// A reasonable page passes.
	s, auth := pubServer(t, "")
	q(t, s, auth, spacesPage, map[string]any{"limit": 10})
}
