package community_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

// ids are the ids of a page's items.
func ids(p community.Page) []string {
	out := make([]string, len(p.Items))
	for i, m := range p.Items {
		out[i] = m["id"].(string)
	}
	return out
}

func TestPostsListsBySpaceNewestFirst(t *testing.T) {
	c, _, clock := newTest(t)
	a1 := mustPost(t, c, carol, "space-a", "A1")
	clock.advance(time.Second)
	b1 := mustPost(t, c, erin, "space-b", "B1")
	clock.advance(time.Second)
	a2 := mustPost(t, c, erin, "space-a", "A2")
	draft, err := c.CreatePost(erin, "space-a", titled("Erin's draft", false))
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		actor community.Actor
		q     community.PostQuery
		want  []string
	}{
		{"one space", carol, community.PostQuery{SpaceIDs: []string{"space-a"}}, []string{a2, a1}},
		{"reversed", carol, community.PostQuery{SpaceIDs: []string{"space-a"}, Reverse: true}, []string{a1, a2}},
		{"two spaces", carol, community.PostQuery{SpaceIDs: []string{"space-b", "space-a"}}, []string{a2, b1, a1}},
		{"every space", carol, community.PostQuery{}, []string{a2, b1, a1}},
		{"own drafts too", erin, community.PostQuery{SpaceIDs: []string{"space-a"}}, []string{draft["id"].(string), a2, a1}},
		{"every draft for a moderator", bob, community.PostQuery{SpaceIDs: []string{"space-a"}}, []string{draft["id"].(string), a2, a1}},
		{"by post type", carol, community.PostQuery{PostTypeIDs: []string{"pt-other"}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.Posts(tc.actor, tc.q, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(page))
			assert.Equal(t, len(tc.want), page.Total)
		})
	}
}

func TestPostsOrderBy(t *testing.T) {
	c, _, clock := newTest(t)
	quiet := mustPost(t, c, carol, "s", "Quiet")
	clock.advance(time.Second)
	loud := mustPost(t, c, carol, "s", "Loud")
	clock.advance(time.Second)
	mid := mustPost(t, c, carol, "s", "Mid")
	for _, a := range []community.Actor{carol, erin, bob} {
		require.NoError(t, c.AddReaction(a, loud, "+1"))
	}
	require.NoError(t, c.AddReaction(carol, mid, "+1"))
	clock.advance(time.Second)
	_, err := c.CreateReply(erin, quiet, titled("re", true))
	require.NoError(t, err)

	for _, tc := range []struct {
		orderBy string
		want    []string
	}{
		{"reactionsCount", []string{loud, mid, quiet}},
		{"repliesCount", []string{quiet, mid, loud}},
		{"lastActivityAt", []string{quiet, mid, loud}},
		{"createdAt", []string{mid, loud, quiet}},
		{"text1", []string{mid, loud, quiet}},
	} {
		t.Run(tc.orderBy, func(t *testing.T) {
			page, err := c.Posts(carol, community.PostQuery{OrderBy: tc.orderBy}, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(page))
		})
	}
}

func TestPostsPagesWithTheCut(t *testing.T) {
	c, _, _ := newTest(t)
	var all []string
	for i := range 5 {
		all = append([]string{mustPost(t, c, carol, "s", string(rune('A'+i)))}, all...)
	}
	page, err := c.Posts(carol, community.PostQuery{}, func(total int) (int, int, error) {
		assert.Equal(t, 5, total)
		return 1, 3, nil
	})
	require.NoError(t, err)
	assert.Equal(t, all[1:3], ids(page))
	assert.Equal(t, 1, page.Start)
	assert.Equal(t, 5, page.Total)

	bad := errors.New("invalid cursor in after")
	_, err = c.Posts(carol, community.PostQuery{}, func(int) (int, int, error) { return 0, 0, bad })
	assert.ErrorIs(t, err, bad)
	_, err = c.Posts(carol, community.PostQuery{}, func(int) (int, int, error) { return 3, 9, nil })
	assert.Equal(t, community.CodeInvalid, code(err), "a cut outside the list")
}

func TestPostsOfUnknownSpacesAreUnknown(t *testing.T) {
	c, _, _ := newTest(t)
	_, err := c.Posts(carol, community.PostQuery{}, nil)
	assert.True(t, community.IsUnknown(err), "no post yet: %v", err)
	mustPost(t, c, carol, "space-a", "A")
	_, err = c.Posts(carol, community.PostQuery{SpaceIDs: []string{"space-never"}}, nil)
	assert.True(t, community.IsUnknown(err), "a space never posted in: %v", err)
	page, err := c.Posts(carol, community.PostQuery{SpaceIDs: []string{"space-never", "space-a"}}, nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 1)

	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Empty")})
	require.NoError(t, err)
	page, err = c.Posts(carol, community.PostQuery{SpaceIDs: []string{s["id"].(string)}}, nil)
	require.NoError(t, err, "a space the community holds lists its posts, even none")
	assert.Empty(t, page.Items)
}
