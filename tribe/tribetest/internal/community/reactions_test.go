package community_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestReactionsFollowTheState(t *testing.T) {
	c, rec, _ := newTest(t)
	id := mustPost(t, c, carol, "s", "React to me")
	rec.reset()
	require.NoError(t, c.AddReaction(erin, id, "+1"))
	require.NoError(t, c.AddReaction(bob, id, "+1"))
	require.NoError(t, c.AddReaction(bob, id, "heart"))
	require.NoError(t, c.AddReaction(bob, id, "heart"), "again: no change")

	p, err := c.Post(bob, id)
	require.NoError(t, err)
	assert.Equal(t, 3, p["reactionsCount"])
	assert.Equal(t, []any{
		map[string]any{"reaction": "+1", "count": 2, "reacted": true},
		map[string]any{"reaction": "heart", "count": 1, "reacted": true},
	}, p["reactions"])
	p, err = c.Post(erin, id)
	require.NoError(t, err)
	assert.Equal(t, []any{
		map[string]any{"reaction": "+1", "count": 2, "reacted": true},
		map[string]any{"reaction": "heart", "count": 1, "reacted": false},
	}, p["reactions"], "reacted is the caller's")

	require.NoError(t, c.RemoveReaction(bob, id, "heart"))
	require.NoError(t, c.RemoveReaction(carol, id, "+1"), "one never given: no change")
	p, err = c.Post(carol, id)
	require.NoError(t, err)
	assert.Equal(t, 2, p["reactionsCount"])
	assert.Equal(t, []any{map[string]any{"reaction": "+1", "count": 2, "reacted": false}}, p["reactions"])
	assert.Empty(t, rec.names(), "reactions have no documented event")
}

func TestAddReactionRefuses(t *testing.T) {
	c, _, _ := newTest(t)
	id := mustPost(t, c, carol, "s", "x")
	for _, tc := range []struct {
		name     string
		reaction string
		code     string
	}{
		{"empty", "", community.CodeInvalid},
		{"long", strings.Repeat("x", community.MaxReactionLen+1), community.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, code(c.AddReaction(carol, id, tc.reaction)))
		})
	}
	t.Run("too many kinds", func(t *testing.T) {
		for i := range community.MaxPostReactions {
			require.NoError(t, c.AddReaction(carol, id, "r"+string(rune('A'+i))))
		}
		assert.Equal(t, community.CodeInvalid, code(c.AddReaction(carol, id, "one-more")))
		assert.NoError(t, c.AddReaction(erin, id, "rA"), "an existing kind is still fine")
	})
}
