package community_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func seed() community.Seed {
	return community.Seed{
		Network: "net-acme",
		Spaces: []map[string]any{
			{"id": "space-general", "name": "General", "slug": "general", "membersCount": 12, "layout": "cards"},
			{"id": "space-vip", "name": "VIP", "private": true, "networkId": "net-acme"},
		},
		Posts: []map[string]any{
			{"id": "p1", "title": "Hello", "spaceId": "space-general", "ownerId": "mem-alice", "reactionsCount": 5, "slug": "hello"},
			{"id": "p2", "spaceId": "space-general", "mappingFields": []any{map[string]any{"key": "title", "type": "text", "value": `"From fields"`}}},
			{"id": "r1", "repliedToId": "p1", "title": "A reply"},
			{"id": "bare"},
		},
	}
}

func TestSeedIsTheStartingState(t *testing.T) {
	c, rec, _ := newTest(t)
	require.NoError(t, c.Seed(seed()))
	assert.Empty(t, rec.names(), "seeding emits nothing")

	p1, err := c.Post(carol, "p1")
	require.NoError(t, err)
	assert.Equal(t, "Hello", p1["title"])
	assert.Equal(t, []any{map[string]any{"key": "title", "type": "text", "value": `"Hello"`}}, p1["mappingFields"], "a seed's title is its title field")
	assert.Equal(t, "hello", p1["slug"], "other fields as they are")
	assert.Equal(t, 0, p1["reactionsCount"], "counts follow the state")
	assert.Equal(t, 1, p1["repliesCount"])
	assert.Equal(t, "PUBLISHED", p1["status"])
	assert.Equal(t, "2024-01-01T00:00:00.000Z", p1["createdAt"])

	p2, err := c.Post(carol, "p2")
	require.NoError(t, err)
	assert.Equal(t, "From fields", p2["title"])

	r1, err := c.Post(carol, "r1")
	require.NoError(t, err)
	assert.Equal(t, "space-general", r1["spaceId"], "a reply is in its post's space")
	assert.Equal(t, "p1", r1["repliedToId"])

	bare, err := c.Post(carol, "bare")
	require.NoError(t, err)
	for _, k := range []string{"ownerId", "owner", "spaceId", "space", "title", "shortContent", "postTypeId"} {
		assert.NotContains(t, bare, k, "what a seed leaves out stays mocked")
	}

	g, err := c.Space(carol, "", "general")
	require.NoError(t, err)
	assert.Equal(t, "space-general", g["id"])
	assert.Equal(t, 0, g["membersCount"], "counts follow the state")
	assert.Equal(t, 2, g["postsCount"])
	assert.Equal(t, "cards", g["layout"])
	assert.NotContains(t, g, "createdById")

	assert.Equal(t, community.CodeForbidden, code(c.JoinSpace(carol, "space-vip")), "a seeded private space")
}

func TestResetRestoresTheSeed(t *testing.T) {
	c, _, _ := newTest(t)
	require.NoError(t, c.Seed(seed()))
	created := mustPost(t, c, carol, "space-general", "New")
	require.NoError(t, c.DeletePost(alice, "p1"))
	require.NoError(t, c.AddReaction(carol, "p2", "+1"))
	require.NoError(t, c.JoinSpace(carol, "space-general"))
	_, err := c.UpdateMember(carol, "", community.MemberInput{Name: ptr("C")})
	require.NoError(t, err)
	_, err = c.UpdateAppSettings(bot, "app", `{"x":1}`)
	require.NoError(t, err)

	c.Reset()

	_, err = c.Post(carol, created)
	assert.True(t, community.IsUnknown(err), "a post made after the seed is gone: %v", err)
	p1, err := c.Post(carol, "p1")
	require.NoError(t, err, "a deleted seeded post is back")
	assert.Equal(t, 1, p1["repliesCount"])
	p2, err := c.Post(carol, "p2")
	require.NoError(t, err)
	assert.Equal(t, 0, p2["reactionsCount"])
	g, err := c.Space(carol, "space-general", "")
	require.NoError(t, err)
	assert.Equal(t, 0, g["membersCount"])
	assert.Nil(t, c.Profile("net-acme", "mem-carol"))
	assert.Equal(t, "{}", c.Settings("net-acme", "app"))

	again := mustPost(t, c, carol, "space-general", "Again")
	assert.NotEqual(t, created, again, "ids are not reused after a reset")
}

func TestResetWithoutSeedEmpties(t *testing.T) {
	c, _, _ := newTest(t)
	mustPost(t, c, carol, "s", "x")
	c.Reset()
	assert.False(t, c.HasPosts())
	_, err := c.Posts(carol, community.PostQuery{}, nil)
	assert.True(t, community.IsUnknown(err))
}

func TestNewIDsAvoidTheSeeds(t *testing.T) {
	c, _, _ := newTest(t)
	require.NoError(t, c.Seed(community.Seed{Network: "net-acme", Posts: []map[string]any{{"id": "post-1"}, {"id": "post-2"}, {"id": "post-3"}}}))
	id := mustPost(t, c, carol, "s", "x")
	assert.NotContains(t, []string{"post-1", "post-2", "post-3"}, id)
}

func TestSeedRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		seed community.Seed
		msg  string
	}{
		{"a title not a string", community.Seed{Network: "n", Posts: []map[string]any{{"id": "p", "title": 5}}}, "objects.Post[0]: post \"p\": "},
		{"a status the mock does not keep", community.Seed{Network: "n", Posts: []map[string]any{{"id": "p", "status": "ARCHIVED"}}}, "status \"ARCHIVED\""},
		{"a reply to nothing", community.Seed{Network: "n", Posts: []map[string]any{{"id": "r", "repliedToId": "p"}}}, "seed the post it replies to first"},
		{"bad mapping fields", community.Seed{Network: "n", Posts: []map[string]any{{"id": "p", "mappingFields": "x"}}}, "mappingFields: not a list"},
		{"a value not JSON", community.Seed{Network: "n", Posts: []map[string]any{{"id": "p", "mappingFields": []any{map[string]any{"key": "k", "value": "v"}}}}}, "not JSON"},
		{"no network", community.Seed{Posts: []map[string]any{{"id": "p"}}}, "no networkId"},
		{"a duplicate space", community.Seed{Network: "n", Spaces: []map[string]any{{"id": "s"}, {"id": "s"}}}, "duplicate id"},
		{"a space's bad type", community.Seed{Network: "n", Spaces: []map[string]any{{"id": "s", "type": "Forum"}}}, "objects.Space[0]"},
		{"a bad time", community.Seed{Network: "n", Spaces: []map[string]any{{"id": "s", "createdAt": "yesterday"}}}, "RFC 3339"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTest(t)
			mustPost(t, c, carol, "s", "kept")
			err := c.Seed(tc.seed)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.True(t, c.HasPosts(), "a refused seed leaves the state as it was")
		})
	}
}
