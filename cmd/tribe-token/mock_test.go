package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// lines hands the lines of r to a channel.
func lines(r io.Reader) <-chan string {
	ch := make(chan string, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return ch
}

// next is the next line of ch within d.
func next(t *testing.T, ch <-chan string, d time.Duration, what string) string {
	t.Helper()
	select {
	case l, ok := <-ch:
		require.True(t, ok, "%s: the output ended", what)
		return l
	case <-time.After(d):
		t.Fatalf("%s: nothing within %s", what, d)
	}
	return ""
}

// start runs cmd until the test ends, and returns its stdout's lines.
func start(t *testing.T, cmd *exec.Cmd) <-chan string {
	t.Helper()
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return lines(out)
}

// TestMockKeepsStateAndCallsBack runs the standalone mock on Tribe's
// published schema with --webhook-url pointing at a receiver written for
// node, which checks the signature with node's own crypto module; drives
// it through tribe-token api as several members; and reads the signed
// events the receiver got.
func TestMockKeepsStateAndCallsBack(t *testing.T) {
	schema := testenv.PublishedSchema(t)
	node, _ := testenv.NodeNPM(t)
	bin := buildBinary(t)
	const secret = "whsec-node-receiver-test-secret"

	recv := exec.CommandContext(t.Context(), node, "testdata/receiver.mjs")
	recv.Env = append(os.Environ(), "TRIBE_WEBHOOK_SECRET="+secret)
	events := start(t, recv)
	port := strings.TrimPrefix(next(t, events, 10*time.Second, "receiver"), "listening ")

	mock := exec.CommandContext(t.Context(), bin, "mock", "--schema", schema, "--webhook-url", "http://127.0.0.1:"+port+"/webhook", "-o", "json", "--log")
	mock.Env = append(os.Environ(), "TRIBE_WEBHOOK_SECRET="+secret)
	var info struct {
		GraphQL       string `json:"graphql"`
		WebhookSecret string `json:"webhook_secret"`
	}
	require.NoError(t, json.Unmarshal([]byte(next(t, start(t, mock), 20*time.Second, "mock")), &info))
	assert.Empty(t, info.WebhookSecret, "a secret is printed only with --print-credentials")

	env := map[string]string{"TRIBE_ENDPOINT": info.GraphQL, "TRIBE_CLIENT_ID": tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret, "TRIBE_NETWORK_ID": tribetest.DefaultNetworkID}
	api := func(member, query string) cmdtest.Outcome {
		return run(t, cmdtest.Invocation{Env: env, Args: args("api", "--member", member, query)})
	}

	r := api(tribetest.PlainMemberID, `mutation { createPost(spaceId: "space-1", input: {postTypeId: "discussion", publish: true,
		mappingFields: [{key: "title", type: text, value: "\"Carol's post\""}]}) { id title owner { member { id } } } }`)
	require.Equal(t, 0, r.Code, r.Stderr)
	id, _ := cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "createPost", "id").(string)
	require.NotEmpty(t, id)
	assert.Equal(t, "Carol's post", cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "createPost", "title"), "the member's post, with their title")
	assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "createPost", "owner", "member", "id"))

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(next(t, events, 5*time.Second, "post.published")), &got))
	assert.Equal(t, map[string]any{"type": "SUBSCRIPTION", "name": "post.published", "id": got["id"], "postId": id, "title": "Carol's post"}, got,
		"node verified the signature and got the event")

	r = api(tribetest.ModeratorMemberID, `query { post(id: "`+id+`") { title } posts(limit: 5, spaceIds: ["space-1"]) { totalCount nodes { id } } }`)
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.Equal(t, "Carol's post", cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "post", "title"), "post(id) finds it")
	assert.Equal(t, id, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "posts", "nodes", 0, "id"), "posts(spaceIds) finds it")

	r = api(tribetest.ModeratorMemberID, `mutation { updatePost(id: "`+id+`", input: {mappingFields: [{key: "title", type: text, value: "\"Bob's\""}]}) { id } }`)
	assert.NotEqual(t, 0, r.Code)
	assert.Contains(t, r.Stdout+r.Stderr, "102", "another member's update is refused")

	r = api(tribetest.ModeratorMemberID, `mutation { addReaction(postId: "`+id+`", input: {reaction: "+1"}) { status } }`)
	require.Equal(t, 0, r.Code, r.Stderr)
	r = api(tribetest.PlainMemberID, `query { post(id: "`+id+`") { reactionsCount } }`)
	assert.EqualValues(t, 1, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "post", "reactionsCount"), "addReaction raises reactionsCount")

	r = api(tribetest.PlainMemberID, `mutation { deletePost(id: "`+id+`") { status } }`)
	require.Equal(t, 0, r.Code, r.Stderr)
	r = api(tribetest.PlainMemberID, `query { post(id: "`+id+`") { id } }`)
	assert.NotEqual(t, 0, r.Code)
	assert.Contains(t, r.Stdout+r.Stderr, "110", "a deleted post is not found")

	require.NoError(t, json.Unmarshal([]byte(next(t, events, 5*time.Second, "post.deleted")), &got))
	assert.Equal(t, "post.deleted", got["name"])
}
