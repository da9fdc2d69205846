package tribetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	createTitled = `mutation($space: ID!, $title: String!, $publish: Boolean) {
  createPost(spaceId: $space, input: {postTypeId: "discussion", publish: $publish, mappingFields: [{key: "title", type: text, value: $title}]}) {
    id title status ownerId owner { member { id name } } space { id } repliesCount reactionsCount
  }
}`
	readPost = `query($id: ID!) { post(id: $id) { id title status reactionsCount repliesCount reactions { reaction count reacted } } }`
)

// titleValue is title JSON-encoded, as a mapping field's value.
func titleValue(title string) string { return fmt.Sprintf("%q", title) }

func TestPostsFollowTheState(t *testing.T) {
	s, carol := pubServer(t, "")
	tok, err := s.MintToken(DefaultNetworkID, ModeratorMemberID)
	require.NoError(t, err)
	bob := bearer(tok)
	tok, err = s.MintToken(DefaultNetworkID, AdminMemberID)
	require.NoError(t, err)
	alice := bearer(tok)

	r := q(t, s, carol, createTitled, map[string]any{"space": "space-1", "title": titleValue("Carol's question"), "publish": true})
	p := path(r.Data, "createPost").(map[string]any)
	id := p["id"].(string)
	assert.Equal(t, "Carol's question", p["title"])
	assert.Equal(t, "PUBLISHED", p["status"])
	assert.Equal(t, PlainMemberID, p["ownerId"])
	assert.Equal(t, PlainMemberID, path(p, "owner", "member", "id"))
	assert.Equal(t, "Carol Member", path(p, "owner", "member", "name"), "the owner is the fixtures' member")
	assert.Equal(t, "space-1", path(p, "space", "id"))

	got := q(t, s, bob, readPost, map[string]any{"id": id})
	assert.Equal(t, "Carol's question", path(got.Data, "post", "title"), "post(id) finds it")
	list := q(t, s, bob, `{ posts(limit: 10, spaceIds: ["space-1"]) { totalCount nodes { id title } edges { cursor node { id } } } }`, nil)
	assert.EqualValues(t, 1, path(list.Data, "posts", "totalCount"), "posts(spaceIds) finds it")
	assert.Equal(t, id, path(list.Data, "posts", "nodes", 0, "id"))
	assert.Equal(t, id, path(list.Data, "posts", "edges", 0, "node", "id"))

	upd := gql(t, s, s.GraphQLURL(), bob, `mutation($id: ID!) { updatePost(id: $id, input: {mappingFields: [{key: "title", type: text, value: "\"Bob's\""}]}) { id } }`, map[string]any{"id": id})
	assert.Equal(t, []string{codeForbidden}, upd.codes(), "another member may not update it: %s", upd.Raw)

	q(t, s, bob, `mutation($id: ID!) { addReaction(postId: $id, input: {reaction: "+1"}) { status } }`, map[string]any{"id": id})
	got = q(t, s, bob, readPost, map[string]any{"id": id})
	assert.EqualValues(t, 1, path(got.Data, "post", "reactionsCount"))
	assert.Equal(t, []any{map[string]any{"reaction": "+1", "count": float64(1), "reacted": true}}, path(got.Data, "post", "reactions"))

	reply := q(t, s, alice, `mutation($id: ID!) { createReply(postId: $id, input: {postTypeId: "comment", publish: true, mappingFields: [{key: "content", type: html, value: "\"<p>Yes</p>\""}]}) { id repliedToId } }`, map[string]any{"id": id})
	assert.Equal(t, id, path(reply.Data, "createReply", "repliedToId"))
	got = q(t, s, carol, `query($id: ID!) { post(id: $id) { repliesCount replies(limit: 5) { totalCount nodes { id shortContent } } } }`, map[string]any{"id": id})
	assert.EqualValues(t, 1, path(got.Data, "post", "repliesCount"))
	assert.Equal(t, "<p>Yes</p>", path(got.Data, "post", "replies", "nodes", 0, "shortContent"), "Post.replies follows the state")

	q(t, s, carol, `mutation($id: ID!) { deletePost(id: $id) { status } }`, map[string]any{"id": id})
	gone := gql(t, s, s.GraphQLURL(), carol, readPost, map[string]any{"id": id})
	assert.Equal(t, []string{codeNotFound}, gone.codes(), "a deleted post answers 110: %s", gone.Raw)

	made := q(t, s, carol, `{ post(id: "made-up") { id title } }`, nil)
	assert.Equal(t, "made-up", path(made.Data, "post", "id"), "an id never seen is still mocked")
	assert.NotEmpty(t, path(made.Data, "post", "title"))
}

func TestSpacesFollowTheState(t *testing.T) {
	s, alice := pubServer(t, AdminMemberID)
	tok := memberToken(t, s)
	carol := bearer(tok)

	r := q(t, s, alice, `mutation { createSpace(input: {name: "Ideas", private: true}) { id slug membersCount private } }`, nil)
	id := path(r.Data, "createSpace", "id").(string)
	assert.Equal(t, "ideas", path(r.Data, "createSpace", "slug"))
	assert.EqualValues(t, 1, path(r.Data, "createSpace", "membersCount"))

	join := gql(t, s, s.GraphQLURL(), carol, `mutation($id: ID!) { joinSpace(spaceId: $id) { status } }`, map[string]any{"id": id})
	assert.Equal(t, []string{codeForbidden}, join.codes(), "a private space refuses a plain member")
	q(t, s, alice, `mutation($id: ID!) { updateSpace(id: $id, input: {private: false}) { id } }`, map[string]any{"id": id})
	q(t, s, carol, `mutation($id: ID!) { joinSpace(spaceId: $id) { status } }`, map[string]any{"id": id})
	got := q(t, s, carol, `query($id: ID!) { space(id: $id) { name membersCount members(limit: 5) { totalCount nodes { member { id } } } }
		spaceMembers(spaceId: $id, limit: 5) { totalCount nodes { member { id name } role { type } } } spaces(limit: 5) { totalCount nodes { id } } }`, map[string]any{"id": id})
	assert.EqualValues(t, 2, path(got.Data, "space", "membersCount"))
	assert.EqualValues(t, 2, path(got.Data, "space", "members", "totalCount"))
	assert.EqualValues(t, 2, path(got.Data, "spaceMembers", "totalCount"))
	assert.Equal(t, "Carol Member", path(got.Data, "spaceMembers", "nodes", 1, "member", "name"))
	assert.Equal(t, "member", path(got.Data, "spaceMembers", "nodes", 1, "role", "type"))
	assert.EqualValues(t, 1, path(got.Data, "spaces", "totalCount"))

	s.Reset()
	after := q(t, s, carol, `{ spaces(limit: 5) { totalCount } }`, nil)
	assert.EqualValues(t, 20, path(after.Data, "spaces", "totalCount"), "Reset puts the seed back: none, so mocked spaces")
}

func TestUpdateMemberChangesTheMember(t *testing.T) {
	s, carol := pubServer(t, "")
	q(t, s, carol, `mutation { updateMember(input: {name: "Caroline", tagline: "Hi"}) { id name } }`, nil)
	got := q(t, s, carol, `{ authMember { name tagline } members(limit: 10, query: "caroline") { totalCount } }`, nil)
	assert.Equal(t, "Caroline", path(got.Data, "authMember", "name"))
	assert.Equal(t, "Hi", path(got.Data, "authMember", "tagline"))
	assert.EqualValues(t, 1, path(got.Data, "members", "totalCount"), "lookups see the change")
	other := gql(t, s, s.GraphQLURL(), carol, `mutation { updateMember(id: "`+AdminMemberID+`", input: {name: "X"}) { id } }`, nil)
	assert.Equal(t, []string{codeForbidden}, other.codes())
	s.Reset()
	m, ok := s.Member(PlainMemberID)
	require.True(t, ok)
	assert.Equal(t, "Carol Member", m.Name, "Reset puts the fixtures' member back")
}

func TestAppSettingsThroughGraphQL(t *testing.T) {
	s, bot := pubServer(t, AdminMemberID)
	q(t, s, bot, `mutation { updateAppNetworkSettings(appId: "app-test", settings: "{\"greeting\":\"Hi\"}") { status data } }`, nil)
	got := q(t, s, bot, `{ getAppNetworkSettings(appId: "app-test") }`, nil)
	assert.Equal(t, `{"greeting":"Hi"}`, path(got.Data, "getAppNetworkSettings"))
}

// TestConcurrentMembers has 8 members post, react, reply, join and leave
// at once, through GraphQL, with an app subscribed to every event; then
// every post reads back, the counts agree and every delivery settled. It
// runs for 10 seconds under the race detector (what it is for: CI's race
// run), 3 seconds otherwise.
//
// Each member starts a round every 20 ms at most (a pause after each), so
// that the 8 of them post at most 4,000 times in 10 s: a community's
// delivery queue holds 10,000 events, and members posting as fast as two
// cores allow outran it (more than 10,000 posts, the last ones' events
// dropped, as Tribe drops what its queue cannot hold), besides keeping
// both cores busy all along.
func TestConcurrentMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds; without -short it does")
	}
	rc := newRecorder(t)
	s, alice := pubServer(t, AdminMemberID, WithAppWebhook(DefaultAppID, AppWebhook{URL: rc.URL, SignSecret: testSecret}))
	space := q(t, s, alice, `mutation { createSpace(input: {name: "Busy"}) { id } }`, nil)
	sid := path(space.Data, "createSpace", "id").(string)
	var members []Member
	for i := range 8 {
		m, err := s.AddMember(Member{ID: fmt.Sprintf("mem-w%d", i), NetworkID: DefaultNetworkID, Name: fmt.Sprintf("Worker %d", i)})
		require.NoError(t, err)
		members = append(members, m)
	}
	const roundPause = 20 * time.Millisecond
	run := 3 * time.Second
	if raceEnabled {
		run = 10 * time.Second
	}
	deadline := time.Now().Add(run)
	var wg sync.WaitGroup
	created := make([][]string, len(members))
	for w, m := range members {
		tok, err := s.MintToken(DefaultNetworkID, m.ID)
		require.NoError(t, err)
		auth := bearer(tok)
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				r := gql(t, s, s.GraphQLURL(), auth, createTitled, map[string]any{"space": sid, "title": titleValue(fmt.Sprint(m.ID, i)), "publish": true})
				if !assert.Empty(t, r.Errors, r.Raw) {
					return
				}
				id := path(r.Data, "createPost", "id").(string)
				created[w] = append(created[w], id)
				gql(t, s, s.GraphQLURL(), auth, `mutation($id: ID!) { addReaction(postId: $id, input: {reaction: "+1"}) { status } }`, map[string]any{"id": id})
				gql(t, s, s.GraphQLURL(), auth, `mutation($id: ID!) { joinSpace(spaceId: $id) { status } }`, map[string]any{"id": sid})
				gql(t, s, s.GraphQLURL(), auth, `{ posts(limit: 5) { totalCount nodes { id reactionsCount } } }`, nil)
				gql(t, s, s.GraphQLURL(), auth, `mutation($id: ID!) { leaveSpace(spaceId: $id) { status } }`, map[string]any{"id": sid})
				time.Sleep(roundPause)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, ids := range created {
		total += len(ids)
		for _, id := range ids {
			got := q(t, s, alice, readPost, map[string]any{"id": id})
			require.Equal(t, id, path(got.Data, "post", "id"))
			require.EqualValues(t, 1, path(got.Data, "post", "reactionsCount"))
		}
	}
	require.Positive(t, total)
	require.LessOrEqual(t, total, 8*int(run/roundPause), "each member paused between rounds")
	got := q(t, s, alice, `query($id: ID!) { space(id: $id) { membersCount postsCount } posts(limit: 1, spaceIds: [$id]) { totalCount } }`, map[string]any{"id": sid})
	assert.EqualValues(t, total, path(got.Data, "posts", "totalCount"))
	assert.EqualValues(t, total, path(got.Data, "space", "postsCount"))
	assert.EqualValues(t, 1, path(got.Data, "space", "membersCount"), "every worker left; the creator stays")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, s.WaitDeliveries(ctx))
	for _, d := range s.Deliveries() {
		require.Equal(t, "delivered", d.State, "%+v", d)
	}
	assert.Equal(t, total, rc.count("post.published"), "one post.published per post")
	t.Logf("%d posts by 8 members in %s", total, run)
}
