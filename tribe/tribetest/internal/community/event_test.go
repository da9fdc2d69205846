package community_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/webhook"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestEventDataIsAWebhookEvent(t *testing.T) {
	c, rec, _ := newTest(t)
	id := mustPost(t, c, carol, "space-general", "Hello")
	_, err := c.UpdatePost(carol, id, titled("Hello again", true))
	require.NoError(t, err)

	b, err := json.Marshal(rec.last().Data())
	require.NoError(t, err)
	var e webhook.Event
	require.NoError(t, json.Unmarshal(b, &e), "the data decodes as package webhook's Event")
	assert.Equal(t, rec.last().ID, e.ID)
	assert.Equal(t, "post.updated", e.Name)
	assert.Equal(t, "POST", e.Noun)
	assert.Equal(t, "UPDATED", e.Verb)
	assert.Equal(t, "Post updated", e.ShortDescription)
	assert.Equal(t, "2026-01-01T12:00:00Z", e.Time.Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, &webhook.Actor{ID: "mem-carol", RoleID: "role-member", RoleType: "member"}, e.Actor)
	assert.Equal(t, id, e.Target.PostID)
	assert.Equal(t, "space-general", e.Target.SpaceID)
	assert.JSONEq(t, `"Hello"`, string(jsonField(t, e.OldObject, "title")))
	assert.JSONEq(t, `"Hello again"`, string(jsonField(t, e.Object, "title")))
}

func jsonField(t *testing.T, raw json.RawMessage, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	return m[key]
}

func TestEventIDsAreUnique(t *testing.T) {
	c1, rec1, _ := newTest(t)
	c2, rec2, _ := newTest(t)
	seen := map[string]bool{}
	for range 50 {
		mustPost(t, c1, carol, "s", "x")
		mustPost(t, c2, carol, "s", "x")
	}
	c1.Reset()
	for range 50 {
		mustPost(t, c1, carol, "s", "x")
	}
	for _, r := range []*recorder{rec1, rec2} {
		for _, e := range r.events {
			assert.False(t, seen[e.ID], "event id %s repeats", e.ID)
			seen[e.ID] = true
			assert.True(t, strings.HasPrefix(e.ID, "ev"))
		}
	}
	assert.Len(t, seen, 150)
}

func TestEventsWithoutEmit(t *testing.T) {
	c := community.New(community.Options{})
	_, err := c.CreatePost(carol, "s", titled("no one listens", true))
	assert.NoError(t, err)
}
