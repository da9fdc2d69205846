package example_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/example"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestOperations runs the example's generated operations as a member
// against the mock serving Tribe's published schema: list spaces page by
// page, create a post, react to it, read it back.
func TestOperations(t *testing.T) {
	path := testenv.PublishedSchema(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	published, err := schema.Load(path, data)
	require.NoError(t, err)
	srv := tribetest.NewServer(tribetest.WithSchema(published))
	defer srv.Close()

	// A few lines make the mutations stateful: a created post is kept, a
	// reaction counted.
	var mu sync.Mutex
	require.NoError(t, srv.Resolve("Mutation", "createPost", func(ctx tribetest.ResolveContext, args map[string]any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		id := fmt.Sprintf("post-%d", len(ctx.Store.IDs("Post"))+1)
		input, _ := args["input"].(map[string]any)
		post := map[string]any{"id": id, "spaceId": args["spaceId"], "ownerId": ctx.Caller.MemberID,
			"postTypeId": input["postTypeId"], "title": "Hello from the example", "status": "PUBLISHED",
			"reactionsCount": 0, "reactions": []any{}}
		if err := ctx.Store.Set("Post", id, post); err != nil {
			return nil, err
		}
		return post, nil
	}))
	require.NoError(t, srv.Resolve("Mutation", "addReaction", func(ctx tribetest.ResolveContext, args map[string]any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		id, _ := args["postId"].(string)
		post, ok := ctx.Store.Get("Post", id)
		if !ok {
			return nil, &tribetest.FieldError{Code: "110", Message: "post not found"}
		}
		input, _ := args["input"].(map[string]any)
		post["reactionsCount"] = 1
		post["reactions"] = []any{map[string]any{"reaction": input["reaction"], "count": 1, "reacted": true}}
		if err := ctx.Store.Set("Post", id, post); err != nil {
			return nil, err
		}
		return map[string]any{"status": "succeeded"}, nil
	}))

	ctx := context.Background()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}
	ts, err := app.TokenSource(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
	require.NoError(t, err)
	client, err := app.Client(ctx, ts)
	require.NoError(t, err)
	gql := client.GraphQL()

	// Spaces, two pages: consistent, no space twice.
	first, err := example.ListSpaces(ctx, gql, 2, nil)
	require.NoError(t, err)
	require.NotNil(t, first.Spaces)
	require.Len(t, first.Spaces.Nodes, 2)
	require.True(t, first.Spaces.PageInfo.HasNextPage)
	second, err := example.ListSpaces(ctx, gql, 2, first.Spaces.PageInfo.EndCursor)
	require.NoError(t, err)
	assert.Equal(t, first.Spaces.TotalCount, second.Spaces.TotalCount)
	for _, a := range first.Spaces.Nodes {
		for _, b := range second.Spaces.Nodes {
			assert.NotEqual(t, a.Id, b.Id, "a space appears on two pages")
		}
	}
	again, err := example.ListSpaces(ctx, gql, 2, nil)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the same query gives the same data")

	// A post by the member, a reaction, and the post read back.
	spaceID := first.Spaces.Nodes[0].Id
	created, err := example.CreatePost(ctx, gql, spaceID, &example.CreatePostInput{PostTypeId: "discussion"})
	require.NoError(t, err)
	post := created.CreatePost
	require.NotNil(t, post)
	assert.Equal(t, "post-1", post.Id)
	assert.Equal(t, "Hello from the example", *post.Title)

	reacted, err := example.AddReaction(ctx, gql, post.Id, "like")
	require.NoError(t, err)
	assert.Equal(t, example.ActionStatusSucceeded, reacted.AddReaction.Status)

	got, err := example.GetPost(ctx, gql, post.Id)
	require.NoError(t, err)
	assert.Equal(t, post.Id, got.Post.Id)
	assert.Equal(t, 1, got.Post.ReactionsCount)
	require.Len(t, got.Post.Reactions, 1)
	assert.Equal(t, "like", got.Post.Reactions[0].Reaction)
	assert.True(t, got.Post.Reactions[0].Reacted)

	_, err = example.AddReaction(ctx, gql, "no-such-post", "like")
	assert.ErrorIs(t, err, tribe.ErrNotFound)
}
